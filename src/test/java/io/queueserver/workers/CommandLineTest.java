package io.queueserver.workers;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class CommandLineTest {
    @Test
    void splitsLikeShWithoutExpanding() throws Exception {
        assertEquals(List.of("/home/michael/scripts/somescript.sh"), CommandLine.split("/home/michael/scripts/somescript.sh"));
        assertEquals(List.of("/x", "a b", "c d", "e", "f\"g", "h\\i", "a=b", "x#y", "~"),
                CommandLine.split("  /x 'a b' \"c d\"\te f\\\"g \"h\\\\i\" a=b x#y \\~ "));
        assertEquals(List.of("/x", ""), CommandLine.split("/x ''"));
        assertEquals("/usr/bin/a", CommandLine.firstWord(" /usr/bin/a;rm -rf /"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"/x; id", "/x | id", "/x && id", "/x > /etc/passwd", "/x < /etc/shadow", "/x $(id)",
            "/x `id`", "/x \"$(id)\"", "/x \"`id`\"", "/x $HOME", "/x *", "/x ?", "/x [ab]", "/x\nid", "/x\rid",
            "/x (id)", "/x ~/a", "/x #comment", "/x 'unterminated", "/x \"unterminated", "/x \\", "", "   ",
            "/x &"})
    void refusesShellSyntax(String cmd) {
        assertThrows(CommandLine.Unsplittable.class, () -> CommandLine.split(cmd), cmd);
    }
}
