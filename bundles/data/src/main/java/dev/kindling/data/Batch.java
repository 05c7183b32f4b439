package dev.kindling.data;

import dev.kindling.api.Tensor;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One batch from a {@link DataLoader}: named fields in sample order, usually stacked tensors.
 *
 * <ul>
 *   <li>{@link Sample}s and other records give one field per component ({@code input}, {@code target}, ...);</li>
 *   <li>maps ("dict-like" samples) give one field per key;</li>
 *   <li>lists and arrays (tuples, e.g. from {@link TensorDataset}) give fields {@code "0"}, {@code "1"}, ...;</li>
 *   <li>a lone tensor or number gives the single field {@code input}.</li>
 * </ul>
 *
 * {@link #inputs()} is the field {@code input} (or {@code inputs}, {@code x}, {@code image}, {@code features}, else
 * the first field), {@link #targets()} the field {@code target} (or {@code targets}, {@code label}, {@code labels},
 * {@code y}, else the second field).
 */
public final class Batch {
    private static final List<String> INPUT_NAMES = List.of("input", "inputs", "x", "image", "images", "features", "data");
    private static final List<String> TARGET_NAMES = List.of("target", "targets", "label", "labels", "y");

    private final Map<String, Object> fields;
    private final int size;

    /**
     * @param fields the collated fields, in order (values are usually tensors; lists, maps and null are kept as they are)
     * @param size the number of samples in the batch
     */
    public Batch(Map<String, ?> fields, int size) {
        if (size < 0) throw new IllegalArgumentException("batch size must not be negative, got " + size);
        this.fields = Collections.unmodifiableMap(new LinkedHashMap<>(fields));
        this.size = size;
    }

    /** A batch of inputs and targets (targets may be null). */
    public static Batch of(Tensor inputs, Tensor targets) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("input", inputs);
        m.put("target", targets);
        return new Batch(m, inputs.dim() == 0 ? 1 : (int) inputs.size(0));
    }

    /** The number of samples in this batch (the last batch of an epoch may be smaller). */
    public int size() { return size; }

    /** Field names, in order. */
    public List<String> names() { return new ArrayList<>(fields.keySet()); }

    /** The fields, in order. */
    public Map<String, Object> asMap() { return fields; }

    public boolean has(String name) { return fields.containsKey(name); }

    /** The stacked inputs. */
    public Tensor inputs() { return tensor(pick(INPUT_NAMES, 0, "inputs")); }

    /** The stacked targets; null where the samples had none. */
    public Tensor targets() { return tensor(pick(TARGET_NAMES, 1, "targets")); }

    /** A field that holds a tensor, by name. */
    public Tensor get(String name) { return tensor(require(name)); }

    /** A field that holds a tensor, by position. */
    public Tensor get(int position) {
        if (position < 0 || position >= fields.size()) {
            throw new IndexOutOfBoundsException("batch field " + position + " is out of range: the batch has " + fields.size()
                    + " fields " + fields.keySet());
        }
        return tensor(new ArrayList<>(fields.keySet()).get(position));
    }

    /** A field's value whatever it is (a tensor, a list of strings, a map of nested fields, null). */
    public Object value(String name) { return fields.get(require(name)); }

    private String require(String name) {
        if (!fields.containsKey(name)) throw new IllegalArgumentException("the batch has no field '" + name + "'; fields: " + fields.keySet());
        return name;
    }

    private String pick(List<String> names, int position, String what) {
        for (String n : names) if (fields.containsKey(n)) return n;
        if (position < fields.size()) return new ArrayList<>(fields.keySet()).get(position);
        throw new IllegalStateException("the batch has no " + what + ": its fields are " + fields.keySet());
    }

    private Tensor tensor(String name) {
        Object v = fields.get(name);
        if (v == null || v instanceof Tensor) return (Tensor) v;
        throw new IllegalStateException("batch field '" + name + "' holds a " + v.getClass().getSimpleName()
                + ", not a tensor; read it with value(\"" + name + "\")");
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("Batch(size=").append(size);
        for (Map.Entry<String, Object> e : fields.entrySet()) {
            sb.append(", ").append(e.getKey()).append('=');
            Object v = e.getValue();
            if (v instanceof Tensor) {
                Tensor t = (Tensor) v;
                sb.append(t.dtype().torchName()).append(java.util.Arrays.toString(t.shape()));
            } else {
                sb.append(v == null ? "null" : v.getClass().getSimpleName());
            }
        }
        return sb.append(')').toString();
    }
}
