package dev.kindling.data;

import dev.kindling.api.DType;
import dev.kindling.api.Device;
import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;

import java.lang.reflect.Array;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * PyTorch's {@code default_collate}: tensors are stacked along a new first dimension; integers become an INT64 tensor,
 * doubles FLOAT64, floats FLOAT32 and booleans BOOL (as Python ints, floats and bools do); strings stay a list;
 * maps, records (such as {@link Sample}) and lists are collated field by field, recursively.
 *
 * <p>Stacking contiguous CPU tensors of the common dtypes copies their elements straight into one array (no strided
 * kernel per sample), which is what makes a DataLoader epoch cheap.
 */
public final class DefaultCollate {
    private DefaultCollate() {}

    /** Collates whole samples into a {@link Batch} (see {@link Batch} for how samples map to fields). */
    public static Batch batch(List<?> samples) {
        if (samples.isEmpty()) throw new IllegalArgumentException("cannot collate an empty batch");
        Object first = samples.get(0);
        Map<String, Object> fields = new LinkedHashMap<>();
        if (first instanceof Sample) {
            List<Tensor> inputs = new ArrayList<>(samples.size());
            List<Tensor> targets = new ArrayList<>(samples.size());
            for (Object o : samples) {
                if (!(o instanceof Sample)) throw mixed(first, o);
                inputs.add(((Sample) o).input());
                targets.add(((Sample) o).target());
            }
            fields.put("input", collate(inputs));
            fields.put("target", collate(targets));
        } else if (first instanceof Map || first instanceof Record) {
            @SuppressWarnings("unchecked")
            Map<String, Object> m = (Map<String, Object>) collate(samples);
            fields.putAll(m);
        } else if (first instanceof List || (first != null && first.getClass().isArray() && !first.getClass().getComponentType().isPrimitive())) {
            @SuppressWarnings("unchecked")
            List<Object> l = (List<Object>) collate(samples);
            for (int i = 0; i < l.size(); i++) fields.put(Integer.toString(i), l.get(i));
        } else {
            fields.put("input", collate(samples));
        }
        return new Batch(fields, samples.size());
    }

