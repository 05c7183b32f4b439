package dev.kindling.data.spi;

import dev.kindling.data.Dataset;
import dev.kindling.data.Sample;
import dev.kindling.kernel.spi.ParameterSpec;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConfiguredDefaultsTest {
    /** Records the parameters it was created with instead of reading files. */
    static final class Recording extends AbstractDatasetProvider {
        final AtomicReference<Params> last = new AtomicReference<>();

        Recording() {
            super("images", "test images",
                    ParameterSpec.required("root", "path", "where the files are"),
                    ParameterSpec.optional("train", "boolean", true, "which split"),
                    TRANSFORM);
        }

        void apply(Map<String, ?> configuration) { configure(configuration); }

        @Override
        protected Dataset<Sample> create(Params p) {
            last.set(p);
            return null;
        }
    }

    @Test
    void configuredDefaultsSatisfyRequiredParametersAndGoWithTheConfiguration() {
        Recording r = new Recording();
        assertThrows(IllegalArgumentException.class, () -> r.create(Map.of()), "root is required without a configuration");
        r.apply(Map.of("images.root", "/data/images", "images.train", "false", "other.root", "/elsewhere"));
        r.create(Map.of());
        assertEquals(Path.of("/data/images"), r.last.get().path("root"));
        assertFalse(r.last.get().bool("train"));
        r.create(Map.of("root", "/given"));
        assertEquals(Path.of("/given"), r.last.get().path("root"), "a parameter given beats the configured default");
        List<ParameterSpec> listed = r.parameters();
        assertEquals("/data/images", listed.get(0).defaultValue(), "listings show the configured default");
        assertFalse(listed.get(0).required());

        r.apply(Map.of());
        assertThrows(IllegalArgumentException.class, () -> r.create(Map.of()), "a removed key returns to the declared default");
    }

    @Test
    void aValueOfTheWrongTypeKeepsThePreviousDefault() {
        Recording r = new Recording();
        Map<String, Object> c = new HashMap<>(Map.of("images.root", "/data/images", "images.train", "no"));
        r.apply(c);
        c.put("images.train", "sometimes");
        c.put("images.transform", "flip");
        r.apply(c);
        r.create(Map.of());
        assertFalse(r.last.get().bool("train"), "'sometimes' is not a boolean: the previous default 'no' stays");
        assertTrue(r.last.get().raw("transform") == null, "transforms are objects, not configuration values");
    }
}
