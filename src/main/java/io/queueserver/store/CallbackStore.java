package io.queueserver.store;


import jakarta.annotation.Resource;
import jakarta.ejb.Stateless;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/** The callback outbox table: claim due deliveries, record their results. States: 0 pending, 1 sending, 3 delivered, 99 given up. */
@Stateless
public class CallbackStore {
    static final int PENDING = 0;
    static final int SENDING = 1;
    static final int DELIVERED = 3;
    static final int GIVEN_UP = 99;

    @Resource(lookup = "jdbc/queue")
    DataSource dataSource;

    @TransactionAttribute(TransactionAttributeType.REQUIRES_NEW)
    public List<Delivery> claim(int max, String owner, long leaseMicros) throws SQLException {
        List<Delivery> claimed = new ArrayList<>();
        try (Connection c = dataSource.getConnection()) {
            try (PreparedStatement select = c.prepareStatement("SELECT id, job_id, kind, webhook_id, command, body,"
                    + " attempts FROM queue_callback WHERE state = " + PENDING + " AND next_at <= LOCALTIMESTAMP(6)"
                    + " ORDER BY next_at LIMIT ? FOR UPDATE SKIP LOCKED")) {
                select.setInt(1, max);
                try (ResultSet rs = select.executeQuery()) {
                    while (rs.next()) {
                        claimed.add(new Delivery(rs.getLong(1), rs.getLong(2), rs.getString(3), rs.getString(4),
                                rs.getString(5), rs.getString(6), rs.getInt(7) + 1));
                    }
                }
            }
            if (!claimed.isEmpty()) {
                String ids = claimed.stream().map(d -> Long.toString(d.id())).collect(Collectors.joining(","));
                try (PreparedStatement update = c.prepareStatement("UPDATE queue_callback SET state = " + SENDING
                        + ", owner = ?, attempts = attempts + 1,"
                        + " lease_until = TIMESTAMPADD(MICROSECOND, ?, LOCALTIMESTAMP(6)) WHERE id IN (" + ids + ")")) {
                    update.setString(1, owner);
                    update.setLong(2, leaseMicros);
                    update.executeUpdate();
                }
            }
        }
        return claimed;
    }

    /** {@code retryInMicros} < 0: give up. */
    @TransactionAttribute(TransactionAttributeType.REQUIRES_NEW)
    public void record(Delivery d, String owner, boolean delivered, Integer returnCode, String error,
                       long retryInMicros) throws SQLException {
        int state = delivered ? DELIVERED : retryInMicros < 0 ? GIVEN_UP : PENDING;
        try (Connection c = dataSource.getConnection();
             PreparedStatement update = c.prepareStatement("UPDATE queue_callback SET state = ?, return_code = ?,"
                     + " error = ?, owner = NULL, lease_until = NULL,"
                     + " next_at = TIMESTAMPADD(MICROSECOND, ?, LOCALTIMESTAMP(6)),"
                     + " time_delivered = CASE WHEN ? = 1 THEN LOCALTIMESTAMP(6) ELSE NULL END"
                     + " WHERE id = ? AND owner = ? AND state = " + SENDING)) {
            update.setInt(1, state);
            if (returnCode == null) {
                update.setNull(2, Types.INTEGER);
            } else {
                update.setInt(2, returnCode);
            }
            update.setString(3, error == null || error.length() <= 2000 ? error : error.substring(0, 2000));
            update.setLong(4, Math.max(0, retryInMicros));
            update.setInt(5, delivered ? 1 : 0);
            update.setLong(6, d.id());
            update.setString(7, owner);
            update.executeUpdate();
        }
    }

    /** Deliveries whose sender died go back to pending. */
    @TransactionAttribute(TransactionAttributeType.REQUIRES_NEW)
    public int rescueExpired() throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement update = c.prepareStatement("UPDATE queue_callback SET state = " + PENDING
                     + ", owner = NULL, lease_until = NULL WHERE state = " + SENDING
                     + " AND lease_until < LOCALTIMESTAMP(6)")) {
            return update.executeUpdate();
        }
    }
}
