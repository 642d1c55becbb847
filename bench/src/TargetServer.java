import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Iterator;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The jobs' target: a single-threaded NIO HTTP/1.1 server with TCP_NODELAY and keep-alive. {@code /t} answers at
 * once, {@code /lat?t=<nanoTime>} records the submit-to-start latency, {@code /hold?s=N} answers after N seconds
 * without holding a thread (so 10,000 held requests cost 10,000 sockets, nothing more), {@code /arrive} records
 * when it was called ({@code System.nanoTime()}).
 */
final class TargetServer {
    static final byte[] OK = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok"
            .getBytes(StandardCharsets.US_ASCII);
    final ServerSocketChannel server;
    final Selector selector;
    final int port;
    final AtomicLong hits = new AtomicLong();
    final AtomicLong inflight = new AtomicLong();
    final AtomicLong peak = new AtomicLong();
    final ConcurrentLinkedQueue<Long> latencies = new ConcurrentLinkedQueue<>();
    final ConcurrentLinkedQueue<Long> arrivals = new ConcurrentLinkedQueue<>();
    final ConcurrentLinkedQueue<SocketChannel> toAnswer = new ConcurrentLinkedQueue<>();
    final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "target-timer");
        t.setDaemon(true);
        return t;
    });
    volatile long latencyFrom = Long.MIN_VALUE;
    volatile boolean running = true;
    final Thread loop;

    private TargetServer(int port) throws IOException {
        server = ServerSocketChannel.open();
        server.setOption(StandardSocketOptions.SO_REUSEADDR, true);
        server.bind(new InetSocketAddress("127.0.0.1", port), 20_000);
        server.configureBlocking(false);
        selector = Selector.open();
        server.register(selector, SelectionKey.OP_ACCEPT);
        this.port = ((InetSocketAddress) server.getLocalAddress()).getPort();
        loop = new Thread(this::run, "target");
        loop.setDaemon(true);
        loop.start();
    }

    static TargetServer start(int port) throws IOException {
        return new TargetServer(port);
    }

    /** The URL of {@code pathAndQuery} on this target, for a job's command. */
    String url(String pathAndQuery) {
        return "http://127.0.0.1:" + port + pathAndQuery;
    }

    void stop() throws IOException {
        running = false;
        selector.wakeup();
        try {
            loop.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (SelectionKey k : selector.keys()) {
            k.channel().close();
        }
        selector.close();
        server.close();
        timer.shutdownNow();
    }

    static final class Conn {
        ByteBuffer in = ByteBuffer.allocate(4096);
        ByteBuffer out;
    }

    private void run() {
        try {
            while (running) {
                selector.select(100);
                SocketChannel later;
                while ((later = toAnswer.poll()) != null) {
                    SelectionKey k = later.keyFor(selector);
                    inflight.decrementAndGet();
                    if (k != null && k.isValid()) {
                        answer(k);
                    }
                }
                Iterator<SelectionKey> it = selector.selectedKeys().iterator();
                while (it.hasNext()) {
                    SelectionKey k = it.next();
                    it.remove();
                    try {
                        if (!k.isValid()) {
                            continue;
                        }
                        if (k.isAcceptable()) {
                            SocketChannel c;
                            while ((c = server.accept()) != null) {
                                c.configureBlocking(false);
                                c.setOption(StandardSocketOptions.TCP_NODELAY, true);
                                c.register(selector, SelectionKey.OP_READ, new Conn());
                            }
                        } else {
                            if (k.isWritable()) {
                                flush(k);
                            }
                            if (k.isValid() && k.isReadable()) {
                                read(k);
                            }
                        }
                    } catch (IOException | RuntimeException e) {
                        k.cancel();
                        try {
                            k.channel().close();
                        } catch (IOException ignored) {
                            // closing
                        }
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            if (running) {
                e.printStackTrace();
            }
        }
    }

    private void read(SelectionKey k) throws IOException {
        Conn conn = (Conn) k.attachment();
        SocketChannel ch = (SocketChannel) k.channel();
        if (!conn.in.hasRemaining()) {
            conn.in = ByteBuffer.allocate(conn.in.capacity() * 2).put(conn.in.flip());
        }
        int n = ch.read(conn.in);
        if (n < 0) {
            k.cancel();
            ch.close();
            return;
        }
        while (true) {
            String text = new String(conn.in.array(), 0, conn.in.position(), StandardCharsets.ISO_8859_1);
            int end = text.indexOf("\r\n\r\n");
            if (end < 0) {
                return;
            }
            int length = 0;
            for (String h : text.substring(0, end).split("\r\n")) {
                if (h.regionMatches(true, 0, "content-length:", 0, 15)) {
                    length = Integer.parseInt(h.substring(15).trim());
                }
            }
            int total = end + 4 + length;
            if (conn.in.position() < total) {
                return;
            }
            String requestLine = text.substring(0, text.indexOf("\r\n"));
            byte[] rest = Arrays.copyOfRange(conn.in.array(), total, conn.in.position());
            conn.in.clear();
            conn.in.put(rest);
            handle(k, requestLine.split(" ")[1]);
        }
    }

    private void handle(SelectionKey k, String path) throws IOException {
        hits.incrementAndGet();
        if (path.startsWith("/lat?t=")) {
            long sent = Long.parseLong(path.substring(7).replaceAll("[^0-9].*$", ""));
            if (sent >= latencyFrom) {
                latencies.add((System.nanoTime() - sent) / 1000);
            }
        } else if (path.startsWith("/arrive")) {
            arrivals.add(System.nanoTime());
        } else if (path.startsWith("/hold?s=")) {
            long secs = Long.parseLong(path.substring(8).replaceAll("[^0-9].*$", ""));
            peak.accumulateAndGet(inflight.incrementAndGet(), Math::max);
            SocketChannel ch = (SocketChannel) k.channel();
            timer.schedule(() -> {
                toAnswer.add(ch);
                selector.wakeup();
            }, secs, TimeUnit.SECONDS);
            return;
        }
        answer(k);
    }

    private void answer(SelectionKey k) throws IOException {
        Conn conn = (Conn) k.attachment();
        if (conn.out != null && conn.out.hasRemaining()) {
            ByteBuffer more = ByteBuffer.allocate(conn.out.remaining() + OK.length).put(conn.out).put(OK);
            conn.out = more.flip();
        } else {
            conn.out = ByteBuffer.wrap(OK);
        }
        flush(k);
    }

    private void flush(SelectionKey k) throws IOException {
        Conn conn = (Conn) k.attachment();
        ((SocketChannel) k.channel()).write(conn.out);
        k.interestOps(conn.out.hasRemaining() ? SelectionKey.OP_READ | SelectionKey.OP_WRITE : SelectionKey.OP_READ);
    }
}
