package io.queueserver.store;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.sql.PreparedStatement;
import java.sql.SQLException;

/**
 * One heartbeat row per running node, on the database clock. Rescue reads it to tell a dead node (its row went
 * stale while others could write theirs) from a database that was away for everyone (every row stale at once).
 */
@ApplicationScoped
public class NodeRegistry {
    @Inject
    Transactions transactions;

    /** Writes this node's heartbeat, creating its row at the first beat. */
    public void beat(String node) throws SQLException {
        transactions.run(tx -> {
            try (PreparedStatement update = tx.connection().prepareStatement(
                    "UPDATE queue_node SET heartbeat_at = LOCALTIMESTAMP(6) WHERE id = ?")) {
                update.setString(1, node);
                if (update.executeUpdate() == 1) {
                    return null;
                }
            }
            try (PreparedStatement insert = tx.connection().prepareStatement("INSERT INTO queue_node (id, started_at,"
                    + " heartbeat_at) VALUES (?, LOCALTIMESTAMP(6), LOCALTIMESTAMP(6))")) {
                insert.setString(1, node);
                insert.executeUpdate();
            }
            return null;
        });
    }

    /** A node that stops cleanly leaves; rows of nodes gone for a day are removed by any node. */
    public void leave(String node) throws SQLException {
        transactions.run(tx -> {
            try (PreparedStatement delete = tx.connection().prepareStatement("DELETE FROM queue_node WHERE id = ?"
                    + " OR heartbeat_at < TIMESTAMPADD(DAY, -1, LOCALTIMESTAMP(6))")) {
                delete.setString(1, node);
                return delete.executeUpdate();
            }
        });
    }
}
