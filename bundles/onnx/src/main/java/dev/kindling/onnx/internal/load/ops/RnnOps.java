package dev.kindling.onnx.internal.load.ops;

import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;
import dev.kindling.onnx.internal.load.OpContext;
import dev.kindling.onnx.internal.load.OpTable;

import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * RNN, GRU and LSTM, unrolled over time with Kindling ops (so they train). ONNX gate orders: LSTM i, o, f, c; GRU
 * z, r, h. {@code sequence_lens} is honoured by masking: a batch entry's state only advances at steps before its
 * length, and its outputs there are zero, which also gives the reverse direction the right start.
 */
public final class RnnOps {
    private RnnOps() {}

    private enum Kind { RNN(1), GRU(3), LSTM(4); final int gates; Kind(int g) { gates = g; } }

    public static void register(OpTable t) {
        t.put("RNN", c -> run(c, Kind.RNN));
        t.put("GRU", c -> run(c, Kind.GRU));
        t.put("LSTM", c -> run(c, Kind.LSTM));
    }

    private static Tensor[] run(OpContext c, Kind kind) {
        Tensor x = c.in(0), w = c.in(1), r = c.in(2), b = c.opt(3), lens = c.opt(4), h0 = c.opt(5);
        Tensor c0 = kind == Kind.LSTM ? c.opt(6) : null, peep = kind == Kind.LSTM ? c.opt(7) : null;
        boolean batchFirst = c.i("layout", 0) != 0;
        if (batchFirst) {
            x = x.transpose(0, 1);
            if (h0 != null) h0 = h0.transpose(0, 1);
            if (c0 != null) c0 = c0.transpose(0, 1);
        }
        String direction = c.s("direction", "forward");
        int dirs = direction.equals("bidirectional") ? 2 : 1;
        if (!direction.equals("forward") && !direction.equals("reverse") && dirs == 1) throw c.error("direction '" + direction + "' is unknown");
        long hidden = w.size(1) / kind.gates;
        if (c.has("hidden_size") && c.i("hidden_size", 0) != hidden) throw c.error("hidden_size " + c.i("hidden_size", 0) + " does not match W " + java.util.Arrays.toString(w.shape()));
        long seq = x.size(0), batch = x.size(1);
        double clip = c.f("clip", 0f);
        List<UnaryOperator<Tensor>> acts = activations(c, kind, dirs);
        boolean lbr = c.i("linear_before_reset", 0) != 0;
        boolean coupled = c.i("input_forget", 0) != 0;
        Tensor mask = null;
        if (lens != null) {
            Tensor steps = Torch.arange(seq).unsqueeze(1).to(x.device());
            mask = steps.lt(lens.toLong().unsqueeze(0)).unsqueeze(2).to(x.dtype()); // [seq, batch, 1]
        }
        List<Tensor> ys = new ArrayList<>(), hs = new ArrayList<>(), cs = new ArrayList<>();
        for (int d = 0; d < dirs; d++) {
            boolean reverse = direction.equals("reverse") || d == 1;
            Tensor wd = w.select(0, d), rd = r.select(0, d);
            Tensor wb = null, rb = null;
            if (b != null) {
                Tensor bd = b.select(0, d);
                long gh = kind.gates * hidden;
                wb = bd.narrow(0, 0, gh);
                rb = bd.narrow(0, gh, gh);
            }
            Tensor h = h0 != null ? h0.select(0, d) : Torch.zeros(new long[] {batch, hidden}, x.dtype(), x.device());
            Tensor cell = c0 != null ? c0.select(0, d) : Torch.zeros(new long[] {batch, hidden}, x.dtype(), x.device());
            Tensor pi = null, po = null, pf = null;
            if (peep != null) {
                Tensor p = peep.select(0, d);
                pi = p.narrow(0, 0, hidden);
                po = p.narrow(0, hidden, hidden);
                pf = p.narrow(0, 2 * hidden, hidden);
            }
            UnaryOperator<Tensor> f = acts.get(d * 3), g = acts.get(d * 3 + 1), hAct = acts.get(d * 3 + 2);
            Tensor xw = x.matmul(wd.t()); // [seq, batch, gates*hidden]
            if (wb != null) xw = xw.add(wb);
            Tensor[] out = new Tensor[(int) seq];
            for (int s = 0; s < seq; s++) {
                int step = reverse ? (int) (seq - 1 - s) : s;
                Tensor xt = xw.select(0, step);
                Tensor hr = h.matmul(rd.t());
                if (rb != null && kind != Kind.GRU) hr = hr.add(rb); // GRU adds Rb per gate
                Tensor hNew, cNew = null;
                switch (kind) {
                    case RNN: hNew = f.apply(clip(xt.add(hr), clip)); break;
                    case GRU: {
                        Tensor hz = gate(hr, 0, hidden), hrr = gate(hr, 1, hidden);
                        if (rb != null) {
                            hz = hz.add(gate(rb, 0, hidden));
                            hrr = hrr.add(gate(rb, 1, hidden));
                        }
                        Tensor z = f.apply(clip(gate(xt, 0, hidden).add(hz), clip));
                        Tensor rr = f.apply(clip(gate(xt, 1, hidden).add(hrr), clip));
                        // linear_before_reset applies the reset gate after the recurrent product, else before it
                        Tensor hh = lbr ? gate(hr, 2, hidden) : rr.mul(h).matmul(rd.narrow(0, 2 * hidden, hidden).t());
                        if (rb != null) hh = hh.add(gate(rb, 2, hidden));
                        if (lbr) hh = rr.mul(hh);
                        Tensor cand = g.apply(clip(gate(xt, 2, hidden).add(hh), clip));
                        hNew = z.neg().add(1.0).mul(cand).add(z.mul(h));
                        break;
                    }
                    default: {
                        Tensor a = xt.add(hr);
                        Tensor iPre = gate(a, 0, hidden), oPre = gate(a, 1, hidden), fPre = gate(a, 2, hidden), cPre = gate(a, 3, hidden);
                        if (pi != null) {
                            iPre = iPre.add(pi.mul(cell));
                            fPre = fPre.add(pf.mul(cell));
                        }
                        Tensor ig = f.apply(clip(iPre, clip));
                        Tensor fg = coupled ? ig.neg().add(1.0) : f.apply(clip(fPre, clip));
                        Tensor cg = g.apply(clip(cPre, clip));
                        cNew = fg.mul(cell).add(ig.mul(cg));
                        if (po != null) oPre = oPre.add(po.mul(cNew));
                        Tensor og = f.apply(clip(oPre, clip));
                        hNew = og.mul(hAct.apply(cNew));
                    }
                }
                if (mask != null) {
                    Tensor m = mask.select(0, step);
                    Tensor keep = m.neg().add(1.0);
                    hNew = hNew.mul(m).add(h.mul(keep));
                    if (cNew != null) cNew = cNew.mul(m).add(cell.mul(keep));
                    out[step] = hNew.mul(m);
                } else {
                    out[step] = hNew;
                }
                h = hNew;
                if (cNew != null) cell = cNew;
            }
            ys.add(Torch.stack(java.util.Arrays.asList(out), 0)); // [seq, batch, hidden]
            hs.add(h);
            cs.add(cell);
        }
        Tensor y = Torch.stack(ys, 1); // [seq, dirs, batch, hidden]
        Tensor yh = Torch.stack(hs, 0), yc = Torch.stack(cs, 0);
        if (batchFirst) {
            y = y.permute(2, 0, 1, 3);
            yh = yh.transpose(0, 1);
            yc = yc.transpose(0, 1);
        }
        return kind == Kind.LSTM ? new Tensor[] {y, yh, yc} : new Tensor[] {y, yh};
    }

