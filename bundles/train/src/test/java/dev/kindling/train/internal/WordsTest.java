package dev.kindling.train.internal;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static dev.kindling.train.internal.Words.Kind.FLAG;
import static dev.kindling.train.internal.Words.Kind.NAMED;
import static dev.kindling.train.internal.Words.Kind.VALUE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WordsTest {
    private static final List<Words.Positional> POS = List.of(new Words.Positional("dataset", true), new Words.Positional("model", true));
    private static final List<Words.Option> OPTS = List.of(new Words.Option("epochs", VALUE), new Words.Option("batch-size", VALUE),
            new Words.Option("optimizer", NAMED), new Words.Option("scheduler", NAMED), new Words.Option("wait", FLAG),
            new Words.Option("lr", VALUE), new Words.Option("split", VALUE));

    private static Words parse(String... words) { return Words.parse("kindling:train", 2, POS, OPTS, words); }

    private static String error(String... words) {
        return assertThrows(IllegalArgumentException.class, () -> parse(words)).getMessage();
    }

    @Test
    void positionalsOptionsAndFlags() {
        Words w = parse("digits", "mlp", "--epochs", "20", "--wait", "--batch_size=32");
        assertEquals("digits", w.positional(0));
        assertEquals("mlp", w.positional(1));
        assertEquals(20, w.integer("epochs", 10, 1));
        assertEquals(32, w.integer("batch-size", 64, 1));
        assertTrue(w.flag("wait"));
        assertEquals(64, parse("digits", "mlp").integer("batch-size", 64, 1));
        assertFalse(parse("digits", "mlp").flag("wait"));
        assertEquals(5, parse("digits", "mlp", "--batchSize", "5").integer("batch-size", 64, 1), "names ignore case, dashes, underscores");
    }

    @Test
    void parametersBelongToWhatPrecedesThem() {
        Words w = parse("csv", "path=data.csv", "label=species", "mlp", "hidden=256,128", "--optimizer", "sgd", "lr=0.1", "momentum=0.9",
                "--scheduler", "steplr stepSize=2 gamma=0.5", "--epochs", "3");
        assertEquals(Map.of("path", "data.csv", "label", "species"), w.params(0));
        assertEquals(Map.of("hidden", List.of("256", "128")), w.params(1));
        assertEquals("sgd", w.named("optimizer").name());
        assertEquals(Map.of("lr", "0.1", "momentum", "0.9"), w.named("optimizer").params());
        assertEquals("steplr", w.named("scheduler").name());
        assertEquals(Map.of("stepSize", "2", "gamma", "0.5"), w.named("scheduler").params());
        Words quoted = parse("digits", "mlp", "--optimizer", "adam lr=0.001 betas=[0.9,0.99]");
        assertEquals(Map.of("lr", "0.001", "betas", List.of("0.9", "0.99")), quoted.named("optimizer").params());
        assertNull(parse("digits", "mlp").named("optimizer"));
        assertEquals(",", Words.paramValue(","), "a lone comma stays a value (e.g. a delimiter)");
    }

    @Test
    void errorsNameTheWord() {
        assertTrue(error("digits").contains("missing <model>"));
        assertTrue(error("digits", "mlp", "--epoch", "3").contains("unknown option --epoch; options: --epochs"));
        assertTrue(error("digits", "mlp", "--epochs").contains("--epochs needs a value"));
        assertTrue(error("digits", "mlp", "--wait=yes").contains("takes no value"));
        assertTrue(error("digits", "mlp", "--epochs", "2", "--epochs", "3").contains("given twice"));
        assertTrue(error("digits", "mlp", "extra").contains("unexpected argument 'extra'"));
        assertTrue(error("digits", "mlp", "--epochs", "3", "lr=0.1").contains("follows --epochs, which takes no parameters"));
        assertTrue(error("lr=0.1", "digits", "mlp").contains("parameters follow the dataset, the model, --optimizer, --scheduler"));
        assertTrue(error("digits", "mlp", "--optimizer", "sgd", "lr=0.1", "lr=0.2").contains("'lr' of --optimizer sgd is given twice"));
        assertTrue(error("digits", "mlp", "--optimizer", "lr=0.1").contains("needs a name"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> parse("digits", "mlp", "--epochs", "x").integer("epochs", 1, 1))
                .getMessage().contains("--epochs must be an integer >= 1, got 'x'"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> parse("digits", "mlp", "--lr", "-1").number("lr", 0, 0, 1, true, false))
                .getMessage().contains("--lr must be in (0, 1], got -1"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> parse("digits", "mlp", "--split", "val").choice("split", "test", "test", "train"))
                .getMessage().contains("--split must be one of test, train, got 'val'"));
    }

    @Test
    void helpNeedsNoArguments() {
        assertTrue(parse("-h").help());
        assertTrue(Words.parse("kindling:jobs", 0, List.of(), List.of(), "-h").help());
    }
}
