package dev.kindling.nn.internal;

import dev.kindling.kernel.spi.LayerProvider;
import dev.kindling.kernel.spi.ParameterSpec;
import dev.kindling.nn.AdaptiveAvgPool2d;
import dev.kindling.nn.AvgPool2d;
import dev.kindling.nn.BatchNorm;
import dev.kindling.nn.BatchNorm1d;
import dev.kindling.nn.BatchNorm2d;
import dev.kindling.nn.Conv1d;
import dev.kindling.nn.Conv2d;
import dev.kindling.nn.ConvNd;
import dev.kindling.nn.Dropout;
import dev.kindling.nn.Embedding;
import dev.kindling.nn.Flatten;
import dev.kindling.nn.GELU;
import dev.kindling.nn.GRU;
import dev.kindling.nn.Identity;
import dev.kindling.nn.LSTM;
import dev.kindling.nn.LayerNorm;
import dev.kindling.nn.LeakyReLU;
import dev.kindling.nn.Linear;
import dev.kindling.nn.LogSoftmax;
import dev.kindling.nn.MaxPool2d;
import dev.kindling.nn.ModelSpec;
import dev.kindling.nn.Module;
import dev.kindling.nn.MultiheadAttention;
import dev.kindling.nn.RNN;
import dev.kindling.nn.RNNBase;
import dev.kindling.nn.ReLU;
import dev.kindling.nn.Sequential;
import dev.kindling.nn.Sigmoid;
import dev.kindling.nn.Softmax;
import dev.kindling.nn.Tanh;
import dev.kindling.nn.spi.AbstractLayerProvider;
import dev.kindling.nn.spi.Params;
import org.osgi.service.component.annotations.Component;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.kindling.kernel.spi.ParameterSpec.optional;
import static dev.kindling.kernel.spi.ParameterSpec.required;

/**
 * One provider per built-in layer, registered with the kernel as {@code LayerProvider} services (Declarative Services
 * in OSGi; {@code META-INF/services} on a plain classpath). Parameter names are the short JSON names of model specs
 * ({@code {"type":"conv2d","in":1,"out":32,"kernel":3,"padding":1}}).
 */
public final class LayerProviders {
    private LayerProviders() {}

    static final String INT_OR_PAIR = "int|int[2]";

