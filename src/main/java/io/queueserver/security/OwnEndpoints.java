package io.queueserver.security;

import jakarta.enterprise.context.ApplicationScoped;

import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.Collections;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The addresses and ports this server listens on, so that jobs and callbacks cannot call its own API. Ports are
 * learnt from the requests the API serves (a job is always submitted through one); addresses are this machine's
 * interfaces, loopback and the unspecified address.
 */
@ApplicationScoped
public class OwnEndpoints {
    private static final long REFRESH_NANOS = TimeUnit.MINUTES.toNanos(1);
    private final Set<Integer> ports = ConcurrentHashMap.newKeySet();
    private volatile Set<InetAddress> interfaces = Set.of();
    private volatile long interfacesRead;

    public void listensOn(int port) {
        if (port > 0) {
            ports.add(port);
        }
    }

    public boolean isOwn(InetAddress address, int port) {
        if (!ports.contains(port)) {
            return false;
        }
        return address.isLoopbackAddress() || address.isAnyLocalAddress() || localAddresses().contains(address);
    }

    private Set<InetAddress> localAddresses() {
        long now = System.nanoTime();
        if (interfacesRead == 0 || now - interfacesRead > REFRESH_NANOS) {
            Set<InetAddress> found = new HashSet<>();
            try {
                for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                    found.addAll(Collections.list(nic.getInetAddresses()));
                }
            } catch (SocketException | RuntimeException e) {
                // keep what was read before: loopback and unspecified are checked without it
                return interfaces;
            }
            interfaces = Set.copyOf(found);
            interfacesRead = now;
        }
        return interfaces;
    }
}
