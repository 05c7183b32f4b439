package dev.kindling.api;

import java.util.Locale;
import java.util.Objects;

/** A device, as {@code torch.device}: a type ({@code cpu}, {@code cuda}, ...) and an index. */
public final class Device {
    public static final Device CPU = new Device("cpu", -1);
    /** {@code cuda:0}. */
    public static final Device CUDA = new Device("cuda", 0);

    private final String type;
    private final int index;

    private Device(String type, int index) {
        this.type = type;
        this.index = index;
    }

    /** Parses {@code "cpu"}, {@code "cuda"} (= cuda:0), {@code "cuda:1"}. */
    public static Device of(String spec) {
        Objects.requireNonNull(spec, "device");
        String s = spec.trim().toLowerCase(Locale.ROOT);
        int colon = s.indexOf(':');
        String type = colon < 0 ? s : s.substring(0, colon);
        if (type.isEmpty() || !type.chars().allMatch(c -> Character.isLetterOrDigit(c) || c == '_')) {
            throw new IllegalArgumentException("invalid device string '" + spec + "'; expected e.g. 'cpu', 'cuda', 'cuda:1'");
        }
        int index;
        if (colon < 0) {
            index = type.equals("cpu") ? -1 : 0;
        } else {
            try {
                index = Integer.parseInt(s.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("invalid device string '" + spec + "': bad index '" + s.substring(colon + 1) + "'");
            }
            if (index < 0) throw new IllegalArgumentException("invalid device string '" + spec + "': negative index");
        }
        return of(type, index);
    }

    public static Device of(String type, int index) {
        if (type.equals("cpu")) return CPU;
        if (type.equals("cuda") && index == 0) return CUDA;
        return new Device(type, index);
    }

    /** The device type: {@code cpu}, {@code cuda}. */
    public String type() { return type; }

    /** The index, or -1 where the type has none (cpu). */
    public int index() { return index; }

    public boolean isCpu() { return type.equals("cpu"); }

    public boolean isCuda() { return type.equals("cuda"); }

    @Override
    public boolean equals(Object o) {
        return o instanceof Device && ((Device) o).type.equals(type) && ((Device) o).index == index;
    }

    @Override
    public int hashCode() { return type.hashCode() * 31 + index; }

    @Override
    public String toString() { return index < 0 ? type : type + ":" + index; }
}
