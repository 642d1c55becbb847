package io.queueserver.store;

import io.queueserver.core.TimeText;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;

/**
 * The circuit breakers of target hosts in {@code queue_breaker}, shared by every node; times on the database clock.
 * A node opens a host's breaker, takes its one probe when the cool-down is over, and closes it or opens it again.
 */
@ApplicationScoped
public class Breakers {
    public static final String OPEN = "open";
    public static final String HALF_OPEN = "half_open";
    public static final String CLOSED = "closed";
    static final int LISTED = 1000;
    private static final String COLUMNS = "SELECT host, state, TIMESTAMPDIFF(MICROSECOND, LOCALTIMESTAMP(6), open_until),"
            + " probe_owner, TIMESTAMPDIFF(MICROSECOND, LOCALTIMESTAMP(6), probe_until), reason, opened, open_until,"
            + " updated_at FROM queue_breaker";

    @Inject
    Transactions transactions;

    /**
     * A host's breaker: {@code openForMillis} until its cool-down ends (negative: it has ended), {@code probeForMillis}
     * until a probe's hold ends, both as of the read; {@code opened} how often it opened.
     */
    public record Row(String host, String state, long openForMillis, String probeOwner, long probeForMillis,
                      String reason, int opened, LocalDateTime openUntil, LocalDateTime updatedAt) {
    }

    /** The breakers that are not closed: what every node reads on its tick. */
    public List<Row> notClosed() throws SQLException {
        return transactions.run(tx -> read(tx.connection(), COLUMNS + " WHERE state <> '" + CLOSED + "'"));
    }

    /** Every host that has a breaker row, the most recently changed first. */
    public List<Row> all() throws SQLException {
        return transactions.run(tx -> read(tx.connection(), COLUMNS + " ORDER BY updated_at DESC LIMIT " + LISTED));
    }

    /** Opens the host's breaker for {@code cooldownMillis} from now (again, when it was open or probed). */
    public void open(String host, long cooldownMillis, String reason) throws SQLException {
        transactions.run(tx -> {
            try (PreparedStatement upsert = tx.connection().prepareStatement("INSERT INTO queue_breaker (host, state,"
                    + " open_until, reason, opened, updated_at) VALUES (?, '" + OPEN + "',"
                    + " TIMESTAMPADD(MICROSECOND, ?, LOCALTIMESTAMP(6)), ?, 1, LOCALTIMESTAMP(6)) ON DUPLICATE KEY UPDATE"
                    + " state = VALUES(state), open_until = VALUES(open_until), reason = VALUES(reason),"
                    + " probe_owner = NULL, probe_until = NULL, opened = opened + 1, updated_at = VALUES(updated_at)")) {
                upsert.setString(1, host);
                upsert.setLong(2, cooldownMillis * 1000);
                upsert.setString(3, Texts.cut(reason, 500));
                upsert.executeUpdate();
            }
            return null;
        });
    }

    /**
     * Takes the host's one probe for {@code owner}, held for {@code holdMillis}: true when this call got it, i.e. the
     * breaker was open past its cool-down, or another node's probe was held past its time (that node died).
     */
    public boolean takeProbe(String host, String owner, long holdMillis) throws SQLException {
        return transactions.run(tx -> {
            try (PreparedStatement update = tx.connection().prepareStatement("UPDATE queue_breaker SET state = '"
                    + HALF_OPEN + "', probe_owner = ?, probe_until = TIMESTAMPADD(MICROSECOND, ?, LOCALTIMESTAMP(6)),"
                    + " updated_at = LOCALTIMESTAMP(6) WHERE host = ? AND (state = '" + OPEN + "' AND open_until <="
                    + " LOCALTIMESTAMP(6) OR state = '" + HALF_OPEN + "' AND probe_until <= LOCALTIMESTAMP(6))")) {
                update.setString(1, owner);
                update.setLong(2, holdMillis * 1000);
                update.setString(3, host);
                return update.executeUpdate() == 1;
            }
        });
    }

    /** The probe went well: the host is closed. */
    public void close(String host, String reason) throws SQLException {
        transactions.run(tx -> {
            try (PreparedStatement update = tx.connection().prepareStatement("UPDATE queue_breaker SET state = '"
                    + CLOSED + "', open_until = NULL, probe_owner = NULL, probe_until = NULL, reason = ?,"
                    + " updated_at = LOCALTIMESTAMP(6) WHERE host = ?")) {
                update.setString(1, Texts.cut(reason, 500));
                update.setString(2, host);
                update.executeUpdate();
            }
            return null;
        });
    }

    private static List<Row> read(Connection c, String sql) throws SQLException {
        List<Row> rows = new ArrayList<>();
        try (PreparedStatement select = c.prepareStatement(sql); ResultSet rs = select.executeQuery()) {
            while (rs.next()) {
                rows.add(new Row(rs.getString(1), rs.getString(2), millis(rs, 3), rs.getString(4), millis(rs, 5),
                        rs.getString(6), rs.getInt(7), TimeText.of(rs.getObject(8)), TimeText.of(rs.getObject(9))));
            }
        }
        return rows;
    }

    private static long millis(ResultSet rs, int column) throws SQLException {
        long micros = rs.getLong(column);
        return rs.wasNull() ? Long.MIN_VALUE : Math.floorDiv(micros, 1000);
    }
}
