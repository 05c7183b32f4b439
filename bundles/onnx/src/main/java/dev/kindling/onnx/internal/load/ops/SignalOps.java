package dev.kindling.onnx.internal.load.ops;

import dev.kindling.api.DType;
import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;
import dev.kindling.onnx.internal.load.OpContext;
import dev.kindling.onnx.internal.load.OpTable;

import static dev.kindling.onnx.internal.load.ops.Util.one;

/**
 * Signal processing: DFT and STFT as matrix products with cos/sin tables (exact DFTs, O(n²), differentiable), the
 * window functions and the mel filter bank.
 */
public final class SignalOps {
    private SignalOps() {}

    public static void register(OpTable t) {
        window(t, "HannWindow", new double[] {0.5, -0.5});
        window(t, "HammingWindow", new double[] {25.0 / 46, -21.0 / 46});
        window(t, "BlackmanWindow", new double[] {0.42, -0.5, 0.08});
        t.put("DFT", SignalOps::dft);
        t.put("STFT", SignalOps::stft);
        t.put("MelWeightMatrix", SignalOps::mel);
    }

    /** A cosine-sum window {@code sum_k a_k cos(2 pi k n / D)}, D = size (periodic) or size - 1 (symmetric). */
    private static void window(OpTable t, String name, double[] a) {
        t.put(name, c -> {
            long n = (long) c.scalar(0, 0);
            if (n < 0) throw c.error("size " + n + " is negative");
            c.checkAlloc(new long[] {n});
            double denom = c.i("periodic", 1) != 0 ? n : n - 1;
            double[] v = new double[(int) n];
            for (int i = 0; i < n; i++) {
                for (int k = 0; k < a.length; k++) v[i] += a[k] * Math.cos(2 * Math.PI * k * i / denom);
            }
            return one(Torch.tensor(v, Util.dtype(c, c.i("output_datatype", 1)), n).to(c.in(0).device()));
        });
    }

    private static Tensor[] dft(OpContext c) {
        Tensor x = c.in(0);
        long axisRaw = c.opset() >= 20 ? (c.opt(2) == null ? -2 : (long) c.scalar(2, 0)) : c.i("axis", 1);
        int axis = c.axis(axisRaw, x.dim());
        if (axis == x.dim() - 1) throw c.error("the DFT axis cannot be the last (real/imaginary) axis");
        boolean inverse = c.i("inverse", 0) != 0, onesided = c.i("onesided", 0) != 0;
        long given = c.opt(1) == null ? -1 : (long) c.scalar(1, 0);
        long len = given > 0 ? given : inverse && onesided ? 2 * (x.size(axis) - 1) : x.size(axis);
        return one(transform(c, x, axis, len, inverse, onesided));
    }

    /**
     * The DFT of {@code x} ([..., 1] real or [..., 2] complex) along {@code axis}, the signal cropped or zero-padded to
     * {@code len}: forward gives [..., bins, 2]; inverse onesided (Hermitian input) gives the real signal [..., len, 1].
     */
    private static Tensor transform(OpContext c, Tensor x, int axis, long len, boolean inverse, boolean onesided) {
        long comps = x.size(x.dim() - 1);
        if (comps != 1 && comps != 2) throw c.error("the last axis must hold 1 (real) or 2 (complex) values, has " + comps);
        if (len <= 0) throw c.error("dft_length " + len + " must be positive");
        boolean realOut = inverse && onesided;
        long in = realOut ? len / 2 + 1 : len, out = realOut ? len : onesided ? len / 2 + 1 : len;
        c.checkAlloc(new long[] {in, out, 2});
        Tensor re = x.select(x.dim() - 1, 0), im = comps == 2 ? x.select(x.dim() - 1, 1) : null;
        int ax = axis; // the axis in re/im (the last axis is gone, and it was after `axis`)
        re = fit(re, ax, in);
        if (im != null) im = fit(im, ax, in);
        // tables [in, out]: angle 2 pi n k / len; the sign of the exponent is - forward, + inverse
        double[] cos = new double[(int) (in * out)], sin = new double[cos.length];
        for (int n = 0; n < in; n++) {
            for (int k = 0; k < out; k++) {
                double w = 1;
                if (realOut) w = n == 0 || (len % 2 == 0 && n == len / 2) ? 1 : 2; // Hermitian halves counted twice
                double ang = 2 * Math.PI * ((long) n * k % len) / len;
                cos[(int) (n * out + k)] = w * Math.cos(ang) / (inverse ? len : 1);
                sin[(int) (n * out + k)] = w * Math.sin(ang) / (inverse ? len : 1) * (inverse ? 1 : -1);
            }
        }
        Tensor cT = Torch.tensor(cos, x.dtype(), in, out).to(x.device()), sT = Torch.tensor(sin, x.dtype(), in, out).to(x.device());
        Tensor r = re.transpose(ax, re.dim() - 1), i = im == null ? null : im.transpose(ax, im.dim() - 1);
        // (r + i i)(cos + i sin) = r cos - i sin + i (r sin + i cos)
        Tensor outRe = r.matmul(cT), outIm = r.matmul(sT);
        if (i != null) {
            outRe = outRe.sub(i.matmul(sT));
            outIm = outIm.add(i.matmul(cT));
        }
        outRe = outRe.transpose(ax, outRe.dim() - 1);
        outIm = outIm.transpose(ax, outIm.dim() - 1);
        return realOut ? outRe.unsqueeze(outRe.dim()) : Torch.stack(outRe.dim(), outRe, outIm);
    }

