package dev.kindling.serving.internal;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ServingConfigTest {
    private final List<String> rejected = new ArrayList<>();
    private final ServingConfig.Rejected report = (key, value, allowed, kept) -> rejected.add(key + "=" + value + " [" + allowed + "] kept " + kept);
    private final ServingConfig framework = ServingConfig.fromFramework(Map.of("kindling.serve.token", "from-framework")::get);

    @Test
    void keysTakeTheirValuesAndAbsentKeysTheFrameworkProperties() {
        ServingConfig c = framework.update(Map.of("repository", "models", "port", "9090", "pollMillis", 250L, "adminToken", "s3cret-admin"), framework, report);
        assertEquals(Path.of("models").toAbsolutePath().normalize(), c.repository());
        assertEquals(9090, c.port());
        assertEquals(250, c.pollMillis());
        assertEquals("from-framework", c.token());
        assertEquals("s3cret-admin", c.adminToken());
        assertTrue(rejected.isEmpty(), rejected.toString());
        assertFalse(c.toString().contains("s3cret") || c.toString().contains("from-framework"), "settings print without their tokens: " + c);

        ServingConfig none = c.update(Map.of(), framework, report);
        assertEquals(framework, none, "a deleted configuration falls back to the framework properties");
    }

    @Test
    void aValueThatIsNotAllowedKeepsTheOneInForceAndIsReported() {
        ServingConfig c = framework.update(Map.of("port", 8081, "pollMillis", 500), framework, report);
        Map<String, Object> bad = new HashMap<>(Map.of("port", "eighty", "pollMillis", 5, "host", "a host;rm -rf"));
        ServingConfig d = c.update(bad, framework, report);
        assertEquals(8081, d.port());
        assertEquals(500, d.pollMillis());
        assertNull(d.host());
        assertEquals(3, rejected.size(), rejected.toString());
        assertTrue(rejected.stream().anyMatch(r -> r.startsWith("port=eighty [whole numbers from 0 to 65535] kept 8081")), rejected.toString());
        assertTrue(rejected.stream().anyMatch(r -> r.startsWith("pollMillis=5 [whole numbers of milliseconds from 100 to 3600000] kept 500")), rejected.toString());
    }
}
