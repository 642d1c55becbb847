package io.queueserver.store;

import jakarta.annotation.Resource;
import jakarta.enterprise.context.ApplicationScoped;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * Job ids, taken from {@code queue_sequence} a block at a time in a short transaction of their own, so that every
 * group of new jobs has its ids before its INSERT (JPA can then batch it) and no submit waits on another node's
 * block. Ids are unique, not ordered in time across nodes: the claim orders by due time.
 */
@ApplicationScoped
public class IdBlocks {
    static final int BLOCK = 1000;

    @Resource(lookup = "jdbc/queue")
    DataSource dataSource;

    private long next;
    private long end;

    /** {@code count} consecutive free ids; the first is returned. */
    public synchronized long take(int count) throws SQLException {
        if (end - next < count) {
            long size = Math.max(BLOCK, count);
            next = reserve(dataSource, size);
            end = next + size;
        }
        long first = next;
        next += count;
        return first;
    }

    static long reserve(DataSource dataSource, long size) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement select = c.prepareStatement(
                    "SELECT next_value FROM queue_sequence WHERE name = 'job' FOR UPDATE");
                 PreparedStatement update = c.prepareStatement(
                         "UPDATE queue_sequence SET next_value = ? WHERE name = 'job'")) {
                long first;
                try (ResultSet rs = select.executeQuery()) {
                    if (!rs.next()) {
                        throw new SQLException("queue_sequence has no row 'job'");
                    }
                    first = rs.getLong(1);
                }
                update.setLong(1, first + size);
                update.executeUpdate();
                c.commit();
                return first;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        }
    }
}
