package dev.kindling.nn.internal;

import dev.kindling.kernel.spi.LossProvider;
import dev.kindling.kernel.spi.ParameterSpec;
import dev.kindling.nn.BCELoss;
import dev.kindling.nn.BCEWithLogitsLoss;
import dev.kindling.nn.CosineEmbeddingLoss;
import dev.kindling.nn.CrossEntropyLoss;
import dev.kindling.nn.HuberLoss;
import dev.kindling.nn.KLDivLoss;
import dev.kindling.nn.L1Loss;
import dev.kindling.nn.MSELoss;
import dev.kindling.nn.NLLLoss;
import dev.kindling.nn.SmoothL1Loss;
import dev.kindling.nn.TripletMarginLoss;
import dev.kindling.nn.spi.AbstractLossProvider;
import dev.kindling.nn.spi.Params;
import org.osgi.service.component.annotations.Component;

import static dev.kindling.kernel.spi.ParameterSpec.optional;

/**
 * One provider per built-in loss, registered with the kernel as {@code LossProvider} services (Declarative Services in
 * OSGi; {@code META-INF/services} on a plain classpath).
 */
public final class LossProviders {
    private LossProviders() {}

    static ParameterSpec reduction() { return optional("reduction", "string", "mean", "mean, sum or none"); }

    static ParameterSpec weight(String what) { return optional("weight", "double[]", null, what); }

    static String reduction(Params p) { return p.choice("reduction", "mean", "sum", "none"); }

    @Component(service = LossProvider.class)
    public static final class MSEProvider extends AbstractLossProvider<MSELoss> {
        public MSEProvider() { super("mse", MSELoss.class, "mean squared error", reduction()); }

        @Override
        protected MSELoss create(Params p) { return new MSELoss(reduction(p)); }
    }

    @Component(service = LossProvider.class)
    public static final class L1Provider extends AbstractLossProvider<L1Loss> {
        public L1Provider() { super("l1", L1Loss.class, "mean absolute error", reduction()); }

        @Override
        protected L1Loss create(Params p) { return new L1Loss(reduction(p)); }
    }

    @Component(service = LossProvider.class)
    public static final class SmoothL1Provider extends AbstractLossProvider<SmoothL1Loss> {
        public SmoothL1Provider() {
            super("smooth_l1", SmoothL1Loss.class, "squared below beta, absolute above", reduction(),
                    optional("beta", "double", 1.0, "threshold between the squared and the absolute part"));
        }

        @Override
        protected SmoothL1Loss create(Params p) { return new SmoothL1Loss(reduction(p), p.number("beta")); }
    }

    @Component(service = LossProvider.class)
    public static final class HuberProvider extends AbstractLossProvider<HuberLoss> {
        public HuberProvider() {
            super("huber", HuberLoss.class, "Huber loss", reduction(), optional("delta", "double", 1.0, "threshold between the squared and the linear part"));
        }

        @Override
        protected HuberLoss create(Params p) { return new HuberLoss(reduction(p), p.number("delta")); }
    }

    @Component(service = LossProvider.class)
    public static final class CrossEntropyProvider extends AbstractLossProvider<CrossEntropyLoss> {
        public CrossEntropyProvider() {
            super("cross_entropy", CrossEntropyLoss.class, "log-softmax + negative log likelihood (class indices or probabilities)",
                    weight("weight per class"), optional("ignore_index", "int", -100, "target value that is ignored"), reduction(),
                    optional("label_smoothing", "double", 0.0, "mix of the uniform distribution in the target"));
        }

        @Override
        protected CrossEntropyLoss create(Params p) {
            return new CrossEntropyLoss(p.tensor("weight"), p.longValue("ignore_index"), reduction(p), p.number("label_smoothing"));
        }
    }

    @Component(service = LossProvider.class)
    public static final class NLLProvider extends AbstractLossProvider<NLLLoss> {
        public NLLProvider() {
            super("nll", NLLLoss.class, "negative log likelihood of log-probabilities", weight("weight per class"),
                    optional("ignore_index", "int", -100, "target value that is ignored"), reduction());
        }

        @Override
        protected NLLLoss create(Params p) { return new NLLLoss(p.tensor("weight"), p.longValue("ignore_index"), reduction(p)); }
    }

    @Component(service = LossProvider.class)
    public static final class BCEProvider extends AbstractLossProvider<BCELoss> {
        public BCEProvider() { super("bce", BCELoss.class, "binary cross entropy of probabilities", weight("elementwise weight (broadcast)"), reduction()); }

        @Override
        protected BCELoss create(Params p) { return new BCELoss(p.tensor("weight"), reduction(p)); }
    }

    @Component(service = LossProvider.class)
    public static final class BCEWithLogitsProvider extends AbstractLossProvider<BCEWithLogitsLoss> {
        public BCEWithLogitsProvider() {
            super("bce_with_logits", BCEWithLogitsLoss.class, "sigmoid + binary cross entropy, numerically stable", weight("elementwise weight (broadcast)"),
                    reduction(), optional("pos_weight", "double[]", null, "weight of positive examples per class"));
        }

        @Override
        protected BCEWithLogitsLoss create(Params p) { return new BCEWithLogitsLoss(p.tensor("weight"), reduction(p), p.tensor("pos_weight")); }
    }

    @Component(service = LossProvider.class)
    public static final class KLDivProvider extends AbstractLossProvider<KLDivLoss> {
        public KLDivProvider() {
            super("kl_div", KLDivLoss.class, "Kullback-Leibler divergence of log-probabilities",
                    optional("reduction", "string", "mean", "mean, batchmean, sum or none"),
                    optional("log_target", "boolean", false, "the target holds log-probabilities"));
        }

        @Override
        protected KLDivLoss create(Params p) { return new KLDivLoss(p.choice("reduction", "mean", "batchmean", "sum", "none"), p.bool("log_target")); }
    }

    @Component(service = LossProvider.class)
    public static final class TripletMarginProvider extends AbstractLossProvider<TripletMarginLoss> {
        public TripletMarginProvider() {
            super("triplet_margin", TripletMarginLoss.class, "max(d(a,p) - d(a,n) + margin, 0)", optional("margin", "double", 1.0, "margin"),
                    optional("p", "double", 2.0, "norm degree of the distance"), optional("eps", "double", 1e-6, "added to the difference"),
                    optional("swap", "boolean", false, "use the distance swap"), reduction());
        }

        @Override
        protected TripletMarginLoss create(Params p) {
            return new TripletMarginLoss(p.number("margin"), p.number("p"), p.number("eps"), p.bool("swap"), reduction(p));
        }
    }

    @Component(service = LossProvider.class)
    public static final class CosineEmbeddingProvider extends AbstractLossProvider<CosineEmbeddingLoss> {
        public CosineEmbeddingProvider() {
            super("cosine_embedding", CosineEmbeddingLoss.class, "1 - cos for similar pairs, max(0, cos - margin) for dissimilar",
                    optional("margin", "double", 0.0, "margin for dissimilar pairs"), reduction());
        }

        @Override
        protected CosineEmbeddingLoss create(Params p) { return new CosineEmbeddingLoss(p.number("margin"), reduction(p)); }
    }
}
