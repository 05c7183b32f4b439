package dev.kindling.onnx.internal.load.ops;

import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;
import dev.kindling.onnx.internal.load.OpContext;
import dev.kindling.onnx.internal.load.OpTable;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

import static dev.kindling.onnx.internal.load.ops.Util.one;

/** NonMaxSuppression: greedy selection per batch and class, on the host (its output is indices, not differentiable). */
public final class DetectionOps {
    private DetectionOps() {}

    public static void register(OpTable t) {
        t.put("NonMaxSuppression", DetectionOps::nms);
        t.put("RoiAlign", DetectionOps::roiAlign);
    }

    /**
     * RoiAlign: each output bin averages (or maxes) bilinear samples on a regular grid inside its part of the region.
     * The sample positions and weights are found on the host; the values are gathered from X, so gradients reach X.
     */
    private static Tensor[] roiAlign(OpContext c) {
        Tensor x = c.in(0), roisT = c.in(1), batchT = c.in(2);
        if (x.dim() != 4 || roisT.dim() != 2 || roisT.size(1) != 4) throw c.error("X must be [N, C, H, W] and rois [R, 4]");
        long n = x.size(0), ch = x.size(1), h = x.size(2), w = x.size(3), r = roisT.size(0);
        long[] batch = batchT.toLongArray();
        if (batch.length != r) throw c.error("batch_indices has " + batch.length + " entries for " + r + " rois");
        int oh = (int) c.i("output_height", 1), ow = (int) c.i("output_width", 1);
        long sr = c.i("sampling_ratio", 0);
        double scale = c.f("spatial_scale", 1f);
        boolean max = c.s("mode", "avg").equals("max");
        if (!max && !c.s("mode", "avg").equals("avg")) throw c.error("mode must be avg or max");
        boolean half = c.opset() >= 16 && c.s("coordinate_transformation_mode", "half_pixel").equals("half_pixel");
        if (oh <= 0 || ow <= 0 || sr < 0) throw c.error("output_height/width must be positive and sampling_ratio not negative");
        double[] rois = roisT.toDoubleArray();
        double off = half ? 0.5 : 0;
        // per roi: grid size, from sampling_ratio or adaptively from the roi's size
        int[] gh = new int[(int) r], gw = new int[(int) r];
        int samples = 1;
        for (int i = 0; i < r; i++) {
            if (batch[i] < 0 || batch[i] >= n) throw c.error("batch index " + batch[i] + " is out of range");
            double rw = (rois[4 * i + 2] - rois[4 * i]) * scale, rh = (rois[4 * i + 3] - rois[4 * i + 1]) * scale;
            if (!half) {
                rw = Math.max(rw, 1);
                rh = Math.max(rh, 1);
            }
            gh[i] = (int) (sr > 0 ? sr : Math.ceil(rh / oh));
            gw[i] = (int) (sr > 0 ? sr : Math.ceil(rw / ow));
            samples = Math.max(samples, gh[i] * gw[i]);
        }
        c.checkAlloc(new long[] {r, ch, (long) oh * ow, samples, 4});
        int bins = oh * ow, per = samples * 4;
        long[] idx = new long[(int) (r * bins * per)];
        double[] wt = new double[idx.length], pad = new double[(int) (r * bins * samples)];
        for (int i = 0; i < r; i++) {
            double sw = rois[4 * i] * scale - off, shh = rois[4 * i + 1] * scale - off;
            double rw = rois[4 * i + 2] * scale - off - sw, rh = rois[4 * i + 3] * scale - off - shh;
            if (!half) {
                rw = Math.max(rw, 1);
                rh = Math.max(rh, 1);
            }
            double bh = rh / oh, bw = rw / ow;
            int count = Math.max(gh[i] * gw[i], 1);
            long base = batch[i] * h * w;
            for (int b = 0; b < bins; b++) {
                int ph = b / ow, pw = b % ow;
                for (int s = 0; s < samples; s++) {
                    int o = (int) ((((long) i * bins + b) * samples + s) * 4);
                    if (s >= gh[i] * gw[i]) {
                        pad[(int) (((long) i * bins + b) * samples + s)] = Double.NEGATIVE_INFINITY; // no such sample
                        continue;
                    }
                    double y = shh + ph * bh + (s / gw[i] + 0.5) * bh / gh[i];
                    double xx = sw + pw * bw + (s % gw[i] + 0.5) * bw / gw[i];
                    if (y < -1 || y > h || xx < -1 || xx > w) continue; // outside: contributes 0
                    y = Math.max(y, 0);
                    xx = Math.max(xx, 0);
                    long y0 = (long) y, x0 = (long) xx, y1, x1;
                    if (y0 >= h - 1) { y0 = y1 = h - 1; y = y0; } else { y1 = y0 + 1; }
                    if (x0 >= w - 1) { x0 = x1 = w - 1; xx = x0; } else { x1 = x0 + 1; }
                    double ly = y - y0, lx = xx - x0, hy = 1 - ly, hx = 1 - lx;
                    double div = max ? 1 : count;
                    long[] at = {y0 * w + x0, y0 * w + x1, y1 * w + x0, y1 * w + x1};
                    double[] ws = {hy * hx, hy * lx, ly * hx, ly * lx};
                    for (int k = 0; k < 4; k++) {
                        idx[o + k] = base + at[k];
                        wt[o + k] = ws[k] / div;
                    }
                }
            }
        }
        Tensor flat = x.permute(1, 0, 2, 3).reshape(ch, n * h * w); // [C, N*H*W]
        Tensor vals = flat.indexSelect(1, OpContext.longsLike(idx, x, idx.length)).reshape(ch, r, bins, samples, 4);
        Tensor weighted = vals.mul(Torch.tensor(wt, x.dtype(), 1, r, bins, samples, 4).to(x.device()));
        Tensor y;
        if (max) {
            Tensor perSample = weighted.amax(new int[] {4}, false).add(Torch.tensor(pad, x.dtype(), 1, r, bins, samples).to(x.device()));
            y = perSample.amax(new int[] {3}, false);
        } else {
            y = weighted.sum(new int[] {3, 4}, false);
        }
        return one(y.permute(1, 0, 2).reshape(r, ch, oh, ow));
    }

