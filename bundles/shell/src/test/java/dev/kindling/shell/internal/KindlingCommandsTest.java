package dev.kindling.shell.internal;

import dev.kindling.api.spi.TensorRuntimes;
import dev.kindling.kernel.Kernel;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The commands against the plain-classpath kernel (CPU backend found through ServiceLoader). */
class KindlingCommandsTest {
    private final Kernel kernel = (Kernel) TensorRuntimes.get();
    private final KindlingCommands commands = new KindlingCommands(kernel, "test framework");

    @Test
    void backendsListsTheCpuBackendAsSelected() {
        String out = commands.backends();
        assertTrue(out.matches("(?s).*\\n\\*\\s+cpu-java\\s+cpu\\s.*available.*"), out);
        assertFalse(out.endsWith("\n"));
    }

    @Test
    void preferAndDefault() {
        String out = commands.prefer("cpu", "cpu-java");
        assertTrue(out.contains("new tensors use 'cpu-java'"), out);
        assertTrue(commands.backends().contains("*P"), commands.backends());
        out = commands.prefer("CPU", "default");
        assertTrue(out.startsWith("Preference for 'cpu' cleared"), out);
        assertFalse(commands.backends().contains("*P"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> commands.prefer("cpu", "nope"));
        assertTrue(e.getMessage().contains("cpu-java"), e.getMessage());
    }

    @Test
    void infoShowsVersionsAndDevices() {
        String out = commands.info();
        assertTrue(out.contains("Kindling:       " + Kernel.VERSION), out);
        assertTrue(out.contains("OSGi framework: test framework"), out);
        assertTrue(out.contains("Devices:        cpu"), out);
    }

    @Test
    void providersAndEval() {
        assertTrue(commands.providers().startsWith("No providers installed") || commands.providers().startsWith("KIND"));
        assertThrows(IllegalArgumentException.class, () -> commands.providers("widgets"));
        assertTrue(commands.providers("layers").contains("layer"));
        assertTrue(commands.calc("ones(2,3).sum().item()").equals("6.0"));
        assertTrue(commands.calc("1", "+", "2").equals("3"));
        assertThrows(IllegalArgumentException.class, commands::calc);
    }

    @Test
    void kindCommandsListTheirProvidersWithParameters() {
        dev.kindling.kernel.Kernel k = new dev.kindling.kernel.Kernel();
        k.addProvider(new dev.kindling.kernel.spi.LayerProvider<Object>() {
            @Override public String name() { return "linear"; }
            @Override public String description() { return "y = x A^T + b"; }
            @Override public java.util.List<dev.kindling.kernel.spi.ParameterSpec> parameters() {
                return java.util.List.of(dev.kindling.kernel.spi.ParameterSpec.required("in", "int", "input features"),
                        dev.kindling.kernel.spi.ParameterSpec.optional("bias", "boolean", true, "learn an additive bias"));
            }
            @Override public Object create(java.util.Map<String, Object> p) { return null; }
        });
        KindlingCommands c = new KindlingCommands(k, "test");
        String layers = c.layers();
        assertTrue(layers.contains("linear") && layers.contains("in:int") && layers.contains("bias:boolean=true"), layers);
        assertTrue(c.optimizers().contains("No optimizer providers installed"), c.optimizers());
        assertTrue(c.losses().contains("No loss providers"), c.losses());
        assertTrue(c.schedulers().contains("No scheduler providers"), c.schedulers());
        assertTrue(c.datasets().contains("No dataset providers"), c.datasets());
    }
}
