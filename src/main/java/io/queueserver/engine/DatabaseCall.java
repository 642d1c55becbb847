package io.queueserver.engine;

import java.sql.SQLException;

/** One call of the engine into the store; the engine's parts take these so that tests can stand in for the store. */
@FunctionalInterface
public interface DatabaseCall<T, R> {
    R apply(T input) throws SQLException;
}