    private static Tensor[] nms(OpContext c) {
        Tensor boxesT = c.in(0), scoresT = c.in(1);
        if (boxesT.dim() != 3 || boxesT.size(2) != 4 || scoresT.dim() != 3) throw c.error("boxes must be [B, N, 4] and scores [B, C, N]");
        long batches = boxesT.size(0), n = boxesT.size(1), classes = scoresT.size(1);
        if (scoresT.size(0) != batches || scoresT.size(2) != n) throw c.error("boxes " + Arrays.toString(boxesT.shape()) + " and scores " + Arrays.toString(scoresT.shape()) + " disagree");
        long max = (long) c.scalar(2, 0);
        double iou = c.scalar(3, 0);
        Tensor thr = c.opt(4);
        double minScore = thr == null ? Double.NEGATIVE_INFINITY : c.scalar(4, 0);
        boolean center = c.i("center_point_box", 0) != 0;
        double[] boxes = boxesT.toDoubleArray(), scores = scoresT.toDoubleArray();
        List<long[]> picked = new ArrayList<>();
        for (int b = 0; b < batches; b++) {
            for (int k = 0; k < classes; k++) {
                int base = (int) ((b * classes + k) * n), bb = b;
                List<Integer> cand = new ArrayList<>();
                for (int i = 0; i < n; i++) if (scores[base + i] > minScore) cand.add(i);
                // by score, descending; equal scores keep the lower box index first
                cand.sort(Comparator.comparingDouble((Integer i) -> -scores[base + i]).thenComparingInt(i -> i));
                List<Integer> kept = new ArrayList<>();
                for (int i : cand) {
                    if (kept.size() >= max) break;
                    boolean suppressed = false;
                    for (int j : kept) {
                        if (overlap(boxes, (int) ((bb * n + i) * 4), (int) ((bb * n + j) * 4), center) > iou) {
                            suppressed = true;
                            break;
                        }
                    }
                    if (!suppressed) {
                        kept.add(i);
                        picked.add(new long[] {b, k, i});
                    }
                }
            }
        }
        long[] out = new long[picked.size() * 3];
        for (int i = 0; i < picked.size(); i++) System.arraycopy(picked.get(i), 0, out, 3 * i, 3);
        return one(OpContext.longsLike(out, boxesT, picked.size(), 3));
    }

    /** Intersection over union of two boxes: corners [y1, x1, y2, x2] (either order) or centres [xc, yc, w, h]. */
    private static double overlap(double[] v, int a, int b, boolean center) {
        double[] p = corners(v, a, center), q = corners(v, b, center);
        double ih = Math.min(p[2], q[2]) - Math.max(p[0], q[0]), iw = Math.min(p[3], q[3]) - Math.max(p[1], q[1]);
        if (ih <= 0 || iw <= 0) return 0;
        double inter = ih * iw;
        double union = (p[2] - p[0]) * (p[3] - p[1]) + (q[2] - q[0]) * (q[3] - q[1]) - inter;
        return union <= 0 ? 0 : inter / union;
    }

    private static double[] corners(double[] v, int o, boolean center) {
        if (center) {
            double xc = v[o], yc = v[o + 1], w = v[o + 2], h = v[o + 3];
            return new double[] {yc - h / 2, xc - w / 2, yc + h / 2, xc + w / 2};
        }
        return new double[] {Math.min(v[o], v[o + 2]), Math.min(v[o + 1], v[o + 3]), Math.max(v[o], v[o + 2]), Math.max(v[o + 1], v[o + 3])};
    }
}
