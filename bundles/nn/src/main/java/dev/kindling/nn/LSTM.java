package dev.kindling.nn;

import dev.kindling.api.Tensor;
import dev.kindling.nn.functional.F;


/**
 * Long short-term memory, gates in PyTorch's order (input, forget, cell, output):
 * {@code c' = f·c + i·g}, {@code h' = o·tanh(c')}.
 */
public class LSTM extends RNNBase {
    public LSTM(int inputSize, int hiddenSize) { this(inputSize, hiddenSize, 1, false); }

    public LSTM(int inputSize, int hiddenSize, int numLayers, boolean batchFirst) { this(inputSize, hiddenSize, numLayers, true, batchFirst, 0, false); }

    /** All of PyTorch's options but {@code proj_size}. */
    public LSTM(int inputSize, int hiddenSize, int numLayers, boolean bias, boolean batchFirst, double dropout, boolean bidirectional) {
        super(4, inputSize, hiddenSize, numLayers, bias, batchFirst, dropout, bidirectional);
    }

    /** Output sequence and final {@code (h, c)} from {@code h0}, {@code c0} ({@code [layers·directions, N, hidden]}; null: zeros). */
    public RnnOutput forward(Tensor x, Tensor h0, Tensor c0) { return run(x, h0, c0); }

    @Override
    protected boolean hasCellState() { return true; }

    @Override
    protected Tensor[] cell(Tensor gi, Tensor[] state, Tensor wHh, Tensor bHh) { return F.lstmStep(gi, state[0], state[1], wHh, bHh); }

    @Override
    protected Tensor[] layer(Tensor input, Tensor h0, Tensor c0, Tensor[] weights, Tensor[] reverseWeights) {
        return F.lstmLayer(input, h0, c0, weights, reverseWeights);
    }
}
