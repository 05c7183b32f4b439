package dev.kindling.onnx.internal.load.ops;

import dev.kindling.api.DType;
import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;
import dev.kindling.onnx.internal.load.OpContext;
import dev.kindling.onnx.internal.load.OpTable;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static dev.kindling.onnx.internal.load.ops.Util.one;

/** TfIdfVectorizer over integer tokens (string pools need string tensors, which Kindling has not). */
public final class TextOps {
    private TextOps() {}

    public static void register(OpTable t) {
        t.put("TfIdfVectorizer", TextOps::tfidf);
    }

    /**
     * Counts the pool's n-grams in each row: for skip distance d = 1 .. max_skip_count + 1, every run of tokens d
     * apart; unigrams are counted at d = 1 only. Counts land at ngram_indexes[id] and are weighted per mode.
     */
    private static Tensor[] tfidf(OpContext c) {
        Tensor x = c.in(0);
        if (c.has("pool_strings")) throw c.error("string pools need string tensors, which are not supported");
        long[] pool = c.ints("pool_int64s"), counts = c.ints("ngram_counts"), indexes = c.ints("ngram_indexes");
        if (pool == null || counts == null || indexes == null) throw c.error("pool_int64s, ngram_counts and ngram_indexes are required");
        int minLen = (int) c.i("min_gram_length", 1), maxLen = (int) c.i("max_gram_length", 1), maxSkip = (int) c.i("max_skip_count", 0);
        String mode = c.s("mode", "TF");
        if (!mode.equals("TF") && !mode.equals("IDF") && !mode.equals("TFIDF")) throw c.error("mode '" + mode + "' is unknown");
        if (minLen < 1 || maxLen < minLen || maxSkip < 0) throw c.error("gram lengths " + minLen + ".." + maxLen + " / max_skip_count " + maxSkip + " are invalid");
        float[] weights = c.floats("weights");
        // n-gram (of the lengths asked for) -> its position among all the pool's n-grams, which indexes ngram_indexes
        Map<List<Long>, Integer> ids = new HashMap<>();
        int id = 0;
        for (int i = 0; i < counts.length; i++) {
            int size = i + 1;
            long start = counts[i], end = i + 1 < counts.length ? counts[i + 1] : pool.length;
            if (start < 0 || end > pool.length || end < start || (end - start) % size != 0) throw c.error("ngram_counts " + Arrays.toString(counts) + " do not fit the pool");
            for (long p = start; p < end; p += size, id++) {
                if (size < minLen || size > maxLen) continue;
                Long[] gram = new Long[size];
                for (int k = 0; k < size; k++) gram[k] = pool[(int) p + k];
                ids.put(List.of(gram), id);
            }
        }
        if (id > indexes.length) throw c.error("ngram_indexes has " + indexes.length + " entries for " + id + " n-grams");
        int outSize = 0;
        for (long ix : indexes) {
            if (ix < 0) throw c.error("ngram_indexes must not be negative");
            outSize = (int) Math.max(outSize, ix + 1);
        }
        if (x.dim() > 2) throw c.error("input must be [C] or [N, C]");
        long rows = x.dim() == 2 ? x.size(0) : 1, cols = x.dim() == 0 ? 1 : x.size(x.dim() - 1);
        c.checkAlloc(new long[] {rows, outSize});
        long[] tokens = x.toLongArray();
        double[] out = new double[(int) (rows * outSize)];
        for (int r = 0; r < rows; r++) {
            long[] f = new long[outSize];
            for (int d = 1; d <= maxSkip + 1; d++) {
                int least = d == 1 ? minLen : Math.max(minLen, 2);
                for (int s = 0; s < cols; s++) {
                    Long[] gram = new Long[maxLen];
                    for (int len = 1; len <= maxLen && s + (long) (len - 1) * d < cols; len++) {
                        gram[len - 1] = tokens[(int) (r * cols + s + (long) (len - 1) * d)];
                        if (len < least) continue;
                        Integer hit = ids.get(List.of(Arrays.copyOf(gram, len)));
                        if (hit != null) f[(int) indexes[hit]]++;
                    }
                }
            }
            for (int k = 0; k < outSize; k++) {
                double w = weights != null && k < weights.length ? weights[k] : 1;
                out[r * outSize + k] = mode.equals("TF") ? f[k] : mode.equals("IDF") ? (f[k] > 0 ? w : 0) : w * f[k];
            }
        }
        long[] shape = x.dim() == 2 ? new long[] {rows, outSize} : new long[] {outSize};
        return one(Torch.tensor(out, DType.FLOAT32, shape).to(x.device()));
    }
}
