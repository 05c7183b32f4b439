package dev.kindling.optim.internal;

import dev.kindling.kernel.spi.ParameterSpec;
import dev.kindling.kernel.spi.SchedulerProvider;
import dev.kindling.optim.lr.LRScheduler;
import dev.kindling.optim.lr.OneCycleLR;
import org.osgi.service.component.annotations.Component;

/** The {@code onecyclelr} scheduler by name. */
@Component(service = SchedulerProvider.class)
public class OneCycleLRProvider extends SchedulerProviderSupport implements SchedulerProvider<LRScheduler> {
    public OneCycleLRProvider() {
        super("onecyclelr", "the 1cycle policy, lr up to maxLr and down, momentum inversely (torch.optim.lr_scheduler.OneCycleLR)",
                ParameterSpec.required("maxLr", "double|double[]", "peak learning rate (or one per group)"),
                ParameterSpec.optional("totalSteps", "int", null, "steps in the cycle (or give epochs and stepsPerEpoch)"),
                ParameterSpec.optional("epochs", "int", null, "epochs, with stepsPerEpoch"),
                ParameterSpec.optional("stepsPerEpoch", "int", null, "steps per epoch, with epochs"),
                ParameterSpec.optional("pctStart", "double", 0.3, "fraction of the cycle spent increasing the lr"),
                ParameterSpec.optional("annealStrategy", "string", "cos", "cos or linear"),
                ParameterSpec.optional("cycleMomentum", "boolean", true, "cycle momentum (beta1 for Adam) inversely"),
                ParameterSpec.optional("baseMomentum", "double|double[]", 0.85, "lowest momentum"),
                ParameterSpec.optional("maxMomentum", "double|double[]", 0.95, "highest momentum"),
                ParameterSpec.optional("divFactor", "double", 25.0, "initial lr = maxLr / divFactor"),
                ParameterSpec.optional("finalDivFactor", "double", 1e4, "min lr = initial lr / finalDivFactor"),
                ParameterSpec.optional("threePhase", "boolean", false, "use a third phase to annihilate the lr"));
    }

    @Override
    LRScheduler build(Args a) {
        OneCycleLR.Builder b = OneCycleLR.builder(optimizer(a)).maxLr(a.doubles("maxLr")).pctStart(a.dbl("pctStart"))
                .annealStrategy(a.str("annealStrategy")).cycleMomentum(a.bool("cycleMomentum"))
                .baseMomentum(a.doubles("baseMomentum")).maxMomentum(a.doubles("maxMomentum"))
                .divFactor(a.dbl("divFactor")).finalDivFactor(a.dbl("finalDivFactor")).threePhase(a.bool("threePhase"));
        if (a.given("totalSteps")) b.totalSteps(a.integer("totalSteps"));
        if (a.given("epochs")) b.epochs(a.integer("epochs"));
        if (a.given("stepsPerEpoch")) b.stepsPerEpoch(a.integer("stepsPerEpoch"));
        return b.build();
    }
}