    /** Collates one field's values (the recursive {@code default_collate}). */
    public static Object collate(List<?> values) {
        if (values.isEmpty()) throw new IllegalArgumentException("cannot collate an empty batch");
        Object first = values.get(0);
        if (first == null) {
            for (Object v : values) if (v != null) throw mixed(first, v);
            return null;
        }
        if (first instanceof Tensor) {
            List<Tensor> ts = new ArrayList<>(values.size());
            for (Object v : values) {
                if (!(v instanceof Tensor)) throw mixed(first, v);
                ts.add((Tensor) v);
            }
            return stack(ts);
        }
        if (first instanceof Number) return numbers(values);
        if (first instanceof Boolean) {
            boolean[] b = new boolean[values.size()];
            for (int i = 0; i < b.length; i++) {
                Object v = values.get(i);
                if (!(v instanceof Boolean)) throw mixed(first, v);
                b[i] = (Boolean) v;
            }
            return Torch.tensor(b, b.length);
        }
        if (first instanceof CharSequence) {
            List<String> out = new ArrayList<>(values.size());
            for (Object v : values) {
                if (!(v instanceof CharSequence)) throw mixed(first, v);
                out.add(v.toString());
            }
            return out;
        }
        if (first instanceof Map) {
            Map<?, ?> m0 = (Map<?, ?>) first;
            Map<String, Object> out = new LinkedHashMap<>();
            for (Object key : m0.keySet()) {
                List<Object> column = new ArrayList<>(values.size());
                for (Object v : values) {
                    if (!(v instanceof Map)) throw mixed(first, v);
                    Map<?, ?> m = (Map<?, ?>) v;
                    if (!m.containsKey(key)) throw new IllegalArgumentException("default_collate: sample is missing key '" + key + "'");
                    column.add(m.get(key));
                }
                out.put(String.valueOf(key), collate(column));
            }
            return out;
        }
        if (first instanceof Record) {
            RecordComponent[] comps = first.getClass().getRecordComponents();
            Map<String, Object> out = new LinkedHashMap<>();
            for (RecordComponent c : comps) {
                List<Object> column = new ArrayList<>(values.size());
                for (Object v : values) {
                    if (v == null || v.getClass() != first.getClass()) throw mixed(first, v);
                    column.add(component(c, v));
                }
                out.put(c.getName(), collate(column));
            }
            return out;
        }
        if (first instanceof List || first.getClass().isArray()) {
            if (first.getClass().isArray() && first.getClass().getComponentType().isPrimitive()) {
                throw new IllegalArgumentException("default_collate: found a primitive array (" + first.getClass().getSimpleName()
                        + "); wrap it in a tensor with Torch.tensor(...) first");
            }
            int n = length(first);
            List<Object> out = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                List<Object> column = new ArrayList<>(values.size());
                for (Object v : values) {
                    if (v == null || !(v instanceof List || v.getClass().isArray())) throw mixed(first, v);
                    if (length(v) != n) throw new IllegalArgumentException("each element in list of batch should be of equal size");
                    column.add(element(v, i));
                }
                out.add(collate(column));
            }
            return out;
        }
        throw new IllegalArgumentException("default_collate: batch must contain tensors, numbers, booleans, strings, maps, records or lists; found "
                + first.getClass().getName());
    }

    private static int length(Object listOrArray) {
        return listOrArray instanceof List ? ((List<?>) listOrArray).size() : Array.getLength(listOrArray);
    }

    private static Object element(Object listOrArray, int i) {
        return listOrArray instanceof List ? ((List<?>) listOrArray).get(i) : Array.get(listOrArray, i);
    }

    private static Object component(RecordComponent c, Object record) {
        try {
            return c.getAccessor().invoke(record);
        } catch (IllegalAccessException e) {
            try {
                c.getAccessor().setAccessible(true);
                return c.getAccessor().invoke(record);
            } catch (ReflectiveOperationException | RuntimeException e2) {
                throw new IllegalArgumentException("default_collate cannot read record component " + c.getName() + " of "
                        + record.getClass().getName() + ": make the record public or pass a collate function", e2);
            }
        } catch (java.lang.reflect.InvocationTargetException e) {
            throw new IllegalArgumentException("reading record component " + c.getName() + " failed: " + e.getCause(), e.getCause());
        }
    }

    private static IllegalArgumentException mixed(Object first, Object other) {
        return new IllegalArgumentException("default_collate: samples of one batch must have the same structure; got "
                + (first == null ? "null" : first.getClass().getSimpleName()) + " and "
                + (other == null ? "null" : other.getClass().getSimpleName()));
    }

    private static Tensor numbers(List<?> values) {
        Object first = values.get(0);
        int n = values.size();
        if (first instanceof Double || first instanceof java.math.BigDecimal) {
            double[] d = new double[n];
            for (int i = 0; i < n; i++) d[i] = number(first, values.get(i)).doubleValue();
            return Torch.tensor(d, n);
        }
        if (first instanceof Float) {
            float[] f = new float[n];
            for (int i = 0; i < n; i++) f[i] = number(first, values.get(i)).floatValue();
            return Torch.tensor(f, n);
        }
        long[] l = new long[n];
        for (int i = 0; i < n; i++) l[i] = number(first, values.get(i)).longValue();
        return Torch.tensor(l, n);
    }

    private static Number number(Object first, Object v) {
        if (!(v instanceof Number)) throw mixed(first, v);
        return (Number) v;
    }

    /**
     * {@code torch.stack(tensors, 0)}. Equal-shaped CPU tensors of one dtype (FLOAT32, FLOAT64, INT64, INT32, UINT8,
     * INT8, BOOL) that do not require gradients are copied into one array directly; anything else goes to
     * {@link Torch#stack(List)}.
     */
    public static Tensor stack(List<Tensor> tensors) {
        if (tensors.isEmpty()) throw new IllegalArgumentException("stack expects a non-empty TensorList");
        Tensor t0 = tensors.get(0);
        long[] shape = t0.shape();
        DType dtype = t0.dtype();
        int b = tensors.size();
        boolean direct = true;
        for (int i = 0; i < b; i++) {
            Tensor t = tensors.get(i);
            if (!Arrays.equals(t.shape(), shape)) {
                throw new IllegalArgumentException("stack expects each tensor to be equal size, but got " + Arrays.toString(shape)
                        + " at entry 0 and " + Arrays.toString(t.shape()) + " at entry " + i);
            }
            if (t.dtype() != dtype || !Device.CPU.equals(t.device()) || t.requiresGrad()) direct = false;
        }
        long numel = t0.numel();
        if (!direct || (long) b * numel > Integer.MAX_VALUE) return Torch.stack(tensors);
        int n = (int) numel;
        long[] outShape = new long[shape.length + 1];
        outShape[0] = b;
        System.arraycopy(shape, 0, outShape, 1, shape.length);
        switch (dtype) {
            case FLOAT32: {
                float[] out = new float[b * n];
                for (int i = 0; i < b; i++) System.arraycopy(tensors.get(i).toFloatArray(), 0, out, i * n, n);
                return Torch.tensor(out, outShape);
            }
            case FLOAT64: {
                double[] out = new double[b * n];
                for (int i = 0; i < b; i++) System.arraycopy(tensors.get(i).toDoubleArray(), 0, out, i * n, n);
                return Torch.tensor(out, outShape);
            }
            case INT64: {
                long[] out = new long[b * n];
                for (int i = 0; i < b; i++) System.arraycopy(tensors.get(i).toLongArray(), 0, out, i * n, n);
                return Torch.tensor(out, outShape);
            }
            case INT32: {
                int[] out = new int[b * n];
                for (int i = 0; i < b; i++) System.arraycopy(tensors.get(i).toIntArray(), 0, out, i * n, n);
                return Torch.tensor(out, outShape);
            }
            case BOOL: {
                boolean[] out = new boolean[b * n];
                for (int i = 0; i < b; i++) System.arraycopy(tensors.get(i).toBooleanArray(), 0, out, i * n, n);
                return Torch.tensor(out, outShape);
            }
            case UINT8:
            case INT8: {
                byte[] out = new byte[b * n];
                for (int i = 0; i < b; i++) {
                    int[] v = tensors.get(i).toIntArray();
                    for (int j = 0; j < n; j++) out[i * n + j] = (byte) v[j];
                }
                return Torch.tensor(out, dtype, outShape);
            }
            default:
                return Torch.stack(tensors);
        }
    }
}
