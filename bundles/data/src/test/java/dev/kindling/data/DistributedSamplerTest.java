package dev.kindling.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DistributedSamplerTest {
    static JsonNode fixture() throws IOException {
        try (InputStream in = DistributedSamplerTest.class.getResourceAsStream("/fixtures/distributed_sampler.json")) {
            return new ObjectMapper().readTree(in);
        }
    }

    @Test
    void everyRankAndEpochGetsPyTorchsIndices() throws IOException {
        JsonNode cases = fixture().get("cases");
        assertTrue(cases.size() > 30);
        for (JsonNode c : cases) {
            int world = c.get("world").asInt();
            for (int rank = 0; rank < world; rank++) {
                DistributedSampler s = new DistributedSampler(c.get("n").asInt(), world, rank, c.get("shuffle").asBoolean(),
                        c.get("seed").asLong(), c.get("dropLast").asBoolean());
                s.setEpoch(c.get("epoch").asInt());
                JsonNode want = c.get("indices").get(rank);
                int[] expected = new int[want.size()];
                for (int i = 0; i < expected.length; i++) expected[i] = want.get(i).asInt();
                String what = c.toString().replaceAll(",\"indices\".*", "") + " rank " + rank;
                assertEquals(expected.length, s.size(), what);
                assertArrayEquals(expected, s.epoch(null), what);
            }
        }
    }

    @Test
    void ranksCoverTheDatasetAndEpochsChangeTheOrder() {
        Set<Integer> seen = new HashSet<>();
        for (int rank = 0; rank < 3; rank++) {
            DistributedSampler s = new DistributedSampler(30, 3, rank);
            for (int i : s.epoch(null)) assertTrue(seen.add(i), "index " + i + " given to two ranks");
        }
        assertEquals(30, seen.size());
        DistributedSampler s = new DistributedSampler(30, 3, 1);
        int[] e0 = s.epoch(null);
        s.setEpoch(1);
        assertNotEquals(List.of(e0), List.of(s.epoch(null)));
    }

    @Test
    void worksAsADataLoaderSampler() {
        DistributedSampler s = new DistributedSampler(10, 2, 1, false, 0, false);
        DataLoader<Integer> loader = DataLoader.builder(DataLoaderTest.range(10)).batchSize(2).sampler(s).build();
        List<List<Long>> batches = DataLoaderTest.epoch(loader);
        assertEquals(DataLoaderTest.lists(new long[] {1, 3}, new long[] {5, 7}, new long[] {9}), new ArrayList<>(batches));
    }

    @Test
    void badArgumentsAreRejectedWithTheReason() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new DistributedSampler(10, 2, 2));
        assertEquals("Invalid rank 2, rank should be in the interval [0, 1]", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new DistributedSampler(10, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new DistributedSampler(-1, 2, 0));
    }
}
