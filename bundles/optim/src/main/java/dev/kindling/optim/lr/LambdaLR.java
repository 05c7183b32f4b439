package dev.kindling.optim.lr;

import dev.kindling.optim.Optimizer;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.IntToDoubleFunction;

/**
 * Sets each group's learning rate to its initial lr times a function of the epoch (PyTorch's LambdaLR), e.g.
 * {@code new LambdaLR(opt, epoch -> Math.pow(0.95, epoch))}. The functions are not part of the state dict.
 */
public class LambdaLR extends LRScheduler {
    private final List<IntToDoubleFunction> lrLambdas;

    /** One function for all groups. */
    public LambdaLR(Optimizer optimizer, IntToDoubleFunction lrLambda) {
        super(optimizer);
        if (lrLambda == null) throw new IllegalArgumentException("lr_lambda must not be null");
        this.lrLambdas = Collections.nCopies(optimizer.paramGroups().size(), lrLambda);
        initialStep();
    }

    /** One function per group. */
    public LambdaLR(Optimizer optimizer, List<? extends IntToDoubleFunction> lrLambdas) {
        super(optimizer);
        this.lrLambdas = perGroup(optimizer, lrLambdas);
        initialStep();
    }

    static List<IntToDoubleFunction> perGroup(Optimizer optimizer, List<? extends IntToDoubleFunction> fns) {
        if (fns == null) throw new IllegalArgumentException("lr_lambda must not be null");
        if (fns.size() != optimizer.paramGroups().size()) {
            throw new IllegalArgumentException("Expected " + optimizer.paramGroups().size() + " lr_lambdas, but got "
                    + fns.size());
        }
        for (IntToDoubleFunction f : fns) if (f == null) throw new IllegalArgumentException("lr_lambda must not be null");
        return Collections.unmodifiableList(new ArrayList<>(fns));
    }

    @Override
    protected double[] getLr() {
        double[] r = new double[baseLrs.length];
        for (int i = 0; i < r.length; i++) r[i] = baseLrs[i] * lrLambdas.get(i).applyAsDouble(lastEpoch);
        return r;
    }
}