    private static Tensor gate(Tensor t, int k, long hidden) {
        return t.narrow(t.dim() - 1, k * hidden, hidden);
    }

    private static Tensor clip(Tensor t, double clip) {
        return clip > 0 ? t.clamp(-clip, clip).to(t.dtype()) : t;
    }

    /** Per direction: f, g, h (RNN uses f only; GRU f, g). */
    private static List<UnaryOperator<Tensor>> activations(OpContext c, Kind kind, int dirs) {
        String[] names = c.strings("activations");
        float[] alphas = c.floats("activation_alpha"), betas = c.floats("activation_beta");
        String[] defaults = kind == Kind.RNN ? new String[] {"Tanh"} : kind == Kind.GRU ? new String[] {"Sigmoid", "Tanh"} : new String[] {"Sigmoid", "Tanh", "Tanh"};
        int per = defaults.length;
        if (names != null && names.length != per * dirs) throw c.error("activations must list " + per * dirs + " functions, got " + names.length);
        List<UnaryOperator<Tensor>> out = new ArrayList<>();
        int ab = 0;
        for (int d = 0; d < dirs; d++) {
            for (int k = 0; k < 3; k++) {
                if (k >= per) {
                    out.add(UnaryOperator.identity());
                    continue;
                }
                String name = names == null ? defaults[k] : names[d * per + k];
                Float a = alphas != null && ab < alphas.length ? alphas[ab] : null;
                Float b = betas != null && ab < betas.length ? betas[ab] : null;
                if (names != null && takesParams(name)) ab++;
                out.add(activation(c, name, a, b));
            }
        }
        return out;
    }

    private static boolean takesParams(String name) {
        switch (name.toLowerCase(java.util.Locale.ROOT)) {
            case "leakyrelu": case "thresholdedrelu": case "scaledtanh": case "hardsigmoid": case "elu": case "softplus": case "affine": return true;
            default: return false;
        }
    }

    private static UnaryOperator<Tensor> activation(OpContext c, String name, Float alpha, Float beta) {
        switch (name.toLowerCase(java.util.Locale.ROOT)) {
            case "sigmoid": return Tensor::sigmoid;
            case "tanh": return Tensor::tanh;
            case "relu": return Tensor::relu;
            case "softsign": return x -> x.div(x.abs().add(1.0));
            case "softplus": return ElementwiseOps::softplus;
            case "leakyrelu": { double a = alpha == null ? 0.01 : alpha; return x -> Torch.where(x.lt(0.0), x.mul(a), x); }
            case "thresholdedrelu": { double a = alpha == null ? 1 : alpha; return x -> x.where(x.gt(a), 0.0); }
            case "hardsigmoid": {
                double a = alpha == null ? 0.2 : alpha, b = beta == null ? 0.5 : beta;
                return x -> ElementwiseOps.hardSigmoid(x, a, b);
            }
            case "elu": { double a = alpha == null ? 1 : alpha; return x -> ElementwiseOps.elu(x, a); }
            case "scaledtanh": {
                double a = alpha == null ? 1 : alpha, b = beta == null ? 1 : beta;
                return x -> x.mul(b).tanh().mul(a);
            }
            case "affine": {
                double a = alpha == null ? 1 : alpha, b = beta == null ? 0 : beta;
                return x -> x.mul(a).add(b);
            }
            default: throw c.error("activation '" + name + "' is not supported");
        }
    }
}
