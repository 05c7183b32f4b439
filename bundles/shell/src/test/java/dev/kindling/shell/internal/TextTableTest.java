package dev.kindling.shell.internal;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class TextTableTest {
    @Test
    void alignsColumnsAndDropsTrailingBlanks() {
        String s = new TextTable("A", "LONGER", "C").row("xyz", 1, null).row("", "two", "last").toString();
        assertEquals("A    LONGER  C\n"
                + "---  ------  ----\n"
                + "xyz  1\n"
                + "     two     last\n", s);
    }

    @Test
    void rejectsWrongCellCount() {
        assertThrows(IllegalArgumentException.class, () -> new TextTable("A", "B").row("only one"));
    }
}
