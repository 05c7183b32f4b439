package dev.kindling.optim.lr;

import dev.kindling.optim.Optimizer;

import java.util.Collections;
import java.util.List;
import java.util.function.IntToDoubleFunction;

/** Multiplies each group's learning rate by a function of the epoch, every epoch (PyTorch's MultiplicativeLR). */
public class MultiplicativeLR extends LRScheduler {
    private final List<IntToDoubleFunction> lrLambdas;

    public MultiplicativeLR(Optimizer optimizer, IntToDoubleFunction lrLambda) {
        super(optimizer);
        if (lrLambda == null) throw new IllegalArgumentException("lr_lambda must not be null");
        this.lrLambdas = Collections.nCopies(optimizer.paramGroups().size(), lrLambda);
        initialStep();
    }

    public MultiplicativeLR(Optimizer optimizer, List<? extends IntToDoubleFunction> lrLambdas) {
        super(optimizer);
        this.lrLambdas = LambdaLR.perGroup(optimizer, lrLambdas);
        initialStep();
    }

    @Override
    protected double[] getLr() {
        double[] lrs = groupLrs();
        if (lastEpoch > 0) {
            for (int i = 0; i < lrs.length; i++) lrs[i] = lrs[i] * lrLambdas.get(i).applyAsDouble(lastEpoch);
        }
        return lrs;
    }
}
