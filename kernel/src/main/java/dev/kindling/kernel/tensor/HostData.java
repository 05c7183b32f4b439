package dev.kindling.kernel.tensor;

/** Reads tensor elements back to Java arrays (row-major copies), converting from the backend's host type. */
public final class HostData {
    private HostData() {}

    private static Object raw(TensorImpl t) { return t.backend().toHost(t.view()); }

    public static double[] doubles(TensorImpl t) { return doublesOf(t); }

    /** Converts any host array of {@link dev.kindling.kernel.spi.TensorBackend#toHost} to doubles. */
    public static double[] toDoubles(Object a) {
        if (a instanceof double[]) return (double[]) a;
        if (a instanceof float[]) {
            float[] f = (float[]) a;
            double[] out = new double[f.length];
            for (int i = 0; i < f.length; i++) out[i] = f[i];
            return out;
        }
        if (a instanceof long[]) {
            long[] l = (long[]) a;
            double[] out = new double[l.length];
            for (int i = 0; i < l.length; i++) out[i] = l[i];
            return out;
        }
        if (a instanceof int[]) {
            int[] l = (int[]) a;
            double[] out = new double[l.length];
            for (int i = 0; i < l.length; i++) out[i] = l[i];
            return out;
        }
        if (a instanceof boolean[]) {
            boolean[] l = (boolean[]) a;
            double[] out = new double[l.length];
            for (int i = 0; i < l.length; i++) out[i] = l[i] ? 1 : 0;
            return out;
        }
        throw new IllegalArgumentException("use the dtype-aware conversion for " + a.getClass().getSimpleName());
    }

    public static double[] doubles(Object host, dev.kindling.api.DType dtype) {
        switch (dtype) {
            case UINT8: {
                byte[] b = (byte[]) host;
                double[] out = new double[b.length];
                for (int i = 0; i < b.length; i++) out[i] = b[i] & 0xff;
                return out;
            }
            case INT8: {
                byte[] b = (byte[]) host;
                double[] out = new double[b.length];
                for (int i = 0; i < b.length; i++) out[i] = b[i];
                return out;
            }
            case FLOAT16:
            case BFLOAT16: {
                short[] s = (short[]) host;
                double[] out = new double[s.length];
                for (int i = 0; i < s.length; i++) out[i] = dtype == dev.kindling.api.DType.FLOAT16 ? Half.halfToFloat(s[i]) : Half.bf16ToFloat(s[i]);
                return out;
            }
            default:
                return toDoubles(host);
        }
    }

    public static long[] longs(Object host, dev.kindling.api.DType dtype) {
        if (host instanceof long[]) return (long[]) host;
        if (host instanceof int[]) {
            int[] l = (int[]) host;
            long[] out = new long[l.length];
            for (int i = 0; i < l.length; i++) out[i] = l[i];
            return out;
        }
        if (host instanceof boolean[]) {
            boolean[] l = (boolean[]) host;
            long[] out = new long[l.length];
            for (int i = 0; i < l.length; i++) out[i] = l[i] ? 1 : 0;
            return out;
        }
        if (host instanceof byte[]) {
            byte[] b = (byte[]) host;
            long[] out = new long[b.length];
            for (int i = 0; i < b.length; i++) out[i] = dtype == dev.kindling.api.DType.UINT8 ? b[i] & 0xff : b[i];
            return out;
        }
        double[] d = doubles(host, dtype);
        long[] out = new long[d.length];
        for (int i = 0; i < d.length; i++) out[i] = (long) d[i];
        return out;
    }

    public static double[] doublesOf(TensorImpl t) { return doubles(raw(t), t.dtype()); }

    public static float[] floats(TensorImpl t) {
        Object raw = raw(t);
        if (raw instanceof float[]) return (float[]) raw;
        double[] d = doubles(raw, t.dtype());
        float[] out = new float[d.length];
        for (int i = 0; i < d.length; i++) out[i] = (float) d[i];
        return out;
    }


    public static long[] longs(TensorImpl t) { return longs(raw(t), t.dtype()); }

    public static int[] ints(TensorImpl t) {
        long[] l = longs(t);
        int[] out = new int[l.length];
        for (int i = 0; i < l.length; i++) out[i] = (int) l[i];
        return out;
    }

    public static boolean[] booleans(TensorImpl t) {
        Object raw = raw(t);
        if (raw instanceof boolean[]) return (boolean[]) raw;
        double[] d = doubles(raw, t.dtype());
        boolean[] out = new boolean[d.length];
        for (int i = 0; i < d.length; i++) out[i] = d[i] != 0;
        return out;
    }

    private static void requireOne(TensorImpl t) {
        if (t.numel() != 1) {
            throw new IllegalArgumentException("a Tensor with " + t.numel() + " elements cannot be converted to Scalar");
        }
    }

    public static double item(TensorImpl t) {
        requireOne(t);
        return doublesOf(t)[0];
    }

    public static long itemLong(TensorImpl t) {
        requireOne(t);
        return longs(t)[0];
    }

    /** The elements as nested lists of Double, Long or Boolean (PyTorch's {@code tolist}); 0-dim gives the element. */
    public static Object nestedList(TensorImpl t) {
        long[] shape = t.shapeRef();
        Object raw = raw(t);
        java.util.function.IntFunction<Object> element;
        if (t.dtype().isFloatingPoint()) {
            double[] d = doubles(raw, t.dtype());
            element = i -> d[i];
        } else if (t.dtype() == dev.kindling.api.DType.BOOL) {
            boolean[] b = (boolean[]) raw;
            element = i -> b[i];
        } else {
            long[] l = longs(raw, t.dtype());
            element = i -> l[i];
        }
        if (shape.length == 0) return element.apply(0);
        return nest(shape, 0, new int[] {0}, element);
    }

    private static java.util.List<Object> nest(long[] shape, int dim, int[] next, java.util.function.IntFunction<Object> element) {
        java.util.List<Object> out = new java.util.ArrayList<>((int) shape[dim]);
        for (long i = 0; i < shape[dim]; i++) {
            out.add(dim == shape.length - 1 ? element.apply(next[0]++) : nest(shape, dim + 1, next, element));
        }
        return out;
    }
}
