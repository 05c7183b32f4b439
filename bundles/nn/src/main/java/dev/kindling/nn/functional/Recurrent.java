package dev.kindling.nn.functional;

import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;

import java.util.ArrayList;
import java.util.List;

/**
 * {@link F}'s recurrent layers: one layer of an RNN, LSTM or GRU over a seq-first sequence, both directions when
 * reverse weights are given, and the single time steps they are made of (PyTorch's gate order and formulas).
 */
final class Recurrent {
    private Recurrent() {}

    /** One time step of one direction: {@code gi} is the input projection at this step; returns the new state. */
    @FunctionalInterface
    interface Step {
        Tensor[] apply(Tensor gi, Tensor[] state, Tensor wHh, Tensor bHh);
    }

    static Tensor[] lstmStep(Tensor gi, Tensor h, Tensor c, Tensor wHh, Tensor bHh) {
        List<Tensor> g = gi.add(Convolutions.linear(h, wHh, bHh)).chunk(4, 1);
        Tensor i = g.get(0).sigmoid(), f = g.get(1).sigmoid(), cell = g.get(2).tanh(), o = g.get(3).sigmoid();
        Tensor cy = f.mul(c).add(i.mul(cell));
        return new Tensor[] {o.mul(cy.tanh()), cy};
    }

    static Tensor gruStep(Tensor gi, Tensor h, Tensor wHh, Tensor bHh) {
        List<Tensor> i = gi.chunk(3, 1);
        List<Tensor> hh = Convolutions.linear(h, wHh, bHh).chunk(3, 1);
        Tensor r = i.get(0).add(hh.get(0)).sigmoid();
        Tensor z = i.get(1).add(hh.get(1)).sigmoid();
        Tensor n = i.get(2).add(r.mul(hh.get(2))).tanh();
        return n.add(z.mul(h.sub(n)));
    }

    static Tensor rnnStep(Tensor gi, Tensor h, Tensor wHh, Tensor bHh, String nonlinearity) {
        Tensor pre = gi.add(Convolutions.linear(h, wHh, bHh));
        return nonlinearity.equals("tanh") ? pre.tanh() : pre.relu();
    }

    /**
     * One layer over {@code x} [L, N, in]: {@code weights} and {@code reverse} (null: one direction) are
     * {w_ih, w_hh, b_ih, b_hh} (biases may be null); {@code initial} holds each state part [dirs, N, hidden] or null
     * (zeros). Returns the output [L, N, dirs*hidden] and each final state part [dirs, N, hidden].
     */
    static Tensor[] layer(Step step, Tensor x, Tensor[] initial, Tensor[] weights, Tensor[] reverse) {
        if (x.dim() != 3) throw new IllegalArgumentException("a recurrent layer takes a [L, N, in] sequence, got " + java.util.Arrays.toString(x.shape()));
        int dirs = reverse == null ? 1 : 2;
        long steps = x.size(0), batch = x.size(1), hidden = weights[1].size(1);
        List<Tensor> outputs = new ArrayList<>(dirs);
        List<List<Tensor>> finals = new ArrayList<>();
        for (int part = 0; part < initial.length; part++) finals.add(new ArrayList<>(dirs));
        for (int dir = 0; dir < dirs; dir++) {
            Tensor[] w = dir == 0 ? weights : reverse;
            Tensor gi = Convolutions.linear(x, w[0], w[2]);
            Tensor[] state = new Tensor[initial.length];
            for (int part = 0; part < state.length; part++) {
                state[part] = initial[part] != null ? initial[part].get(dir) : Torch.zeros(new long[] {batch, hidden}, x.dtype(), x.device());
            }
            Tensor[] outs = new Tensor[(int) steps];
            for (long i = 0; i < steps; i++) {
                long t = dir == 0 ? i : steps - 1 - i;
                state = step.apply(gi.get(t), state, w[1], w[3]);
                outs[(int) t] = state[0];
            }
            outputs.add(Torch.stack(outs));
            for (int part = 0; part < state.length; part++) finals.get(part).add(state[part]);
        }
        Tensor[] result = new Tensor[1 + initial.length];
        result[0] = dirs == 1 ? outputs.get(0) : Torch.cat(outputs, 2);
        for (int part = 0; part < initial.length; part++) result[1 + part] = Torch.stack(finals.get(part));
        return result;
    }

    /** The 4 weights of one direction from a functional's inputs starting at {@code from}; null when absent (no reverse). */
    static Tensor[] weights(Tensor[] in, int from) {
        if (in[from] == null) return null;
        return new Tensor[] {in[from], in[from + 1], in[from + 2], in[from + 3]};
    }
}
