package dev.kindling.api;

import java.nio.ByteBuffer;
import java.security.SecureRandom;

/**
 * A pseudo-random number generator: the same Mersenne Twister (mt19937) as PyTorch's CPU generator, seeded the same
 * way, so a seed gives the same stream on every run and platform. Independent streams are independent objects;
 * {@link Torch#manualSeed(long)} seeds the default one. Thread-safe.
 */
public final class Generator {
    /** PyTorch's default seed for a generator nobody seeded. */
    public static final long DEFAULT_SEED = 67280421310721L;
    private static final int N = 624;
    private static final int M = 397;
    private static final int STATE_BYTES = 8 + 4 * N + 4 + 4 + 1 + 8 + 1 + 4;

    private final int[] mt = new int[N];
    private long seed;
    private int left;
    private int next;
    // Box-Muller produces pairs: PyTorch keeps the second sample for the next scalar normal draw.
    private boolean hasNextDoubleNormal;
    private double nextDoubleNormal;
    private boolean hasNextFloatNormal;
    private float nextFloatNormal;

    public Generator() { this(DEFAULT_SEED); }

    public Generator(long seed) { manualSeed(seed); }

    /** Re-seeds this generator and returns it. */
    public synchronized Generator manualSeed(long seed) {
        this.seed = seed;
        mt[0] = (int) seed;
        for (int j = 1; j < N; j++) {
            mt[j] = 1812433253 * (mt[j - 1] ^ (mt[j - 1] >>> 30)) + j;
        }
        left = 1;
        next = 0;
        hasNextDoubleNormal = false;
        hasNextFloatNormal = false;
        return this;
    }

    /** Seeds from a non-deterministic source and returns the seed. */
    public long seed() {
        long s = new SecureRandom().nextLong() & 0x7fffffffffffffffL;
        manualSeed(s);
        return s;
    }

    public synchronized long initialSeed() { return seed; }

    private void nextState() {
        left = N;
        next = 0;
        int i = 0;
        for (; i < N - M; i++) mt[i] = mt[i + M] ^ twist(mt[i], mt[i + 1]);
        for (; i < N - 1; i++) mt[i] = mt[i + M - N] ^ twist(mt[i], mt[i + 1]);
        mt[N - 1] = mt[M - 1] ^ twist(mt[N - 1], mt[0]);
    }

    private static int twist(int u, int v) {
        int mix = (u & 0x80000000) | (v & 0x7fffffff);
        return (mix >>> 1) ^ ((v & 1) != 0 ? 0x9908b0df : 0);
    }

    /** The next 32 random bits, as an unsigned value in [0, 2^32). */
    public synchronized long nextUInt32() {
        if (--left == 0) nextState();
        int y = mt[next++];
        y ^= y >>> 11;
        y ^= (y << 7) & 0x9d2c5680;
        y ^= (y << 15) & 0xefc60000;
        y ^= y >>> 18;
        return y & 0xffffffffL;
    }

    /** 64 random bits from two draws (the first is the high half), as PyTorch's {@code random64()}. */
    public synchronized long nextUInt64() {
        long hi = nextUInt32();
        long lo = nextUInt32();
        return (hi << 32) | lo;
    }

    /** A float in [0, 1) with 24 random bits, as PyTorch's {@code uniform_real_distribution<float>}. */
    public float nextFloat() {
        return (float) ((nextUInt32() & 0xffffffL) * 0x1.0p-24);
    }

    /** A double in [0, 1) with 53 random bits, as PyTorch's {@code uniform_real_distribution<double>}. */
    public double nextDouble() {
        return (nextUInt64() & ((1L << 53) - 1)) * 0x1.0p-53;
    }

    /** A standard normal double (Box-Muller, caching the second value as PyTorch does). */
    public synchronized double nextGaussian() {
        if (hasNextDoubleNormal) {
            hasNextDoubleNormal = false;
            return nextDoubleNormal;
        }
        double u1 = nextDouble();
        double u2 = nextDouble();
        double r = Math.sqrt(-2.0 * Math.log1p(-u2));
        double theta = 2.0 * Math.PI * u1;
        nextDoubleNormal = r * Math.sin(theta);
        hasNextDoubleNormal = true;
        return r * Math.cos(theta);
    }

    /** An integer uniform in [0, range), as PyTorch's {@code random_from_to}. */
    public long nextLong(long range) {
        if (range <= 0) throw new IllegalArgumentException("range must be positive, got " + range);
        if (range >= (1L << 32)) return Long.remainderUnsigned(nextUInt64(), range);
        return nextUInt32() % range;
    }

    /** The full state (for checkpoints); restore it with {@link #setState(byte[])}. */
    public synchronized byte[] getState() {
        ByteBuffer b = ByteBuffer.allocate(STATE_BYTES);
        b.putLong(seed);
        for (int v : mt) b.putInt(v);
        b.putInt(left).putInt(next);
        b.put((byte) (hasNextDoubleNormal ? 1 : 0)).putDouble(nextDoubleNormal);
        b.put((byte) (hasNextFloatNormal ? 1 : 0)).putFloat(nextFloatNormal);
        return b.array();
    }

    public synchronized void setState(byte[] state) {
        if (state == null || state.length != STATE_BYTES) {
            throw new IllegalArgumentException("generator state must be " + STATE_BYTES + " bytes, got "
                    + (state == null ? "null" : state.length + " bytes"));
        }
        ByteBuffer b = ByteBuffer.wrap(state);
        long s = b.getLong();
        int[] m = new int[N];
        for (int i = 0; i < N; i++) m[i] = b.getInt();
        int l = b.getInt();
        int n = b.getInt();
        if (l < 1 || l > N || n < 0 || n > N) throw new IllegalArgumentException("corrupt generator state (position " + l + "/" + n + ")");
        seed = s;
        System.arraycopy(m, 0, mt, 0, N);
        left = l;
        next = n;
        hasNextDoubleNormal = b.get() != 0;
        nextDoubleNormal = b.getDouble();
        hasNextFloatNormal = b.get() != 0;
        nextFloatNormal = b.getFloat();
    }

    @Override
    public String toString() { return "Generator(seed=" + seed + ")"; }
}
