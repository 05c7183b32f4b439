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
        long steps = seq.size(0), batch = seq.size(1);
        long[] stateShape = {(long) numLayers * directions, batch, hiddenSize};
        Tensor h = prepareState(h0, stateShape, batched, seq, "hx");
        Tensor c = hasCellState() ? prepareState(c0, stateShape, batched, seq, "cx") : null;
        List<Tensor> hN = new ArrayList<>();
        List<Tensor> cN = new ArrayList<>();
        Tensor layerInput = seq;
        for (int layer = 0; layer < numLayers; layer++) {
            List<Tensor> dirOutputs = new ArrayList<>(directions);
            for (int dir = 0; dir < directions; dir++) {
                String sfx = suffix(layer, dir);
                int idx = layer * directions + dir;
                Tensor gi = F.linear(layerInput, parameter("weight_ih" + sfx), bias ? parameter("bias_ih" + sfx) : null);
                Tensor wHh = parameter("weight_hh" + sfx);
                Tensor bHh = bias ? parameter("bias_hh" + sfx) : null;
                Tensor[] state = c == null ? new Tensor[] {h.get(idx)} : new Tensor[] {h.get(idx), c.get(idx)};
                Tensor[] outs = new Tensor[(int) steps];
                for (long i = 0; i < steps; i++) {
                    long t = dir == 0 ? i : steps - 1 - i;
                    state = cell(gi.get(t), state, wHh, bHh);
                    outs[(int) t] = state[0];
                }
                dirOutputs.add(Torch.stack(outs));
                hN.add(state[0]);
                if (c != null) cN.add(state[1]);
            }
            layerInput = directions == 1 ? dirOutputs.get(0) : Torch.cat(dirOutputs, 2);
            if (dropout > 0 && isTraining() && layer < numLayers - 1) layerInput = F.dropout(layerInput, dropout, true);
        }
        Tensor output = layerInput;
        Tensor hOut = Torch.stack(hN);
        Tensor cOut = c == null ? null : Torch.stack(cN);
        if (!batched) {
            output = output.squeeze(1);
            hOut = hOut.squeeze(1);
            if (cOut != null) cOut = cOut.squeeze(1);
        } else if (batchFirst) {
            output = output.transpose(0, 1);
        }
        return new RnnOutput(output, hOut, cOut);
    }

    private Tensor prepareState(Tensor s, long[] shape, boolean batched, Tensor like, String name) {
        if (s == null) return Torch.zeros(shape, like.dtype(), like.device());
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
