package dev.kindling.launcher;

import dev.kindling.launcher.ScriptSplitter.Statement;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ScriptSplitterTest {
    @Test
    void splitsOnNewlinesAndSemicolonsAndSkipsComments() {
        String script = "#!/usr/bin/env kindling\n"
                + "# a comment with a quote: don't\n"
                + "kindling:backends\n"
                + "\n"
                + "  kindling:prefer cpu cpu-java ; kindling:info // trailing comment\n"
                + "/* block\n comment */ kindling:eval 'ones(2;3)\n'\n";
        assertEquals(List.of(
                new Statement("kindling:backends", 3),
                new Statement("kindling:prefer cpu cpu-java", 5),
                new Statement("kindling:info", 5),
                new Statement("kindling:eval 'ones(2;3)\n'", 7)), ScriptSplitter.split(script));
    }

    @Test
    void keepsBracketsAndClosuresTogether() {
        String script = "each [1 2] {\n  echo $it\n}\nx = (kindling:eval \"[1, 2]\"\n)\n"
                + "long \\\n continued\n";
        assertEquals(List.of(
                new Statement("each [1 2] {\n  echo $it\n}", 1),
                new Statement("x = (kindling:eval \"[1, 2]\"\n)", 4),
                new Statement("long   continued", 6)), ScriptSplitter.split(script));
    }

    @Test
    void hashInsideAWordIsNotAComment() {
        assertEquals(List.of(new Statement("echo a#b", 1)), ScriptSplitter.split("echo a#b"));
    }

    @Test
    void reportsUnterminatedQuotesAndBrackets() {
        assertThrows(IllegalArgumentException.class, () -> ScriptSplitter.split("echo 'abc\n"));
        assertThrows(IllegalArgumentException.class, () -> ScriptSplitter.split("each [1 2] {\n"));
    }
}
