package io.queueserver.core;

import jakarta.json.JsonArray;
import jakarta.json.JsonNumber;
import jakarta.json.JsonValue;

import java.util.Set;
import java.util.TreeSet;

/**
 * The status codes an http job's answer is judged by beyond the defaults (README "The HTTP contract"):
 * {@code retry_on} are retried, {@code fail_on} fail at once. A job's command and a key's retry policy name them.
 */
public record StatusLists(Set<Integer> retryOn, Set<Integer> failOn) {
    static final int MAX_CODES = 100;

    /** Both lists of the object {@code f}, each refusal naming its field. */
    public static StatusLists parse(JsonFields f) {
        StatusLists lists = new StatusLists(codes(f, "retry_on"), codes(f, "fail_on"));
        for (int code : lists.retryOn()) {
            if (lists.failOn().contains(code)) {
                throw new InvalidField(f.field("fail_on"), "names " + code + ", which retry_on names too");
            }
        }
        return lists;
    }

    private static Set<Integer> codes(JsonFields f, String name) {
        Set<Integer> codes = new TreeSet<>();
        if (!f.has(name)) {
            return codes;
        }
        if (!(f.object().get(name) instanceof JsonArray array) || array.size() > MAX_CODES) {
            throw new InvalidField(f.field(name), "must be an array of at most " + MAX_CODES + " status codes");
        }
        for (JsonValue v : array) {
            if (!(v instanceof JsonNumber n) || !n.isIntegral() || n.intValue() < 100 || n.intValue() > 599) {
                throw new InvalidField(f.field(name), "must contain status codes between 100 and 599");
            }
            codes.add(n.intValue());
        }
        return codes;
    }
}
