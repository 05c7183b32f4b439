package dev.kindling.backend.cpu;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CpuConfigurationTest {
    @AfterEach
    void restore() { ComputePool.configure(0); }

    @Test
    void threadsApplyAtOnceAndBadValuesKeepThePreviousOne() {
        CpuConfiguration c = new CpuConfiguration();
        c.configure(Map.of("threads", "1"));
        assertEquals(1, ComputePool.cap());
        assertEquals(1, ComputePool.threads());
        assertEquals(1, ComputePool.chunksFor(1000, 1L << 30), "one thread: no op splits its work");
        c.configure(Map.of("threads", "lots"));
        assertEquals(1, ComputePool.cap());
        c.configure(Map.of("threads", -3));
        assertEquals(1, ComputePool.cap());
        c.configure(Map.of("threads", 3));
        assertEquals(3, ComputePool.cap());
        c.configure(Map.of());
        assertEquals(Integer.getInteger("kindling.cpu.threads", Runtime.getRuntime().availableProcessors()), ComputePool.cap());
        c.configure(Map.of("threads", 2L));
        c.deactivate();
        assertEquals(Integer.getInteger("kindling.cpu.threads", Runtime.getRuntime().availableProcessors()), ComputePool.cap());
    }

    @Test
    void parseAcceptsWholeNumbersInRangeOnly() {
        assertEquals(0, CpuConfiguration.parse("0"));
        assertEquals(4096, CpuConfiguration.parse(4096));
        assertNull(CpuConfiguration.parse(4097));
        assertNull(CpuConfiguration.parse(1.5));
        assertNull(CpuConfiguration.parse("2 threads"));
        assertTrue(new CpuBackend().diagnostics().get(0).contains("threads (configuration dev.kindling.cpu"));
    }
}