    /** An ordered parameter map for describe(). */
    static Map<String, Object> params(Object... keyValues) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) m.put((String) keyValues[i], keyValues[i + 1]);
        return m;
    }

    /** A size for JSON: an int when all values are equal, else a list. */
    static Object size(int[] v) {
        if (Arrays.stream(v).allMatch(x -> x == v[0])) return v[0];
        List<Integer> l = new ArrayList<>();
        for (int x : v) l.add(x);
        return l;
    }

    static int[] pair(int[] v) { return v.length == 2 ? v : new int[] {v[0], v[0]}; }

    @Component(service = LayerProvider.class)
    public static final class LinearProvider extends AbstractLayerProvider<Linear> {
        public LinearProvider() {
            super("linear", Linear.class, "Fully connected layer y = x·Wᵀ + b",
                    required("in", "int", "input features"), required("out", "int", "output features"), optional("bias", "boolean", true, "add a bias"));
        }

        @Override
        protected Linear create(Params p) { return new Linear(p.integer("in"), p.integer("out"), p.bool("bias")); }

        @Override
        public Map<String, Object> describe(Linear m) { return params("in", m.inFeatures(), "out", m.outFeatures(), "bias", m.bias() != null); }
    }

    static ParameterSpec[] convParams() {
        return new ParameterSpec[] {
            required("in", "int", "input channels"), required("out", "int", "output channels"), required("kernel", INT_OR_PAIR, "kernel size"),
            optional("stride", INT_OR_PAIR, 1, "stride"), optional("padding", INT_OR_PAIR + "|same|valid", 0, "zero padding per side, or same/valid"),
            optional("dilation", INT_OR_PAIR, 1, "spacing of kernel elements"), optional("groups", "int", 1, "blocked connections from input to output channels"),
            optional("bias", "boolean", true, "add a bias"), optional("padding_mode", "string", "zeros", "zeros, reflect, replicate or circular"),
        };
    }

    static Map<String, Object> describeConv(ConvNd m) {
        return params("in", m.inChannels(), "out", m.outChannels(), "kernel", size(m.kernelSize()), "stride", size(m.stride()),
                "padding", m.paddingString() != null ? m.paddingString() : size(m.padding()), "dilation", size(m.dilation()), "groups", m.groups(),
                "bias", m.bias() != null, "padding_mode", m.paddingMode());
    }

    static boolean isPaddingString(Object v) { return v instanceof String && !((String) v).trim().isEmpty() && Character.isLetter(((String) v).trim().charAt(0)); }

    @Component(service = LayerProvider.class)
    public static final class Conv2dProvider extends AbstractLayerProvider<Conv2d> {
        public Conv2dProvider() { super("conv2d", Conv2d.class, "2-d convolution over [N, C, H, W]", convParams()); }

        @Override
        protected Conv2d create(Params p) {
            int[] k = pair(p.ints("kernel", 2));
            Conv2d.Builder b = Conv2d.builder(p.integer("in"), p.integer("out"), k[0], k[1]);
            int[] s = pair(p.ints("stride", 2));
            int[] d = pair(p.ints("dilation", 2));
            b.stride(s[0], s[1]).dilation(d[0], d[1]).groups(p.integer("groups")).bias(p.bool("bias")).paddingMode(p.string("padding_mode"));
            if (isPaddingString(p.raw("padding"))) {
                b.padding(p.string("padding"));
            } else {
                int[] pad = pair(p.ints("padding", 2));
                b.padding(pad[0], pad[1]);
            }
            return b.build();
        }

        @Override
        public Map<String, Object> describe(Conv2d m) { return describeConv(m); }
    }

    @Component(service = LayerProvider.class)
    public static final class Conv1dProvider extends AbstractLayerProvider<Conv1d> {
        public Conv1dProvider() { super("conv1d", Conv1d.class, "1-d convolution over [N, C, L]", convParams()); }

        @Override
        protected Conv1d create(Params p) {
            boolean named = isPaddingString(p.raw("padding"));
            return new Conv1d(p.integer("in"), p.integer("out"), p.integer("kernel"), p.integer("stride"), named ? 0 : p.integer("padding"),
                    named ? p.string("padding") : null, p.integer("dilation"), p.integer("groups"), p.bool("bias"), p.string("padding_mode"));
        }

        @Override
        public Map<String, Object> describe(Conv1d m) { return describeConv(m); }
    }

    @Component(service = LayerProvider.class)
    public static final class MaxPool2dProvider extends AbstractLayerProvider<MaxPool2d> {
        public MaxPool2dProvider() {
            super("maxpool2d", MaxPool2d.class, "2-d max pooling", required("kernel", INT_OR_PAIR, "window size"),
                    optional("stride", INT_OR_PAIR, null, "stride (default: the kernel size)"), optional("padding", INT_OR_PAIR, 0, "-inf padding per side"),
                    optional("dilation", INT_OR_PAIR, 1, "spacing of window elements"), optional("ceil_mode", "boolean", false, "round output sizes up"));
        }

        @Override
        protected MaxPool2d create(Params p) {
            return new MaxPool2d(p.ints("kernel", 2), p.has("stride") ? p.ints("stride", 2) : null, p.ints("padding", 2), p.ints("dilation", 2),
                    p.bool("ceil_mode"));
        }

        @Override
        public Map<String, Object> describe(MaxPool2d m) {
            boolean defaultStride = Arrays.equals(m.stride(), m.kernelSize());
            return params("kernel", size(m.kernelSize()), "stride", defaultStride ? null : size(m.stride()), "padding", size(m.padding()),
                    "dilation", size(m.dilation()), "ceil_mode", m.ceilMode());
        }
    }

    @Component(service = LayerProvider.class)
    public static final class AvgPool2dProvider extends AbstractLayerProvider<AvgPool2d> {
        public AvgPool2dProvider() {
            super("avgpool2d", AvgPool2d.class, "2-d average pooling", required("kernel", INT_OR_PAIR, "window size"),
                    optional("stride", INT_OR_PAIR, null, "stride (default: the kernel size)"), optional("padding", INT_OR_PAIR, 0, "zero padding per side"),
                    optional("ceil_mode", "boolean", false, "round output sizes up"),
                    optional("count_include_pad", "boolean", true, "count padding in the divisor"),
                    optional("divisor_override", "int", null, "divide by this instead of the window size"));
        }

        @Override
        protected AvgPool2d create(Params p) {
            return new AvgPool2d(p.ints("kernel", 2), p.has("stride") ? p.ints("stride", 2) : null, p.ints("padding", 2), p.bool("ceil_mode"),
                    p.bool("count_include_pad"), p.optInteger("divisor_override"));
        }

        @Override
        public Map<String, Object> describe(AvgPool2d m) {
            boolean defaultStride = Arrays.equals(m.stride(), m.kernelSize());
            return params("kernel", size(m.kernelSize()), "stride", defaultStride ? null : size(m.stride()), "padding", size(m.padding()),
                    "ceil_mode", m.ceilMode(), "count_include_pad", m.countIncludePad(), "divisor_override", m.divisorOverride());
        }
    }

    @Component(service = LayerProvider.class)
    public static final class AdaptiveAvgPool2dProvider extends AbstractLayerProvider<AdaptiveAvgPool2d> {
        public AdaptiveAvgPool2dProvider() {
            super("adaptiveavgpool2d", AdaptiveAvgPool2d.class, "2-d average pooling to a fixed output size", required("output", INT_OR_PAIR, "output size"));
        }

        @Override
        protected AdaptiveAvgPool2d create(Params p) {
            int[] o = p.ints("output", 2);
            return o.length == 1 ? new AdaptiveAvgPool2d(o[0]) : new AdaptiveAvgPool2d(o[0], o[1]);
        }

        @Override
        public Map<String, Object> describe(AdaptiveAvgPool2d m) { return params("output", size(m.outputSize())); }
    }

    static ParameterSpec[] batchNormParams() {
        return new ParameterSpec[] {
            required("features", "int", "number of features or channels C"), optional("eps", "double", 1e-5, "added to the variance"),
            optional("momentum", "double|null", 0.1, "running statistics update factor (null: cumulative average)"),
            optional("affine", "boolean", true, "learnable weight and bias"),
            optional("track_running_stats", "boolean", true, "keep running statistics for evaluation"),
        };
    }

    static Map<String, Object> describeBatchNorm(BatchNorm m) {
        return params("features", m.numFeatures(), "eps", m.eps(), "momentum", m.momentum(), "affine", m.affine(), "track_running_stats",
                m.trackRunningStats());
    }

    @Component(service = LayerProvider.class)
    public static final class BatchNorm1dProvider extends AbstractLayerProvider<BatchNorm1d> {
        public BatchNorm1dProvider() { super("batchnorm1d", BatchNorm1d.class, "batch normalisation of [N, C] or [N, C, L]", batchNormParams()); }

        @Override
        protected BatchNorm1d create(Params p) {
            return new BatchNorm1d(p.integer("features"), p.number("eps"), p.optNumber("momentum"), p.bool("affine"), p.bool("track_running_stats"));
        }

        @Override
        public Map<String, Object> describe(BatchNorm1d m) { return describeBatchNorm(m); }
    }

    @Component(service = LayerProvider.class)
    public static final class BatchNorm2dProvider extends AbstractLayerProvider<BatchNorm2d> {
        public BatchNorm2dProvider() { super("batchnorm2d", BatchNorm2d.class, "batch normalisation of [N, C, H, W]", batchNormParams()); }

        @Override
        protected BatchNorm2d create(Params p) {
            return new BatchNorm2d(p.integer("features"), p.number("eps"), p.optNumber("momentum"), p.bool("affine"), p.bool("track_running_stats"));
        }

        @Override
        public Map<String, Object> describe(BatchNorm2d m) { return describeBatchNorm(m); }
    }

    @Component(service = LayerProvider.class)
    public static final class LayerNormProvider extends AbstractLayerProvider<LayerNorm> {
        public LayerNormProvider() {
            super("layernorm", LayerNorm.class, "normalisation over the trailing dimensions", required("shape", "int|int[]", "normalized (trailing) shape"),
                    optional("eps", "double", 1e-5, "added to the variance"), optional("elementwise_affine", "boolean", true, "learnable weight and bias"));
        }

        @Override
        protected LayerNorm create(Params p) { return new LayerNorm(p.longs("shape"), p.number("eps"), p.bool("elementwise_affine")); }

        @Override
        public Map<String, Object> describe(LayerNorm m) {
            long[] s = m.normalizedShape();
            Object shape = s.length == 1 ? (Object) s[0] : Arrays.stream(s).boxed().toList();
            return params("shape", shape, "eps", m.eps(), "elementwise_affine", m.elementwiseAffine());
        }
    }

    @Component(service = LayerProvider.class)
    public static final class DropoutProvider extends AbstractLayerProvider<Dropout> {
        public DropoutProvider() { super("dropout", Dropout.class, "zeroes elements with probability p in training", optional("p", "double", 0.5, "drop probability")); }

        @Override
        protected Dropout create(Params p) { return new Dropout(p.number("p")); }

        @Override
        public Map<String, Object> describe(Dropout m) { return params("p", m.p()); }
    }

    @Component(service = LayerProvider.class)
    public static final class ReLUProvider extends AbstractLayerProvider<ReLU> {
        public ReLUProvider() { super("relu", ReLU.class, "max(x, 0)", optional("inplace", "boolean", false, "overwrite the input")); }

        @Override
        protected ReLU create(Params p) { return new ReLU(p.bool("inplace")); }

        @Override
        public Map<String, Object> describe(ReLU m) { return params("inplace", m.inplace()); }
    }

    @Component(service = LayerProvider.class)
    public static final class LeakyReLUProvider extends AbstractLayerProvider<LeakyReLU> {
        public LeakyReLUProvider() {
            super("leakyrelu", LeakyReLU.class, "x, or slope·x for negative x", optional("negative_slope", "double", 0.01, "slope for negative inputs"));
        }

        @Override
        protected LeakyReLU create(Params p) { return new LeakyReLU(p.number("negative_slope")); }

        @Override
        public Map<String, Object> describe(LeakyReLU m) { return params("negative_slope", m.negativeSlope()); }
    }

    @Component(service = LayerProvider.class)
    public static final class GELUProvider extends AbstractLayerProvider<GELU> {
        public GELUProvider() { super("gelu", GELU.class, "Gaussian error linear unit", optional("approximate", "string", "none", "none (erf) or tanh")); }

        @Override
        protected GELU create(Params p) { return new GELU(p.choice("approximate", "none", "tanh")); }

        @Override
        public Map<String, Object> describe(GELU m) { return params("approximate", m.approximate()); }
    }

    @Component(service = LayerProvider.class)
    public static final class SigmoidProvider extends AbstractLayerProvider<Sigmoid> {
        public SigmoidProvider() { super("sigmoid", Sigmoid.class, "1 / (1 + exp(-x))"); }

        @Override
        protected Sigmoid create(Params p) { return new Sigmoid(); }

        @Override
        public Map<String, Object> describe(Sigmoid m) { return params(); }
    }

    @Component(service = LayerProvider.class)
    public static final class TanhProvider extends AbstractLayerProvider<Tanh> {
        public TanhProvider() { super("tanh", Tanh.class, "hyperbolic tangent"); }

        @Override
        protected Tanh create(Params p) { return new Tanh(); }

        @Override
        public Map<String, Object> describe(Tanh m) { return params(); }
    }

    @Component(service = LayerProvider.class)
    public static final class IdentityProvider extends AbstractLayerProvider<Identity> {
        public IdentityProvider() { super("identity", Identity.class, "returns its input"); }

        @Override
        protected Identity create(Params p) { return new Identity(); }

        @Override
        public Map<String, Object> describe(Identity m) { return params(); }
    }

    @Component(service = LayerProvider.class)
    public static final class SoftmaxProvider extends AbstractLayerProvider<Softmax> {
        public SoftmaxProvider() { super("softmax", Softmax.class, "softmax along a dimension", required("dim", "int", "dimension")); }

        @Override
        protected Softmax create(Params p) { return new Softmax(p.integer("dim")); }

        @Override
        public Map<String, Object> describe(Softmax m) { return params("dim", m.dim()); }
    }

    @Component(service = LayerProvider.class)
    public static final class LogSoftmaxProvider extends AbstractLayerProvider<LogSoftmax> {
        public LogSoftmaxProvider() { super("logsoftmax", LogSoftmax.class, "log-softmax along a dimension", required("dim", "int", "dimension")); }

        @Override
        protected LogSoftmax create(Params p) { return new LogSoftmax(p.integer("dim")); }

        @Override
        public Map<String, Object> describe(LogSoftmax m) { return params("dim", m.dim()); }
    }

    @Component(service = LayerProvider.class)
    public static final class FlattenProvider extends AbstractLayerProvider<Flatten> {
        public FlattenProvider() {
            super("flatten", Flatten.class, "flattens a range of dimensions", optional("start_dim", "int", 1, "first dimension"),
                    optional("end_dim", "int", -1, "last dimension"));
        }

        @Override
        protected Flatten create(Params p) { return new Flatten(p.integer("start_dim"), p.integer("end_dim")); }

        @Override
        public Map<String, Object> describe(Flatten m) { return params("start_dim", m.startDim(), "end_dim", m.endDim()); }
    }

    @Component(service = LayerProvider.class)
    public static final class EmbeddingProvider extends AbstractLayerProvider<Embedding> {
        public EmbeddingProvider() {
            super("embedding", Embedding.class, "lookup table of embeddings", required("num", "int", "number of embeddings"),
                    required("dim", "int", "embedding size"), optional("padding_idx", "int", null, "index whose row stays fixed (no gradient)"));
        }

        @Override
        protected Embedding create(Params p) { return new Embedding(p.integer("num"), p.integer("dim"), p.optInteger("padding_idx")); }

        @Override
        public Map<String, Object> describe(Embedding m) {
            return params("num", m.numEmbeddings(), "dim", m.embeddingDim(), "padding_idx", m.paddingIdx() == null ? null : m.paddingIdx().intValue());
        }
    }

    static ParameterSpec[] rnnParams(ParameterSpec... extra) {
        List<ParameterSpec> l = new ArrayList<>(List.of(
                required("in", "int", "input features"), required("hidden", "int", "hidden features"), optional("layers", "int", 1, "stacked layers"),
                optional("bias", "boolean", true, "add biases"), optional("batch_first", "boolean", false, "inputs are [N, L, in]"),
                optional("dropout", "double", 0.0, "dropout between layers in training"), optional("bidirectional", "boolean", false, "add a reverse direction")));
        l.addAll(List.of(extra));
        return l.toArray(new ParameterSpec[0]);
    }

    static Map<String, Object> describeRnn(RNNBase m) {
        return params("in", m.inputSize(), "hidden", m.hiddenSize(), "layers", m.numLayers(), "bias", m.bias(), "batch_first", m.batchFirst(),
                "dropout", m.dropout(), "bidirectional", m.bidirectional());
    }

    @Component(service = LayerProvider.class)
    public static final class LSTMProvider extends AbstractLayerProvider<LSTM> {
        public LSTMProvider() { super("lstm", LSTM.class, "long short-term memory (output sequence)", rnnParams()); }

        @Override
        protected LSTM create(Params p) {
            return new LSTM(p.integer("in"), p.integer("hidden"), p.integer("layers"), p.bool("bias"), p.bool("batch_first"), p.number("dropout"),
                    p.bool("bidirectional"));
        }

        @Override
        public Map<String, Object> describe(LSTM m) { return describeRnn(m); }
    }

    @Component(service = LayerProvider.class)
    public static final class GRUProvider extends AbstractLayerProvider<GRU> {
        public GRUProvider() { super("gru", GRU.class, "gated recurrent unit (output sequence)", rnnParams()); }

        @Override
        protected GRU create(Params p) {
            return new GRU(p.integer("in"), p.integer("hidden"), p.integer("layers"), p.bool("bias"), p.bool("batch_first"), p.number("dropout"),
                    p.bool("bidirectional"));
        }

        @Override
        public Map<String, Object> describe(GRU m) { return describeRnn(m); }
    }

    @Component(service = LayerProvider.class)
    public static final class RNNProvider extends AbstractLayerProvider<RNN> {
        public RNNProvider() {
            super("rnn", RNN.class, "Elman recurrent network (output sequence)", rnnParams(optional("nonlinearity", "string", "tanh", "tanh or relu")));
        }

        @Override
        protected RNN create(Params p) {
            return new RNN(p.integer("in"), p.integer("hidden"), p.integer("layers"), p.choice("nonlinearity", "tanh", "relu"), p.bool("bias"),
                    p.bool("batch_first"), p.number("dropout"), p.bool("bidirectional"));
        }

        @Override
        public Map<String, Object> describe(RNN m) {
            Map<String, Object> d = describeRnn(m);
            d.put("nonlinearity", m.nonlinearity());
            return d;
        }
    }

    @Component(service = LayerProvider.class)
    public static final class MultiheadAttentionProvider extends AbstractLayerProvider<MultiheadAttention> {
        public MultiheadAttentionProvider() {
            super("multiheadattention", MultiheadAttention.class, "multi-head self-attention (output only)", required("embed_dim", "int", "embedding size"),
                    required("heads", "int", "number of heads"), optional("dropout", "double", 0.0, "attention dropout in training"),
                    optional("bias", "boolean", true, "projection biases"), optional("batch_first", "boolean", false, "inputs are [N, L, E]"));
        }

        @Override
        protected MultiheadAttention create(Params p) {
            return new MultiheadAttention(p.integer("embed_dim"), p.integer("heads"), p.number("dropout"), p.bool("bias"), p.bool("batch_first"));
        }

        @Override
        public Map<String, Object> describe(MultiheadAttention m) {
            return params("embed_dim", m.embedDim(), "heads", m.numHeads(), "dropout", m.dropout(), "bias", m.inProjBias() != null,
                    "batch_first", m.batchFirst());
        }
    }

    /** {@code {"type":"sequential","layers":[{...}, ...]}}; a layer may carry a "name" (default: its index). */
    @Component(service = LayerProvider.class)
    public static final class SequentialProvider extends AbstractLayerProvider<Sequential> {
        public SequentialProvider() {
            super("sequential", Sequential.class, "runs its layers in order",
                    required("layers", "list", "layer descriptions, each {\"type\": name, parameters..., optional \"name\"}"));
        }

        @Override
        protected Sequential create(Params p) {
            Sequential s = new Sequential();
            List<Map<String, Object>> layers = p.objects("layers");
            for (int i = 0; i < layers.size(); i++) {
                Map<String, Object> spec = new LinkedHashMap<>(layers.get(i));
                Object name = spec.remove("name");
                Module m = ModelSpec.build(spec, "layers[" + i + "]");
                if (name == null) s.add(m);
                else s.add(name.toString(), m);
            }
            return s;
        }

        @Override
        public Map<String, Object> describe(Sequential m) {
            List<Map<String, Object>> layers = new ArrayList<>();
            int i = 0;
            for (Map.Entry<String, Module> e : m.namedChildren().entrySet()) {
                Map<String, Object> child = ModelSpec.describe(e.getValue());
                Map<String, Object> d = new LinkedHashMap<>();
                d.put("type", child.remove("type"));
                if (!e.getKey().equals(Integer.toString(i))) d.put("name", e.getKey());
                d.putAll(child);
                layers.add(d);
                i++;
            }
            return params("layers", layers);
        }
    }
}
