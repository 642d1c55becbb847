package io.queueserver.security;

import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * The header every request of an http job or callback carries, so that this server's API (and any other node's)
 * refuses it even when it arrives through a proxy under another address. Jobs cannot set or remove it. The value
 * is a random per-process secret: a request that carries the header with any value is refused, the value only
 * tells an operator reading a proxy's log which process sent it.
 */
public final class OutgoingMark {
    public static final String HEADER = "Queue-Server-Job";
    public static final String VALUE = HexFormat.of().formatHex(new SecureRandom().generateSeed(16));

    private OutgoingMark() {
    }
}
