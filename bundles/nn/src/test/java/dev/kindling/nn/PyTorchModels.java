package dev.kindling.nn;

import dev.kindling.api.Tensor;

import java.util.Map;

/** The models of the fixtures' "repr" and "structure" sections, built with Kindling's constructors. */
final class PyTorchModels {
    private PyTorchModels() {}

    /** A custom module, as the generator's {@code class Net(nn.Module)}. */
    static final class Net extends Module {
        Net() {
            registerModule("features", new Sequential(new Conv2d(1, 32, 3, 1, 1), new ReLU(), new MaxPool2d(2),
                    new Conv2d(32, 64, new int[] {3, 5}, new int[] {2, 2}, new int[] {1, 2}, new int[] {2, 2}, 2, false)));
            registerModule("norm", new BatchNorm1d(10, 1e-3, null, false, false));
            registerModule("heads", new ModuleList(new Linear(10, 2), new Linear(10, 3, false)));
            registerModule("rnn", new LSTM(10, 20, 2, true, true, 0.5, true));
        }

        @Override
        public Tensor forward(Tensor x) { throw new UnsupportedOperationException(); }
    }

    static Map<String, Module> all() {
        return Map.of(
                "mlp", new Sequential(new Linear(784, 256), new ReLU(), new Linear(256, 10)),
                "cnn", new Sequential(new Conv2d(1, 32, 3, 1, 1), new ReLU(), new MaxPool2d(2), new Conv2d(32, 64, 3), new ReLU(), new MaxPool2d(2),
                        new Flatten(), new Linear(3136, 128), new Dropout(0.25), new Linear(128, 10)),
                "net", new Net(),
                "misc", new Sequential(new Conv1d(2, 4, 3), new AvgPool2d(3, 2, 1), new AdaptiveAvgPool2d(7, 7), new AdaptiveAvgPool2d(1),
                        new BatchNorm2d(8), new LayerNorm(new long[] {3, 4}), new Dropout(), new LeakyReLU(0.2), new GELU(), new GELU("tanh"),
                        new Sigmoid(), new Tanh(), new Softmax(1), new LogSoftmax(-1), new Flatten(0, 2), new Identity(),
                        new Embedding(10, 3), new Embedding(10, 3, 0), new GRU(4, 8), new RNN(3, 4, 1, "relu", false, false, 0, false),
                        new MultiheadAttention(16, 4, 0.1, true, true), new MaxPool2d(new int[] {2, 3}, new int[] {1}, new int[] {0}, new int[] {1}, true),
                        new ReLU(true), new Sequential(), new ModuleList()),
                "losses", new ModuleList(new MSELoss(), new L1Loss(), new SmoothL1Loss(), new HuberLoss(), new CrossEntropyLoss(), new NLLLoss(),
                        new BCELoss(), new BCEWithLogitsLoss(), new KLDivLoss(), new TripletMarginLoss(), new CosineEmbeddingLoss()));
    }
}
