package dev.kindling.train;

import dev.kindling.api.DType;
import dev.kindling.api.Device;
import dev.kindling.kernel.spi.Storage;
import dev.kindling.kernel.spi.TensorBackend;
import dev.kindling.kernel.spi.View;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.List;

/**
 * A backend for another device type that computes with the CPU backend's code: a stand-in for a GPU in tests of
 * moving work between device types (its results are the CPU's, bit for bit). Its storages wrap the CPU's.
 */
public final class MirrorBackend {
    private MirrorBackend() {}

    /** A storage of the mirror device, held by the CPU backend. */
    record Mirrored(Storage inner, Device device) implements Storage {
        @Override public DType dtype() { return inner.dtype(); }

        @Override public long numel() { return inner.numel(); }
    }

    public static TensorBackend of(TensorBackend cpu, String deviceType) { return of(cpu, deviceType, new java.util.concurrent.atomic.AtomicLong()); }

    /** Counts the calls that compute or move data in {@code calls}. */
    public static TensorBackend of(TensorBackend cpu, String deviceType, java.util.concurrent.atomic.AtomicLong calls) {
        Device device = Device.of(deviceType, 0);
        // the optional kernel interfaces too (fused add-with-alpha, GradScaler's pass), so the kernel takes the same paths
        List<Class<?>> faces = new java.util.ArrayList<>(List.of(TensorBackend.class));
        for (Class<?> optional : List.of(dev.kindling.kernel.spi.ScaledAddKernels.class, dev.kindling.kernel.spi.GradScalingKernels.class)) {
            if (optional.isInstance(cpu)) faces.add(optional);
        }
        return (TensorBackend) Proxy.newProxyInstance(MirrorBackend.class.getClassLoader(), faces.toArray(new Class<?>[0]), (proxy, m, args) -> {
            switch (m.getName()) {
                case "name": return "mirror-of-" + cpu.name();
                case "deviceType": return deviceType;
                case "devices": return List.of(device);
                case "equals": return proxy == args[0];
                case "hashCode": return System.identityHashCode(proxy);
                case "toString": return "MirrorBackend(" + deviceType + ")";
                default: break;
            }
            if (args != null) calls.incrementAndGet();
            Object[] a = args == null ? null : args.clone();
            if (a != null) {
                for (int i = 0; i < a.length; i++) {
                    if (a[i] instanceof View) {
                        View v = (View) a[i];
                        a[i] = new View(unwrap(v.storage()), v.shape(), v.strides(), v.offset());
                    } else if (a[i] instanceof Storage) {
                        a[i] = unwrap((Storage) a[i]);
                    } else if (a[i] instanceof Device) {
                        a[i] = Device.CPU;
                    }
                }
            }
            try {
                Object r = m.invoke(cpu, a);
                return r instanceof Storage ? new Mirrored((Storage) r, device) : r;
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        });
    }

    private static Storage unwrap(Storage s) { return s instanceof Mirrored ? ((Mirrored) s).inner() : s; }
}
