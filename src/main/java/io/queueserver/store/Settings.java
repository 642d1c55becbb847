package io.queueserver.store;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.UUID;

/** Values an installation keeps in its database, such as the id that scopes its data-grid messages. */
@ApplicationScoped
public class Settings {
    static final String INSTALLATION = "installation_id";

    @Inject
    Transactions transactions;

    /** Generated once per database, the first time any node asks; every node of the installation reads the same. */
    public String installationId() throws SQLException {
        return transactions.run(tx -> {
            try (PreparedStatement insert = tx.connection().prepareStatement("INSERT INTO queue_setting (setting_name, setting_value)"
                    + " SELECT ?, ? FROM queue_sequence WHERE name = 'job' AND NOT EXISTS"
                    + " (SELECT 1 FROM queue_setting WHERE setting_name = ?)")) {
                insert.setString(1, INSTALLATION);
                insert.setString(2, UUID.randomUUID().toString());
                insert.setString(3, INSTALLATION);
                insert.executeUpdate();
            } catch (SQLException raced) {
                // another node inserted it at the same moment: read theirs
            }
            try (PreparedStatement select = tx.connection().prepareStatement(
                    "SELECT setting_value FROM queue_setting WHERE setting_name = ?")) {
                select.setString(1, INSTALLATION);
                try (ResultSet rs = select.executeQuery()) {
                    if (!rs.next()) {
                        throw new SQLException("no installation id stored");
                    }
                    return rs.getString(1);
                }
            }
        });
    }
}
