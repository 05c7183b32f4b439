package dev.kindling.kernel.internal;

import dev.kindling.api.spi.TensorRuntimes;
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
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/**
 * The kernel inside OSGi: follows backends, the autograd engine and providers as their bundles come and go
 * (dynamic, greedy references) and makes itself the runtime of the static API while it is active.
 */
@Component(service = Kernel.class, immediate = true)
public class KernelComponent extends Kernel {

    @Activate
    void activate() { TensorRuntimes.install(this); }

    @Deactivate
    void deactivate() { TensorRuntimes.uninstall(this); }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindBackend(TensorBackend backend) { addBackend(backend); }

    void unbindBackend(TensorBackend backend) { removeBackend(backend); }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindEngine(GradientEngine engine) { setGradientEngine(engine); }

    void unbindEngine(GradientEngine engine) { unsetGradientEngine(engine); }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindDispatchLayer(DispatchLayer layer) { addDispatchLayer(layer); }

    void unbindDispatchLayer(DispatchLayer layer) { removeDispatchLayer(layer); }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindFormat(TensorFormat f) { addFormat(f); }

    void unbindFormat(TensorFormat f) { removeFormat(f); }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindLayer(LayerProvider<?> p) { addProvider(p); }

    void unbindLayer(LayerProvider<?> p) { removeProvider(p); }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindLoss(LossProvider<?> p) { addProvider(p); }

    void unbindLoss(LossProvider<?> p) { removeProvider(p); }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindOptimizer(OptimizerProvider<?> p) { addProvider(p); }

    void unbindOptimizer(OptimizerProvider<?> p) { removeProvider(p); }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindScheduler(SchedulerProvider<?> p) { addProvider(p); }

    void unbindScheduler(SchedulerProvider<?> p) { removeProvider(p); }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindDataset(DatasetProvider<?> p) { addProvider(p); }

    void unbindDataset(DatasetProvider<?> p) { removeProvider(p); }
}
