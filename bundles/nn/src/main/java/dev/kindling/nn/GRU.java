package dev.kindling.nn;

import dev.kindling.api.Tensor;
import dev.kindling.nn.functional.F;


/**
 * Gated recurrent unit, gates in PyTorch's order (reset, update, new):
 * {@code n = tanh(W_in·x + b_in + r·(W_hn·h + b_hn))}, {@code h' = n + z·(h - n)}.
 */
public class GRU extends RNNBase {
    public GRU(int inputSize, int hiddenSize) { this(inputSize, hiddenSize, 1, false); }

    public GRU(int inputSize, int hiddenSize, int numLayers, boolean batchFirst) { this(inputSize, hiddenSize, numLayers, true, batchFirst, 0, false); }

    public GRU(int inputSize, int hiddenSize, int numLayers, boolean bias, boolean batchFirst, double dropout, boolean bidirectional) {
        super(3, inputSize, hiddenSize, numLayers, bias, batchFirst, dropout, bidirectional);
    }

    /** Output sequence and final {@code h} from {@code h0} ({@code [layers·directions, N, hidden]}; null: zeros). */
    public RnnOutput forward(Tensor x, Tensor h0) { return run(x, h0, null); }

    @Override
    protected Tensor[] cell(Tensor gi, Tensor[] state, Tensor wHh, Tensor bHh) { return new Tensor[] {F.gruStep(gi, state[0], wHh, bHh)}; }

    @Override
    protected Tensor[] layer(Tensor input, Tensor h0, Tensor c0, Tensor[] weights, Tensor[] reverseWeights) {
        return F.gruLayer(input, h0, weights, reverseWeights);
    }
}