    /** Crops or zero-pads {@code t} along {@code axis} to {@code n}. */
    private static Tensor fit(Tensor t, int axis, long n) {
        long have = t.size(axis);
        return have >= n ? t.narrow(axis, 0, n) : Util.padDim(t, axis, 0, n - have, 0);
    }

    private static Tensor[] stft(OpContext c) {
        Tensor x = c.in(0), window = c.opt(2);
        if (x.dim() != 3) throw c.error("signal must be [batch, length, 1 or 2]");
        long step = (long) c.scalar(1, 0);
        long frame = c.opt(3) != null ? (long) c.scalar(3, 0) : window != null ? window.numel() : x.size(1);
        if (step <= 0 || frame <= 0 || frame > x.size(1)) throw c.error("frame_step " + step + " / frame_length " + frame + " do not fit a signal of " + x.size(1));
        if (window != null && window.numel() != frame) throw c.error("window has " + window.numel() + " values for frames of " + frame);
        long frames = 1 + (x.size(1) - frame) / step;
        Tensor f = x.narrow(1, 0, (frames - 1) * step + frame).unfold(1, frame, step).permute(0, 1, 3, 2); // [B, frames, frame, c]
        if (window != null) f = f.mul(window.to(x.dtype()).reshape(1, 1, frame, 1));
        return one(transform(c, f, 2, frame, false, c.i("onesided", 1) != 0));
    }

    private static Tensor[] mel(OpContext c) {
        long mels = (long) c.scalar(0, 0), dftLen = (long) c.scalar(1, 0), rate = (long) c.scalar(2, 0);
        double lo = c.scalar(3, 0), hi = c.scalar(4, 0);
        if (mels <= 0 || dftLen <= 0 || rate <= 0) throw c.error("num_mel_bins, dft_length and sample_rate must be positive");
        long bins = dftLen / 2 + 1;
        c.checkAlloc(new long[] {bins, mels});
        // mel-spaced edges mapped to spectrogram bins; triangles rise from each edge to the next and fall after
        double loMel = 2595 * Math.log10(1 + lo / 700), hiMel = 2595 * Math.log10(1 + hi / 700);
        double step = (hiMel - loMel) / (mels + 2);
        long[] edge = new long[(int) mels + 2];
        for (int i = 0; i < edge.length; i++) {
            double hz = 700 * (Math.pow(10, (i * step + loMel) / 2595) - 1);
            edge[i] = (long) Math.floor((dftLen + 1) * hz / rate);
        }
        double[] m = new double[(int) (bins * mels)];
        for (int i = 0; i < mels; i++) {
            long l = edge[i], mid = edge[i + 1], r = edge[i + 2];
            if (mid - l == 0) set(m, mels, mid, i, 1, bins);
            else for (long j = l; j <= mid; j++) set(m, mels, j, i, (double) (j - l) / (mid - l), bins);
            for (long j = mid; j < r; j++) set(m, mels, j, i, (double) (r - j) / (r - mid), bins);
        }
        DType dt = Util.dtype(c, c.i("output_datatype", 1));
        return one(Torch.tensor(m, dt, bins, mels).to(c.in(0).device()));
    }

    private static void set(double[] m, long mels, long row, int col, double v, long rows) {
        if (row >= 0 && row < rows) m[(int) (row * mels + col)] = v;
    }
}
