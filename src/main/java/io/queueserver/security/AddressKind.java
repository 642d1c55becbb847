package io.queueserver.security;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * What an address is as an HTTP target. Link-local, cloud-metadata, unspecified and multicast addresses are
 * never called; loopback, private and other special-purpose ranges are "internal" (allowed unless
 * {@code QUEUE_HTTP_DENY_PRIVATE=true}); everything else is public. IPv6 forms that carry an IPv4 address
 * (mapped, compatible, NAT64, 6to4) are judged by that IPv4 address.
 */
public record AddressKind(Kind kind, String description) {
    public enum Kind { PUBLIC, INTERNAL, FORBIDDEN }

    public static AddressKind of(InetAddress address) {
        byte[] b = address.getAddress();
        if (address instanceof Inet4Address) {
            return ipv4(b);
        }
        byte[] embedded = embeddedIpv4(b);
        if (embedded != null) {
            AddressKind inner = ipv4(embedded);
            return inner.kind == Kind.PUBLIC ? new AddressKind(Kind.INTERNAL, "IPv6 transition address") : inner;
        }
        return ipv6(b);
    }

    private static AddressKind ipv4(byte[] b) {
        int a0 = b[0] & 0xff;
        int a1 = b[1] & 0xff;
        int a2 = b[2] & 0xff;
        int a3 = b[3] & 0xff;
        if (a0 == 169 && a1 == 254) {
            return forbidden("link-local / cloud metadata");
        }
        if (a0 == 0) {
            return forbidden("unspecified (this host)");
        }
        if (a0 >= 224 && a0 <= 239) {
            return forbidden("multicast");
        }
        if (a0 == 255 && a1 == 255 && a2 == 255 && a3 == 255) {
            return forbidden("broadcast");
        }
        if (a0 == 100 && a1 == 100 && a2 == 100 && a3 == 200 || a0 == 168 && a1 == 63 && a2 == 129 && a3 == 16) {
            return forbidden("cloud metadata");
        }
        if (a0 == 127) {
            return internal("loopback");
        }
        if (a0 == 10 || a0 == 172 && (a1 & 0xf0) == 16 || a0 == 192 && a1 == 168) {
            return internal("private");
        }
        if (a0 == 100 && (a1 & 0xc0) == 64) {
            return internal("shared address space (carrier-grade NAT)");
        }
        if (a0 == 192 && a1 == 0 && (a2 == 0 || a2 == 2) || a0 == 198 && (a1 & 0xfe) == 18
                || a0 == 198 && a1 == 51 && a2 == 100 || a0 == 203 && a1 == 0 && a2 == 113 || a0 >= 240) {
            return internal("special-purpose");
        }
        return new AddressKind(Kind.PUBLIC, "public");
    }

    private static AddressKind ipv6(byte[] b) {
        if (isZero(b, 0, 16)) {
            return forbidden("unspecified (this host)");
        }
        if ((b[0] & 0xff) == 0xfe && (b[1] & 0xc0) == 0x80) {
            return forbidden("link-local");
        }
        if ((b[0] & 0xff) == 0xff) {
            return forbidden("multicast");
        }
        if (matches(b, "fd00:ec2::254")) {
            return forbidden("cloud metadata");
        }
        if (isZero(b, 0, 15) && b[15] == 1) {
            return internal("loopback");
        }
        if ((b[0] & 0xfe) == 0xfc) {
            return internal("unique local (private)");
        }
        if ((b[0] & 0xff) == 0xfe && (b[1] & 0xc0) == 0xc0) {
            return internal("site-local");
        }
        if ((b[0] & 0xff) == 0x20 && b[1] == 0x01 && (b[2] & 0xff) == 0x0d && (b[3] & 0xff) == 0xb8
                || (b[0] & 0xff) == 0x20 && b[1] == 0x01 && b[2] == 0 && b[3] == 0
                || b[0] == 1 && isZero(b, 1, 8)) {
            return internal("special-purpose");
        }
        return new AddressKind(Kind.PUBLIC, "public");
    }

    /** IPv4-mapped and -compatible ::/96, NAT64 64:ff9b::/96 and 64:ff9b:1::/48, 6to4 2002::/16. */
    private static byte[] embeddedIpv4(byte[] b) {
        boolean mapped = isZero(b, 0, 10) && (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff;
        boolean compatible = isZero(b, 0, 12) && !isZero(b, 12, 15);
        boolean nat64 = b[0] == 0 && b[1] == 0x64 && (b[2] & 0xff) == 0xff && (b[3] & 0xff) == 0x9b
                && (isZero(b, 4, 12) || b[4] == 0 && b[5] == 1);
        if (mapped || compatible || nat64) {
            return new byte[] {b[12], b[13], b[14], b[15]};
        }
        if (b[0] == 0x20 && b[1] == 0x02) {
            return new byte[] {b[2], b[3], b[4], b[5]};
        }
        return null;
    }

    private static boolean isZero(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return true;
    }

    private static boolean matches(byte[] b, String literal) {
        try {
            return java.util.Arrays.equals(b, InetAddress.getByName(literal).getAddress());
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    private static AddressKind forbidden(String why) {
        return new AddressKind(Kind.FORBIDDEN, why);
    }

    private static AddressKind internal(String why) {
        return new AddressKind(Kind.INTERNAL, why);
    }
}
