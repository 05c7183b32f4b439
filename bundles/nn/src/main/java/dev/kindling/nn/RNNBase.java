package dev.kindling.nn;

import dev.kindling.api.Generator;
import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;
import dev.kindling.nn.functional.F;
import dev.kindling.nn.internal.Py;

import java.util.ArrayList;
import java.util.List;

import org.osgi.annotation.versioning.ProviderType;

/**
 * What RNN, LSTM and GRU share (PyTorch's {@code RNNBase}): stacked layers, optional reverse direction, batch-first
 * layout, dropout between layers, and PyTorch's parameter names and layout ({@code weight_ih_l0},
 * {@code weight_hh_l0}, {@code bias_ih_l0}, {@code bias_hh_l0}, {@code ..._reverse}; gates stacked in PyTorch's order),
 * so a PyTorch state dict loads unchanged. Inputs are {@code [L, N, in]} ({@code [N, L, in]} batch-first) or unbatched
 * {@code [L, in]}.
 */
// The shared base of this bundle's RNN/LSTM/GRU; new layers extend Module.
@ProviderType
public abstract class RNNBase extends Module {
    protected final int inputSize;
    protected final int hiddenSize;
    protected final int numLayers;
    protected final boolean bias;
    protected final boolean batchFirst;
    protected final double dropout;
    protected final boolean bidirectional;
    private final int gates;

    protected RNNBase(int gates, int inputSize, int hiddenSize, int numLayers, boolean bias, boolean batchFirst, double dropout, boolean bidirectional) {
        if (hiddenSize <= 0) throw new IllegalArgumentException("hidden_size must be greater than zero");
        if (numLayers <= 0) throw new IllegalArgumentException("num_layers must be greater than zero");
        if (dropout < 0 || dropout > 1) throw new IllegalArgumentException("dropout should be a number in range [0, 1] representing the probability of an element being zeroed");
        this.gates = gates;
        this.inputSize = inputSize;
        this.hiddenSize = hiddenSize;
        this.numLayers = numLayers;
        this.bias = bias;
        this.batchFirst = batchFirst;
        this.dropout = dropout;
        this.bidirectional = bidirectional;
        int directions = bidirectional ? 2 : 1;
        for (int layer = 0; layer < numLayers; layer++) {
            for (int dir = 0; dir < directions; dir++) {
                long layerInput = layer == 0 ? inputSize : (long) hiddenSize * directions;
                String sfx = suffix(layer, dir);
                registerParameter("weight_ih" + sfx, Torch.empty((long) gates * hiddenSize, layerInput));
                registerParameter("weight_hh" + sfx, Torch.empty((long) gates * hiddenSize, hiddenSize));
                if (bias) {
                    registerParameter("bias_ih" + sfx, Torch.empty((long) gates * hiddenSize));
                    registerParameter("bias_hh" + sfx, Torch.empty((long) gates * hiddenSize));
                }
            }
        }
        resetParameters(null);
    }

    private static String suffix(int layer, int dir) { return "_l" + layer + (dir == 1 ? "_reverse" : ""); }

    /** Re-initialises as PyTorch: every parameter uniform in ±1/√hidden, in parameter order. */
    public void resetParameters(Generator generator) {
        double stdv = 1.0 / Math.sqrt(hiddenSize);
        for (Tensor p : parameters()) init.uniform_(p, -stdv, stdv, generator);
    }

    public int inputSize() { return inputSize; }

    public int hiddenSize() { return hiddenSize; }

    public int numLayers() { return numLayers; }

    public boolean bias() { return bias; }

    public boolean batchFirst() { return batchFirst; }

    /** The dropout probability between layers (in training). */
    public double dropout() { return dropout; }

    public boolean bidirectional() { return bidirectional; }

    /** One time step of one layer and direction: {@code gi} is the input projection {@code x·W_ihᵀ + b_ih} at this step. */
    protected abstract Tensor[] cell(Tensor gi, Tensor[] state, Tensor wHh, Tensor bHh);

    /**
     * Runs one layer over a seq-first {@code [L, N, in]} input from initial states {@code h0}, {@code c0}
     * ({@code [dirs, N, hidden]}, null: zeros): returns the output and the final state parts (F.lstmLayer, ...).
     */
    protected abstract Tensor[] layer(Tensor input, Tensor h0, Tensor c0, Tensor[] weights, Tensor[] reverseWeights);

