package dev.kindling.kernel.internal;

import dev.kindling.kernel.Kernel;
import dev.kindling.kernel.spi.DatasetProvider;
import dev.kindling.kernel.ops.DispatchLayer;
import dev.kindling.kernel.ops.GradientEngine;
import dev.kindling.kernel.spi.LayerProvider;
import dev.kindling.kernel.spi.LossProvider;
import dev.kindling.kernel.spi.OptimizerProvider;
import dev.kindling.kernel.spi.SchedulerProvider;
import dev.kindling.kernel.spi.TensorBackend;
import dev.kindling.kernel.spi.TensorFormat;

import java.util.List;
import java.util.ServiceLoader;

/**
 * The kernel on a plain classpath: backends, the autograd engine, dispatch layers and providers come from
 * {@link ServiceLoader}.
 */
public class StandaloneKernel extends Kernel {
    public StandaloneKernel() {
        ClassLoader cl = StandaloneKernel.class.getClassLoader();
        for (TensorBackend b : ServiceLoader.load(TensorBackend.class, cl)) addBackend(b);
        for (TensorFormat f : ServiceLoader.load(TensorFormat.class, cl)) addFormat(f);
        for (GradientEngine e : ServiceLoader.load(GradientEngine.class, cl)) {
            setGradientEngine(e);
            break;
        }
        for (DispatchLayer l : ServiceLoader.load(DispatchLayer.class, cl)) addDispatchLayer(l);
        for (Class<?> kind : List.of(LayerProvider.class, LossProvider.class, OptimizerProvider.class,
                SchedulerProvider.class, DatasetProvider.class)) {
            for (Object p : ServiceLoader.load(kind, cl)) addProvider(p);
        }
    }
}
