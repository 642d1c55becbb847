package io.queueserver.it;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Listens on one port of several local addresses (loopback, IPv6 loopback, the machine's own interface) and
 * counts every connection: a refused target that is nevertheless called shows up here.
 */
final class Canary implements AutoCloseable {
    final AtomicInteger connections = new AtomicInteger();
    final int port;
    private final List<ServerSocket> sockets = new ArrayList<>();

    Canary(List<InetAddress> addresses) throws IOException {
        ServerSocket first = listen(addresses.get(0), 0);
        port = first.getLocalPort();
        for (InetAddress address : addresses.subList(1, addresses.size())) {
            try {
                listen(address, port);
            } catch (IOException unavailable) {
                // e.g. no IPv6 on this machine: that address cannot be reached by the server either
            }
        }
    }

    private ServerSocket listen(InetAddress address, int port) throws IOException {
        ServerSocket socket = new ServerSocket();
        socket.bind(new InetSocketAddress(address, port));
        sockets.add(socket);
        Thread t = new Thread(() -> {
            while (!socket.isClosed()) {
                try (Socket s = socket.accept()) {
                    connections.incrementAndGet();
                } catch (IOException closed) {
                    return;
                }
            }
        }, "canary-" + address.getHostAddress());
        t.setDaemon(true);
        t.start();
        return socket;
    }

    @Override
    public void close() throws IOException {
        for (ServerSocket s : sockets) {
            s.close();
        }
    }
}
