package dev.kindling.train.internal;

import dev.kindling.api.DType;
import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;
import dev.kindling.data.transforms.Transform;
import dev.kindling.io.Safetensors;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/** Files of raw samples for {@code kindling:predict}: CSV or safetensors rows, shaped and preprocessed like the run's. */
final class InputFiles {
    private InputFiles() {}

    /** Whether {@code name} is a samples file rather than a dataset name. */
    static boolean isInputFile(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        return lower.endsWith(".csv") || lower.endsWith(".csv.gz") || lower.endsWith(".tsv") || lower.endsWith(".txt")
                || lower.endsWith(".safetensors");
    }

    /** One tensor per sample in file {@code f}, named {@code name} on the command line, which tells its format. */
    static List<Tensor> rows(String name, Path f) {
        return name.toLowerCase(Locale.ROOT).endsWith(".safetensors") ? safetensorsRows(f) : csvRows(f);
    }

    /** Raw samples reshaped to the run's raw sample shape and dtype, then preprocessed as in training. */
    static List<Tensor> preprocess(List<Tensor> rows, RunConfig run, boolean raw) {
        if (run == null || run.rawShape.isEmpty()) return rows;
        long[] shape = RunConfig.array(raw ? run.inputShape : run.rawShape);
        long numel = 1;
        for (long d : shape) numel *= d;
        DType dtype = raw || run.rawDtype == null ? DType.FLOAT32 : DType.of(run.rawDtype);
        Transform<Tensor, Tensor> pre = raw ? null : DataPrep.preprocessing(run.dataset, shape, dtype, run.imageLayout);
        List<Tensor> out = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            Tensor r = rows.get(i);
            if (r.numel() != numel) {
                throw new IllegalArgumentException("kindling:predict: row " + (i + 1) + " has " + r.numel() + " values, but " + (raw ? "the model's inputs are "
                        : run.dataset + " samples are ") + Arrays.toString(shape) + " (" + numel + " values)");
            }
            Tensor s = r.reshape(shape).to(dtype);
            out.add(pre == null ? s : pre.apply(s));
        }
        return out;
    }

    /** Numeric CSV rows (comma, tab or whitespace separated); a first row that is not numeric is a header. */
    static List<Tensor> csvRows(Path f) {
        List<Tensor> rows = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(f.toString().endsWith(".gz")
                ? new GZIPInputStream(Files.newInputStream(f)) : Files.newInputStream(f), StandardCharsets.UTF_8))) {
            String line;
            int no = 0;
            int width = -1;
            while ((line = r.readLine()) != null) {
                no++;
                String s = line.trim();
                if (s.isEmpty() || s.startsWith("#")) continue;
                String[] cells = s.split(s.contains(",") ? "\\s*,\\s*" : s.contains("\t") ? "\t" : "\\s+");
                float[] v = new float[cells.length];
                boolean numeric = true;
                for (int i = 0; i < cells.length && numeric; i++) {
                    try {
                        v[i] = Float.parseFloat(cells[i].trim());
                    } catch (NumberFormatException e) {
                        numeric = false;
                    }
                }
                if (!numeric) {
                    if (rows.isEmpty() && width < 0) {
                        width = cells.length; // header
                        continue;
                    }
                    throw new IllegalArgumentException("kindling:predict: " + f.getFileName() + " line " + no + " is not numeric: " + s);
                }
                if (width >= 0 && cells.length != width) {
                    throw new IllegalArgumentException("kindling:predict: " + f.getFileName() + " line " + no + " has " + cells.length + " values, expected " + width);
                }
                width = cells.length;
                rows.add(Torch.tensor(v));
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("kindling:predict: cannot read " + f + ": " + Text.message(e), e);
        }
        if (rows.isEmpty()) throw new IllegalArgumentException("kindling:predict: " + f + " has no rows");
        return rows;
    }

    /** The rows of tensor {@code input} (or {@code inputs}, {@code x}, {@code data}, or the only tensor). */
    static List<Tensor> safetensorsRows(Path f) {
        Map<String, Tensor> m;
        try {
            m = Safetensors.load(f);
        } catch (IOException e) {
            throw new IllegalArgumentException("kindling:predict: cannot read " + f + ": " + Text.message(e), e);
        }
        Tensor t = null;
        for (String k : List.of("input", "inputs", "x", "data")) if (m.containsKey(k)) t = m.get(k);
        if (t == null && m.size() == 1) t = m.values().iterator().next();
        if (t == null) throw new IllegalArgumentException("kindling:predict: " + f + " holds " + m.keySet() + ": name the inputs 'input' or keep only one tensor");
        if (t.dim() < 1 || t.size(0) == 0) throw new IllegalArgumentException("kindling:predict: the inputs in " + f + " need a first (sample) dimension");
        List<Tensor> rows = new ArrayList<>();
        for (long i = 0; i < t.size(0); i++) rows.add(t.select(0, i));
        return rows;
    }
}
