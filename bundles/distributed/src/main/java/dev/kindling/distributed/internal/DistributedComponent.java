package dev.kindling.distributed.internal;

import dev.kindling.distributed.Dist;
import dev.kindling.distributed.spi.ProcessGroupBackend;
import dev.kindling.distributed.spi.RendezvousHandler;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/**
 * Inside OSGi: follows backend and rendezvous bundles as they come and go; destroys the default group when this
 * bundle stops.
 */
@Component(immediate = true, service = DistributedComponent.class)
public class DistributedComponent {
    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindBackend(ProcessGroupBackend backend) { Backends.INSTANCE.bind(backend); }

    void unbindBackend(ProcessGroupBackend backend) { Backends.INSTANCE.unbind(backend); }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindHandler(RendezvousHandler handler) { Backends.INSTANCE.bind(handler); }

    void unbindHandler(RendezvousHandler handler) { Backends.INSTANCE.unbind(handler); }

    @Deactivate
    void deactivate() {
        if (Dist.isInitialized()) Dist.destroyProcessGroup();
    }
}
