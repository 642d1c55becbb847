package io.queueserver.engine;

import io.queueserver.core.DatabaseBackoff;
import io.queueserver.core.InvalidField;
import io.queueserver.core.Json;
import io.queueserver.store.Redrives;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BinaryOperator;
import java.util.logging.Logger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The redrive loop: one batch per running redrive a round; with none running it asks the database seldom. */
class RedriverTest {
    private int reads;
    private final List<Long> running = new ArrayList<>();
    private final List<Long> stepped = new ArrayList<>();
    private final List<Long> finished = new ArrayList<>();
    private int wakes;

    private final Redrives store = new Redrives() {
        @Override
        public List<Long> running() {
            reads++;
            return List.copyOf(running);
        }

        @Override
        public Batch step(long id, BinaryOperator<JsonObject> rewrite) {
            stepped.add(id);
            return new Batch(id == 1 ? 10 : 0, id == 2);
        }
    };

    private final Redriver redriver = new Redriver(store, () -> wakes++, finished::add,
            new DatabaseBackoff(Logger.getAnonymousLogger(), "test"));

    @Test
    void eachRunningRedriveGetsABatchARoundAndTheClaimsAreWokenWhenJobsMoved() {
        running.addAll(List.of(1L, 2L));
        redriver.round();
        assertEquals(List.of(1L, 2L), stepped);
        assertEquals(List.of(2L), finished);
        assertEquals(1, wakes);
    }

    @Test
    void withNoneRunningOnlyEveryTenthRoundReadsTheTable() {
        for (int i = 0; i < 30; i++) {
            redriver.round();
        }
        assertEquals(3, reads);
        redriver.round();
        running.add(3L);
        int rounds = 0;
        while (stepped.isEmpty()) {
            redriver.round();
            rounds++;
        }
        assertEquals(10, rounds, "found at the next read: within ten rounds, a second");
        redriver.round();
        assertEquals(2, stepped.size(), "then every round");
        assertEquals(0, wakes, "nothing moved, nothing to wake");
    }

    @Test
    void anOverrideThatMakesAnInvalidCommandIsRefused() {
        JsonObject get = Json.parse("{\"command\":{\"type\":\"http\",\"url\":\"http://a.example/\"}}");
        assertEquals("http://b.example/", Redriver.rewrite(Json.parse("{\"url\":\"http://b.example/\"}"), get)
                .getJsonObject("command").getString("url"));
        assertThrows(InvalidField.class, () -> Redriver.rewrite(Json.parse("{\"body\":\"x\"}"), get),
                "a body on a GET");
    }
}
