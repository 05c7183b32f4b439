package dev.kindling.nn;

import dev.kindling.api.Tensor;
import dev.kindling.nn.functional.F;

/** Elman RNN: {@code h' = tanh(W_ih·x + b_ih + W_hh·h + b_hh)} (or relu). */
public class RNN extends RNNBase {
    private final String nonlinearity;

    public RNN(int inputSize, int hiddenSize) { this(inputSize, hiddenSize, 1, false); }

    public RNN(int inputSize, int hiddenSize, int numLayers, boolean batchFirst) { this(inputSize, hiddenSize, numLayers, "tanh", true, batchFirst, 0, false); }

    /** {@code nonlinearity} is "tanh" or "relu". */
    public RNN(int inputSize, int hiddenSize, int numLayers, String nonlinearity, boolean bias, boolean batchFirst, double dropout, boolean bidirectional) {
        super(1, inputSize, hiddenSize, numLayers, bias, batchFirst, dropout, bidirectional);
        if (!nonlinearity.equals("tanh") && !nonlinearity.equals("relu")) throw new IllegalArgumentException("Unknown nonlinearity '" + nonlinearity + "'");
        this.nonlinearity = nonlinearity;
    }

    public String nonlinearity() { return nonlinearity; }

    /** Output sequence and final {@code h} from {@code h0} (null: zeros). */
    public RnnOutput forward(Tensor x, Tensor h0) { return run(x, h0, null); }

    @Override
    protected Tensor[] cell(Tensor gi, Tensor[] state, Tensor wHh, Tensor bHh) { return new Tensor[] {F.rnnStep(gi, state[0], wHh, bHh, nonlinearity)}; }

    @Override
    protected Tensor[] layer(Tensor input, Tensor h0, Tensor c0, Tensor[] weights, Tensor[] reverseWeights) {
        return F.rnnLayer(input, h0, weights, reverseWeights, nonlinearity);
    }
}
