import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;

/** A minimal blocking HTTP/1.1 keep-alive client: one connection, TCP_NODELAY, reconnects when closed. */
final class KeepAliveClient implements AutoCloseable {
    final String host;
    final int port;
    Socket socket;
    InputStream in;
    OutputStream out;
    final byte[] buf = new byte[1 << 16];
    int pos;
    int lim;

    KeepAliveClient(String url) {
        String hp = url.replaceFirst("^http://", "").replaceFirst("/.*$", "");
        host = hp.substring(0, hp.indexOf(':'));
        port = Integer.parseInt(hp.substring(hp.indexOf(':') + 1));
    }

    /** The bytes of one HTTP/1.1 request with a JSON body to the node at {@code url}. */
    static byte[] request(String method, String url, String path, String body, String... headers) {
        String hostPort = url.replaceFirst("^http://", "").replaceFirst("/.*$", "");
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        StringBuilder extra = new StringBuilder();
        for (int i = 0; i + 1 < headers.length; i += 2) {
            extra.append(headers[i]).append(": ").append(headers[i + 1]).append("\r\n");
        }
        String head = method + " " + path + " HTTP/1.1\r\nHost: " + hostPort + "\r\nContent-Type: application/json\r\n"
                + extra + "Accept: application/json\r\nContent-Length: " + b.length + "\r\n\r\n";
        byte[] h = head.getBytes(StandardCharsets.US_ASCII);
        byte[] all = Arrays.copyOf(h, h.length + b.length);
        System.arraycopy(b, 0, all, h.length, b.length);
        return all;
    }

    int exchange(byte[] request, ByteArrayOutputStream body) throws IOException {
        if (socket == null) {
            socket = new Socket();
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(120_000);
            socket.connect(new InetSocketAddress(host, port), 10_000);
            in = socket.getInputStream();
            out = socket.getOutputStream();
            pos = lim = 0;
        }
        out.write(request);
        out.flush();
        String status = line();
        if (status == null) {
            throw new IOException("connection closed");
        }
        int code = Integer.parseInt(status.split(" ")[1]);
        long length = -1;
        boolean chunked = false;
        boolean close = false;
        String h;
        while ((h = line()) != null && !h.isEmpty()) {
            int colon = h.indexOf(':');
            String name = h.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String value = h.substring(colon + 1).trim();
            switch (name) {
                case "content-length" -> length = Long.parseLong(value);
                case "transfer-encoding" -> chunked = value.toLowerCase(Locale.ROOT).contains("chunked");
                case "connection" -> close = value.equalsIgnoreCase("close");
                default -> { }
            }
        }
        if (chunked) {
            long size;
            while ((size = Long.parseLong(line().split(";")[0].trim(), 16)) > 0) {
                skip(size, body);
                line();
            }
            while ((h = line()) != null && !h.isEmpty()) {
                // trailers
            }
        } else if (length > 0) {
            skip(length, body);
        }
        if (close) {
            close();
        }
        return code;
    }

    private boolean fill() throws IOException {
        if (pos < lim) {
            return true;
        }
        int n = in.read(buf, 0, buf.length);
        if (n <= 0) {
            return false;
        }
        pos = 0;
        lim = n;
        return true;
    }

    private String line() throws IOException {
        StringBuilder sb = new StringBuilder(64);
        while (true) {
            if (!fill()) {
                return sb.length() == 0 ? null : sb.toString();
            }
            byte b = buf[pos++];
            if (b == '\n') {
                int l = sb.length();
                return l > 0 && sb.charAt(l - 1) == '\r' ? sb.substring(0, l - 1) : sb.toString();
            }
            sb.append((char) b);
        }
    }

    private void skip(long n, ByteArrayOutputStream body) throws IOException {
        while (n > 0) {
            if (!fill()) {
                throw new IOException("connection closed in body");
            }
            int k = (int) Math.min(n, lim - pos);
            if (body != null) {
                body.write(buf, pos, k);
            }
            pos += k;
            n -= k;
        }
    }

    @Override
    public void close() {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing
            }
        }
        socket = null;
    }
}
