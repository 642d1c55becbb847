package io.queueserver.store;

import java.sql.Connection;
import java.sql.SQLException;

/** The store's transactions on one JDBC connection (H2 in tests): each work committed with its state counts. */
final class OneConnection extends Transactions {
    private final Connection connection;

    OneConnection(Connection connection) {
        this.connection = connection;
    }

    @Override
    public <T> T run(Work<T> work) throws SQLException {
        StateCounts counts = new StateCounts();
        try {
            T result = work.apply(new Tx(null, connection, counts));
            counts.write(connection);
            connection.commit();
            return result;
        } catch (SQLException | RuntimeException e) {
            connection.rollback();
            throw e;
        }
    }
}
