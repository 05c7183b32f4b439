package dev.kindling.launcher;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MainConfigTest {
    @Test
    void readsConfigReplacesHomeAndPassesOnlyFrameworkKeys(@TempDir Path home) throws Exception {
        Files.createDirectories(home.resolve("conf"));
        Files.writeString(home.resolve("conf/config.properties"),
                "felix.log.level=1\nkindling.startlevel.default=2\ngosh.home=${kindling.home}/x\n");
        Map<String, String> config = Main.loadConfig(home);
        assertEquals("2", config.get("kindling.startlevel.default"));
        assertEquals(home + "/x", config.get("gosh.home"));
        Map<String, String> fw = Main.frameworkProperties(config);
        assertEquals("1", fw.get("felix.log.level"));
        assertFalse(fw.containsKey("kindling.startlevel.default"));
    }

    @Test
    void shippedConfigStartsTheConsoleLast() throws Exception {
        Map<String, String> config = Main.loadConfig(Path.of("src/main/dist"));
        assertEquals("3", config.get("org.osgi.framework.startlevel.beginning"));
        assertEquals("3", config.get("kindling.startlevel.org.apache.felix.gogo.jline"));
        assertEquals("1", config.get("kindling.startlevel.org.apache.felix.scr"));
        assertTrue(config.get("kindling.interactive.bundles").contains("org.apache.felix.gogo.jline"));
    }

    @Test
    void deleteTreeRemovesEverything(@TempDir Path dir) throws Exception {
        Path sub = Files.createDirectories(dir.resolve("a/b"));
        Files.writeString(sub.resolve("f"), "x");
        Main.deleteTree(dir.resolve("a"));
        assertFalse(Files.exists(dir.resolve("a")));
    }
}
