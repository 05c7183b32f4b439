package dev.kindling.launcher;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LaunchOptionsTest {
    @Test
    void noArgumentsIsInteractive() {
        assertTrue(LaunchOptions.parse().interactive());
    }

    @Test
    void commandsAreKeptVerbatimOrJoined() {
        LaunchOptions o = LaunchOptions.parse("-c", "kindling:backends", "-c", "kindling:prefer", "cpu", "cpu-java",
                "--command", "kindling:calc", "ones(2, 3).sum()");
        assertEquals(LaunchOptions.Mode.COMMANDS, o.mode());
        assertEquals(List.of("kindling:backends", "kindling:prefer cpu cpu-java", "kindling:calc 'ones(2, 3).sum()'"),
                o.commands());
    }

    @Test
    void joinQuotesWordsWithSpecialCharacters() {
        assertEquals("echo 'a b' \"it's \\$x\" ''", LaunchOptions.join(List.of("echo", "a b", "it's $x", "")));
    }

    @Test
    void scriptWithArguments() {
        LaunchOptions o = LaunchOptions.parse("run.gosh", "-c", "x");
        assertEquals(LaunchOptions.Mode.SCRIPT, o.mode());
        assertEquals("run.gosh", o.script());
        assertEquals(List.of("-c", "x"), o.scriptArgs());
        assertEquals("-", LaunchOptions.parse("-").script());
    }

    @Test
    void errorsAndHelp() {
        assertEquals(LaunchOptions.Mode.HELP, LaunchOptions.parse("--help").mode());
        assertThrows(IllegalArgumentException.class, () -> LaunchOptions.parse("-c"));
        assertThrows(IllegalArgumentException.class, () -> LaunchOptions.parse("--bogus"));
    }
}
