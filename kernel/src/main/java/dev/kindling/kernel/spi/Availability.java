package dev.kindling.kernel.spi;

/** Whether a backend can serve its device now, and if not, why (e.g. "no CUDA driver: libcuda.so.1 not found"). */
public record Availability(boolean available, String reason) {
    public static Availability yes() { return new Availability(true, "available"); }

    public static Availability no(String reason) { return new Availability(false, reason); }
}
