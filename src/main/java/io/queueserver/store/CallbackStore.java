package io.queueserver.store;

import io.queueserver.core.Json;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;

/**
 * The callback outbox table: claim due deliveries, record their results. States: 0 pending, 1 sending, 3 delivered,
 * 99 given up. A claimed delivery's lease covers its own timeout, so a slow receiver is never sent a second copy
 * while the first is still under way.
 */
@ApplicationScoped
public class CallbackStore {
    static final int PENDING = 0;
    static final int SENDING = 1;
    static final int DELIVERED = 3;
    static final int GIVEN_UP = 99;
    /** Added to a delivery's timeout for its lease. */
    static final long LEASE_MARGIN_SECONDS = 60;

    @Inject
    Transactions transactions;

    /** Claims due deliveries; {@code defaultTimeoutSeconds} applies to commands without a timeout. */
    public List<Delivery> claim(int max, String owner, long defaultTimeoutSeconds) throws SQLException {
        return transactions.run(tx -> {
            Connection c = tx.connection();
            List<Delivery> claimed = new ArrayList<>();
            try (PreparedStatement select = c.prepareStatement("SELECT id, job_id, kind, webhook_id, command, body,"
                    + " attempts FROM queue_callback WHERE state = " + PENDING + " AND next_at <= LOCALTIMESTAMP(6)"
                    + " ORDER BY next_at LIMIT ? FOR UPDATE SKIP LOCKED")) {
                select.setInt(1, max);
                try (ResultSet rs = select.executeQuery()) {
                    while (rs.next()) {
                        claimed.add(new Delivery(rs.getLong(1), rs.getLong(2), rs.getString(3), rs.getString(4),
                                Json.parse(rs.getString(5)), rs.getString(6), Json.parse(rs.getString(6)),
                                rs.getInt(7) + 1));
                    }
                }
            }
            try (PreparedStatement update = c.prepareStatement("UPDATE queue_callback SET state = " + SENDING
                    + ", owner = ?, attempts = attempts + 1,"
                    + " lease_until = TIMESTAMPADD(SECOND, ?, LOCALTIMESTAMP(6)) WHERE id = ?")) {
                for (Delivery d : claimed) {
                    update.setString(1, owner);
                    update.setLong(2, timeoutSeconds(d.command(), defaultTimeoutSeconds) + LEASE_MARGIN_SECONDS);
                    update.setLong(3, d.id());
                    update.addBatch();
                }
                if (!claimed.isEmpty()) {
                    update.executeBatch();
                }
            }
            return claimed;
        });
    }

    public static long timeoutSeconds(JsonObject command, long defaultSeconds) {
        return command.get("timeout") instanceof JsonNumber n ? n.longValue() : defaultSeconds;
    }

    /** {@code retryInMicros} < 0: give up. Fenced by owner and attempt: a rescued delivery's late result changes nothing. */
    public void record(Delivery d, String owner, boolean delivered, Integer returnCode, String error,
                       long retryInMicros) throws SQLException {
        int state = delivered ? DELIVERED : retryInMicros < 0 ? GIVEN_UP : PENDING;
        transactions.run(tx -> {
            try (PreparedStatement update = tx.connection().prepareStatement("UPDATE queue_callback SET state = ?,"
                    + " return_code = ?, error = ?, owner = NULL, lease_until = NULL,"
                    + " next_at = TIMESTAMPADD(MICROSECOND, ?, LOCALTIMESTAMP(6)),"
                    + " time_delivered = CASE WHEN ? = 1 THEN LOCALTIMESTAMP(6) ELSE NULL END"
                    + " WHERE id = ? AND owner = ? AND attempts = ? AND state = " + SENDING)) {
                update.setInt(1, state);
                if (returnCode == null) {
                    update.setNull(2, Types.INTEGER);
                } else {
                    update.setInt(2, returnCode);
                }
                update.setString(3, Texts.error(error));
                update.setLong(4, Math.max(0, retryInMicros));
                update.setInt(5, delivered ? 1 : 0);
                update.setLong(6, d.id());
                update.setString(7, owner);
                update.setInt(8, d.attempt());
                return update.executeUpdate();
            }
        });
    }

    /** Deliveries whose sender died go back to pending. */
    public int rescueExpired() throws SQLException {
        return transactions.run(tx -> {
            try (PreparedStatement update = tx.connection().prepareStatement("UPDATE queue_callback SET state = "
                    + PENDING + ", owner = NULL, lease_until = NULL WHERE state = " + SENDING
                    + " AND lease_until < LOCALTIMESTAMP(6)")) {
                return update.executeUpdate();
            }
        });
    }
}
