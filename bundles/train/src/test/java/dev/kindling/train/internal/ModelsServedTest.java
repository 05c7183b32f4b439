package dev.kindling.train.internal;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** kindling:models: the served versions follow the saved models, and nothing is added when no server runs. */
class ModelsServedTest {
    private final Path cwd = Path.of("/work/x");

    @Test
    void servedVersionsAreListedWithTheirStateAfterTheSavedModels() {
        ModelsListing saved = new ModelsListing(cwd.resolve("runs"), true, List.of());
        List<ModelsListing.Served> served = List.of(
                new ModelsListing.Served("digits", "1", "READY", "kindling", "http://127.0.0.1:8080/", "/work/x/repo/digits/1/model.safetensors"),
                new ModelsListing.Served("mnist", "3", "READY", "onnx", "http://127.0.0.1:8080/", "-"));
        String out = new CommandFormatter(cwd).models(saved, served);
        String[] lines = out.split("\n");
        assertTrue(lines[0].startsWith("No models or checkpoints under runs"), out);
        assertTrue(out.matches("(?s).*\n *SERVED +VERSION +STATE +PLATFORM +ENDPOINT +SOURCE *\n.*"), out);
        assertTrue(out.matches("(?s).*\n *digits +1 +READY +kindling +http://127\\.0\\.0\\.1:8080/ +repo/digits/1/model\\.safetensors *(\n.*)?"), out);
        assertTrue(out.matches("(?s).*\n *mnist +3 +READY +onnx +http://127\\.0\\.0\\.1:8080/ +- *(\n.*)?"), out);
    }

    @Test
    void withoutAServerTheListingIsTheSavedModelsAlone() {
        ModelsListing saved = new ModelsListing(cwd.resolve("runs"), false, List.of());
        assertEquals(new CommandFormatter(cwd).models(saved), new CommandFormatter(cwd).models(saved, List.of()));
        assertTrue(new ModelsCommand().served().isEmpty(), "outside OSGi nothing is served");
    }
}
