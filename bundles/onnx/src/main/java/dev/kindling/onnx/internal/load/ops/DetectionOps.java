package dev.kindling.onnx.internal.load.ops;

import dev.kindling.api.Tensor;
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