    /** {w_ih, w_hh, b_ih, b_hh} of one layer and direction (null biases when the layer has none). */
    private Tensor[] layerWeights(int layer, int dir) {
        String sfx = suffix(layer, dir);
        return new Tensor[] {parameter("weight_ih" + sfx), parameter("weight_hh" + sfx),
            bias ? parameter("bias_ih" + sfx) : null, bias ? parameter("bias_hh" + sfx) : null};
    }

    /** Whether the state has a cell part (LSTM). */
    protected boolean hasCellState() { return false; }

    /** The output sequence. */
    @Override
    public Tensor forward(Tensor x) { return run(x, null, null).output(); }

    /** Output sequence and final states, from the given initial state (null parts: zeros). */
    public RnnOutput forward(Tensor x, RnnOutput state) { return run(x, state == null ? null : state.h(), state == null ? null : state.c()); }

    @Override
    public Tensor forward(Tensor... inputs) {
        if (inputs.length == 1) return forward(inputs[0]);
        if (inputs.length == 2 || (inputs.length == 3 && hasCellState())) {
            return run(inputs[0], inputs[1], inputs.length == 3 ? inputs[2] : null).output();
        }
        throw new IllegalArgumentException(typeName() + ".forward() takes the input and the initial state, got " + inputs.length + " tensors");
    }

    protected RnnOutput run(Tensor x, Tensor h0, Tensor c0) {
        boolean batched = x.dim() == 3;
        if (x.dim() != 2 && x.dim() != 3) throw new IllegalArgumentException(typeName() + ": Expected input to be 2D or 3D, got " + x.dim() + "D instead");
        if (x.size(-1) != inputSize) throw new IllegalArgumentException("input.size(-1) must be equal to input_size. Expected " + inputSize + ", got " + x.size(-1));
        int directions = bidirectional ? 2 : 1;
        Tensor seq = batched ? (batchFirst ? x.transpose(0, 1) : x) : x.unsqueeze(1);
        long batch = seq.size(1);
        long[] stateShape = {(long) numLayers * directions, batch, hiddenSize};
        Tensor h = h0 == null ? null : prepareState(h0, stateShape, batched, "hx");
        Tensor c = hasCellState() && c0 != null ? prepareState(c0, stateShape, batched, "cx") : null;
        // One functional per layer (lstm_layer, gru_layer, rnn_layer), so a trace records each layer as one node.
        List<Tensor> hN = new ArrayList<>();
        List<Tensor> cN = new ArrayList<>();
        Tensor layerInput = seq;
        for (int layer = 0; layer < numLayers; layer++) {
            Tensor hl = h0 == null ? null : h.narrow(0, (long) layer * directions, directions);
            Tensor cl = c0 == null || c == null ? null : c.narrow(0, (long) layer * directions, directions);
            Tensor[] r = layer(layerInput, hl, cl, layerWeights(layer, 0), bidirectional ? layerWeights(layer, 1) : null);
            layerInput = r[0];
            hN.add(r[1]);
            if (r.length > 2) cN.add(r[2]);
            if (dropout > 0 && isTraining() && layer < numLayers - 1) layerInput = F.dropout(layerInput, dropout, true);
        }
        Tensor hOut = hN.size() == 1 ? hN.get(0) : Torch.cat(hN, 0);
        Tensor cOut = cN.isEmpty() ? null : cN.size() == 1 ? cN.get(0) : Torch.cat(cN, 0);
        Tensor output = layerInput;
        if (!batched) {
            output = output.squeeze(1);
            hOut = hOut.squeeze(1);
            if (cOut != null) cOut = cOut.squeeze(1);
        } else if (batchFirst) {
            output = output.transpose(0, 1);
        }
        return new RnnOutput(output, hOut, cOut);
    }

    private Tensor prepareState(Tensor s, long[] shape, boolean batched, String name) {
        Tensor t = batched ? s : s.unsqueeze(1);
        if (!java.util.Arrays.equals(t.shape(), shape)) {
            long[] expected = batched ? shape : new long[] {shape[0], shape[2]};
            throw new IllegalArgumentException("Expected hidden size " + Py.tuple(expected) + ", got " + java.util.Arrays.toString(s.shape()) + " for " + name);
        }
        return t;
    }

    @Override
    public String extraRepr() {
        StringBuilder s = new StringBuilder().append(inputSize).append(", ").append(hiddenSize);
        if (numLayers != 1) s.append(", num_layers=").append(numLayers);
        if (!bias) s.append(", bias=False");
        if (batchFirst) s.append(", batch_first=True");
        if (dropout != 0) s.append(", dropout=").append(Py.repr(dropout));
        if (bidirectional) s.append(", bidirectional=True");
        return s.toString();
    }
}
