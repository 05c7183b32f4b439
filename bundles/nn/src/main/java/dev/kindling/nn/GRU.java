package dev.kindling.nn;

import dev.kindling.api.Tensor;
import dev.kindling.nn.functional.F;

import java.util.List;

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
    protected Tensor[] cell(Tensor gi, Tensor[] state, Tensor wHh, Tensor bHh) {
        Tensor h = state[0];
        List<Tensor> i = gi.chunk(3, 1);
        List<Tensor> hh = F.linear(h, wHh, bHh).chunk(3, 1);
        Tensor r = i.get(0).add(hh.get(0)).sigmoid();
        Tensor z = i.get(1).add(hh.get(1)).sigmoid();
        Tensor n = i.get(2).add(r.mul(hh.get(2))).tanh();
        return new Tensor[] {n.add(z.mul(h.sub(n)))};
    }
}
