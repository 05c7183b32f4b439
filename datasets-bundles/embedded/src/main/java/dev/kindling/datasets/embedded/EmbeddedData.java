package dev.kindling.datasets.embedded;

import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;
import dev.kindling.data.Dataset;
import dev.kindling.data.Sample;
import dev.kindling.data.transforms.Transform;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPInputStream;

import org.osgi.annotation.versioning.ProviderType;

/**
 * A small table shipped as a resource: FLOAT32 feature vectors and INT64 class labels, parsed once per instance
 * (the files are a few kilobytes).
 */
// The shared base of this bundle's tables (Iris, Digits); users read them.
@ProviderType
public abstract class EmbeddedData implements Dataset<Sample> {
    private final float[] features;
    private final long[] labels;
    private final int n;
    private final int d;
    private final Transform<Tensor, Tensor> transform;
    private final Transform<Tensor, Tensor> targetTransform;

    protected EmbeddedData(float[] features, long[] labels, int d, Transform<Tensor, Tensor> transform, Transform<Tensor, Tensor> targetTransform) {
        this.features = features;
        this.labels = labels;
        this.n = labels.length;
        this.d = d;
        this.transform = transform;
        this.targetTransform = targetTransform;
    }

    /** The attribution and licence text of the shipped data (CC BY 4.0). */
    public static String notice() {
        return new String(resource("NOTICE.txt"), StandardCharsets.UTF_8);
    }

    static byte[] resource(String name) {
        try (InputStream in = EmbeddedData.class.getResourceAsStream(name)) {
            if (in == null) throw new IllegalStateException("resource dev/kindling/datasets/embedded/" + name + " is missing from the bundle");
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<String[]> rows(String name, boolean gzipped) {
        try (InputStream raw = EmbeddedData.class.getResourceAsStream(name)) {
            if (raw == null) throw new IllegalStateException("resource dev/kindling/datasets/embedded/" + name + " is missing from the bundle");
            InputStream in = gzipped ? new GZIPInputStream(raw) : raw;
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            List<String[]> out = new ArrayList<>();
            for (String line : text.split("\r?\n")) if (!line.isBlank()) out.add(line.split(","));
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public int size() { return n; }

    /** Features per sample. */
    public int numFeatures() { return d; }

    public abstract List<String> classes();

    public abstract List<String> featureNames();

    @Override
    public Sample get(int index) {
        if (index < 0 || index >= n) throw Dataset.outOfRange(index, n);
        Tensor x = Torch.tensor(Arrays.copyOfRange(features, index * d, index * d + d), d);
        if (transform != null) x = transform.apply(x);
        Tensor y = Torch.tensor(labels[index]);
        if (targetTransform != null) y = targetTransform.apply(y);
        return new Sample(x, y);
    }

    /** All features, FLOAT32 {@code [N, D]} (scikit-learn's {@code data}). */
    public Tensor data() { return Torch.tensor(features.clone(), n, d); }

    /** All labels, INT64 {@code [N]} (scikit-learn's {@code target}). */
    public Tensor targets() { return Torch.tensor(labels.clone(), n); }
}
