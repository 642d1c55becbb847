package io.queueserver.security;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Reads a URL host that is an IP address in any spelling a resolver accepts, without DNS: dotted quads, the
 * inet_aton forms with fewer parts ({@code 127.1}, {@code 169.254.43518}, {@code 2852039166}), octal and hex parts
 * ({@code 0251.0376.0251.0376}, {@code 0xa9fea9fe}), and bracketed IPv6 (zone ids dropped). Parsers disagree on
 * all IPv4 spellings but the plain dotted quad ({@code 010.0.0.1} is 8.0.0.1 here and 10.0.0.1 elsewhere), so
 * callers refuse the others: {@link #isPlainSpelling}.
 */
public final class NumericHost {
    private static final Pattern IPV6_CHARS = Pattern.compile("[0-9a-f:.]+");
    private static final Pattern IPV4_CHARS = Pattern.compile("[0-9a-fx.]+");
    private NumericHost() {
    }

    public static Optional<InetAddress> parse(String host) {
        byte[] quad = plainQuad(host);
        if (quad != null) { // read for every job at submit and at its start: the usual spelling, without regexes
            try {
                return Optional.of(InetAddress.getByAddress(quad));
            } catch (UnknownHostException e) {
                return Optional.empty();
            }
        }
        String h = host.toLowerCase(Locale.ROOT);
        while (h.endsWith(".")) {
            h = h.substring(0, h.length() - 1);
        }
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        if (h.contains(":")) {
            return ipv6(h);
        }
        return ipv4(h);
    }

    /**
     * Whether a host that {@link #parse} reads as an IPv4 address is written as four decimal parts without leading
     * zeros or a trailing dot, the one spelling every parser reads alike. IPv6 literals and names are plain.
     */
    public static boolean isPlainSpelling(String host) {
        if (plainQuad(host) != null || host.contains(":") || !looksNumeric(host)) {
            return true;
        }
        Optional<InetAddress> address = parse(host);
        return address.isPresent() && address.get().getHostAddress().equals(host);
    }

    /** The four bytes of a host written as four decimal parts of 0–255 without leading zeros, or null. */
    private static byte[] plainQuad(String host) {
        byte[] bytes = new byte[4];
        int parts = 0;
        int value = 0;
        int digits = 0;
        for (int i = 0; i <= host.length(); i++) {
            char c = i < host.length() ? host.charAt(i) : '.';
            if (c >= '0' && c <= '9') {
                if (digits == 1 && value == 0) {
                    return null; // a leading zero
                }
                value = value * 10 + (c - '0');
                if (++digits > 3 || value > 255) {
                    return null;
                }
            } else if (c == '.' && digits > 0 && parts < 4) {
                bytes[parts++] = (byte) value;
                value = 0;
                digits = 0;
            } else {
                return null;
            }
        }
        return parts == 4 ? bytes : null;
    }

    /** Digits, hex and dots ending in a label that starts with a digit: no DNS name, but what a resolver may read. */
    private static boolean looksNumeric(String host) {
        String h = host.toLowerCase(Locale.ROOT).replaceAll("\\.+$", "");
        String last = h.substring(h.lastIndexOf('.') + 1);
        return IPV4_CHARS.matcher(h).matches() && !last.isEmpty() && Character.isDigit(last.charAt(0));
    }

    private static Optional<InetAddress> ipv6(String h) {
        int zone = h.indexOf('%');
        String address = zone >= 0 ? h.substring(0, zone) : h;
        if (!IPV6_CHARS.matcher(address).matches()) {
            return Optional.empty();
        }
        try {
            return Optional.of(InetAddress.getByName("[" + address + "]"));
        } catch (UnknownHostException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static Optional<InetAddress> ipv4(String h) {
        if (h.isEmpty() || !IPV4_CHARS.matcher(h).matches()) {
            return Optional.empty();
        }
        String[] parts = h.split("\\.", -1);
        if (parts.length > 4) {
            return Optional.empty();
        }
        long[] values = new long[parts.length];
        for (int i = 0; i < parts.length; i++) {
            Long value = part(parts[i]);
            if (value == null) {
                return Optional.empty();
            }
            values[i] = value;
        }
        long address = 0;
        for (int i = 0; i < values.length - 1; i++) {
            if (values[i] > 0xff) {
                return Optional.empty();
            }
            address |= values[i] << (24 - 8 * i);
        }
        long last = values[values.length - 1];
        int lastBits = 32 - 8 * (values.length - 1);
        if (last >= (1L << lastBits)) {
            return Optional.empty();
        }
        address |= last;
        byte[] bytes = {(byte) (address >>> 24), (byte) (address >>> 16), (byte) (address >>> 8), (byte) address};
        try {
            return Optional.of(InetAddress.getByAddress(bytes));
        } catch (UnknownHostException e) {
            return Optional.empty();
        }
    }

    private static Long part(String p) {
        int radix = 10;
        String digits = p;
        if (p.startsWith("0x")) {
            radix = 16;
            digits = p.substring(2);
        } else if (p.length() > 1 && p.startsWith("0")) {
            radix = 8;
        }
        if (p.isEmpty()) {
            return null;
        }
        int zeros = 0;
        while (zeros < digits.length() && digits.charAt(zeros) == '0') {
            zeros++;
        }
        digits = digits.substring(zeros);
        if (digits.isEmpty()) {
            return 0L;
        }
        if (digits.length() > 11) {
            return null;
        }
        try {
            return Long.valueOf(digits, radix);
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
