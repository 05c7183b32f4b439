package dev.kindling.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The SGEMM micro-kernels, one per register-tile shape: {@code C[mr x nr] (=|+=) A panel x B panel} over {@code kc},
 * the C tile held in vector registers and updated by FMA, A broadcast one element at a time and B loaded a vector at a
 * time (both panels k-major, as {@link VectorSgemm} packs them). 4 x 16 on 256-bit vectors (AVX2's sixteen registers) is
 * the default everywhere; the 512-bit shapes (AVX-512's thirty-two registers) run only when
 * {@code -Dkindling.cpu.sgemmKernel} names them, since one vector width serves every kernel ({@link VectorApi}; the
 * measurements are at {@link VectorSgemm#defaultKernel}). The bodies are written out in full because C2 keeps only named locals in
 * registers: an array of accumulators would live in memory.
 */
final class MicroKernels {
    private MicroKernels() {}

    /** One register-tile shape. */
    abstract static class MicroKernel {
        final String name;
        final int mr;
        final int nr;
        /** The vector width it is written for; on a CPU with narrower vectors it runs, but emulated and slowly. */
        final int vectorBits;

        MicroKernel(String name, int mr, int nr, int vectorBits) {
            this.name = name;
            this.mr = mr;
            this.nr = nr;
            this.vectorBits = vectorBits;
        }

        /** C[mr x nr] at {@code co} (row stride {@code ldc}) = (or +=, when {@code acc}) A panel x B panel over kc. */
        abstract void run(float[] ap, int ao, float[] bp, int bo, int kc, float[] c, int co, int ldc, boolean acc);
    }

    /** The kernels by name, for {@code -Dkindling.cpu.sgemmKernel} and the tests. */
    static MicroKernel named(String name) {
        switch (name) {
            case "4x16": return new Avx2x4x16();
            case "6x16": return new Avx2x6x16();
            case "12x32": return new Avx512x12x32();
            case "14x32": return new Avx512x14x32();
            case "6x32": return new Avx512x6x32();
            default: throw new IllegalArgumentException("no SGEMM micro-kernel '" + name + "': the kernels are " + String.join(", ", NAMES));
        }
    }

    static final String[] NAMES = {"4x16", "6x16", "12x32", "14x32", "6x32"};

    private static void store(VectorSpecies<Float> s, float[] c, int o, FloatVector v, boolean acc) {
        if (acc) v = FloatVector.fromArray(s, c, o).add(v);
        v.intoArray(c, o);
    }

    /** 4 x 16 on 256-bit vectors: eight accumulators, two B vectors and a broadcast fit AVX2's sixteen registers. */
    static final class Avx2x4x16 extends MicroKernel {
        private static final VectorSpecies<Float> S = FloatVector.SPECIES_256;

        Avx2x4x16() { super("4x16", 4, 16, 256); }

        @Override
        void run(float[] ap, int ao, float[] bp, int bo, int kc, float[] c, int co, int ldc, boolean acc) {
            FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
            FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
            FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
            FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
            for (int p = 0; p < kc; p++) {
                int bi = bo + p * 16, ai = ao + p * 4;
                FloatVector b0 = FloatVector.fromArray(S, bp, bi);
                FloatVector b1 = FloatVector.fromArray(S, bp, bi + 8);
                FloatVector a0 = FloatVector.broadcast(S, ap[ai]);
                c00 = a0.fma(b0, c00);
                c01 = a0.fma(b1, c01);
                FloatVector a1 = FloatVector.broadcast(S, ap[ai + 1]);
                c10 = a1.fma(b0, c10);
                c11 = a1.fma(b1, c11);
                FloatVector a2 = FloatVector.broadcast(S, ap[ai + 2]);
                c20 = a2.fma(b0, c20);
                c21 = a2.fma(b1, c21);
                FloatVector a3 = FloatVector.broadcast(S, ap[ai + 3]);
                c30 = a3.fma(b0, c30);
                c31 = a3.fma(b1, c31);
            }
            store(S, c, co, c00, acc);
            store(S, c, co + 8, c01, acc);
            store(S, c, co + ldc, c10, acc);
            store(S, c, co + ldc + 8, c11, acc);
            store(S, c, co + 2 * ldc, c20, acc);
            store(S, c, co + 2 * ldc + 8, c21, acc);
            store(S, c, co + 3 * ldc, c30, acc);
            store(S, c, co + 3 * ldc + 8, c31, acc);
        }
    }

    /** 6 x 16 on 256-bit vectors: twelve accumulators (the notes' JDK 17 choice on Zen 3; measured slower there). */
    static final class Avx2x6x16 extends MicroKernel {
        private static final VectorSpecies<Float> S = FloatVector.SPECIES_256;

        Avx2x6x16() { super("6x16", 6, 16, 256); }

        @Override
        void run(float[] ap, int ao, float[] bp, int bo, int kc, float[] c, int co, int ldc, boolean acc) {
            FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
            FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
            FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
            FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
            FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S);
            FloatVector c50 = FloatVector.zero(S), c51 = FloatVector.zero(S);
            for (int p = 0; p < kc; p++) {
                int bi = bo + p * 16, ai = ao + p * 6;
                FloatVector b0 = FloatVector.fromArray(S, bp, bi);
                FloatVector b1 = FloatVector.fromArray(S, bp, bi + 8);
                FloatVector a0 = FloatVector.broadcast(S, ap[ai]);
                c00 = a0.fma(b0, c00);
                c01 = a0.fma(b1, c01);
                FloatVector a1 = FloatVector.broadcast(S, ap[ai + 1]);
                c10 = a1.fma(b0, c10);
                c11 = a1.fma(b1, c11);
                FloatVector a2 = FloatVector.broadcast(S, ap[ai + 2]);
                c20 = a2.fma(b0, c20);
                c21 = a2.fma(b1, c21);
                FloatVector a3 = FloatVector.broadcast(S, ap[ai + 3]);
                c30 = a3.fma(b0, c30);
                c31 = a3.fma(b1, c31);
                FloatVector a4 = FloatVector.broadcast(S, ap[ai + 4]);
                c40 = a4.fma(b0, c40);
                c41 = a4.fma(b1, c41);
                FloatVector a5 = FloatVector.broadcast(S, ap[ai + 5]);
                c50 = a5.fma(b0, c50);
                c51 = a5.fma(b1, c51);
            }
            store(S, c, co, c00, acc);
            store(S, c, co + 8, c01, acc);
            store(S, c, co + ldc, c10, acc);
            store(S, c, co + ldc + 8, c11, acc);
            store(S, c, co + 2 * ldc, c20, acc);
            store(S, c, co + 2 * ldc + 8, c21, acc);
            store(S, c, co + 3 * ldc, c30, acc);
            store(S, c, co + 3 * ldc + 8, c31, acc);
            store(S, c, co + 4 * ldc, c40, acc);
            store(S, c, co + 4 * ldc + 8, c41, acc);
            store(S, c, co + 5 * ldc, c50, acc);
            store(S, c, co + 5 * ldc + 8, c51, acc);
        }
    }

    /** 12 x 32 on 512-bit vectors: 24 accumulators, two B vectors and a broadcast in AVX-512's 32 registers. */
    static final class Avx512x12x32 extends MicroKernel {
        private static final VectorSpecies<Float> S = FloatVector.SPECIES_512;

        Avx512x12x32() { super("12x32", 12, 32, 512); }

        @Override
        void run(float[] ap, int ao, float[] bp, int bo, int kc, float[] c, int co, int ldc, boolean acc) {
            FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
            FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
            FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
            FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
            FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S);
            FloatVector c50 = FloatVector.zero(S), c51 = FloatVector.zero(S);
            FloatVector c60 = FloatVector.zero(S), c61 = FloatVector.zero(S);
            FloatVector c70 = FloatVector.zero(S), c71 = FloatVector.zero(S);
            FloatVector c80 = FloatVector.zero(S), c81 = FloatVector.zero(S);
            FloatVector c90 = FloatVector.zero(S), c91 = FloatVector.zero(S);
            FloatVector c100 = FloatVector.zero(S), c101 = FloatVector.zero(S);
            FloatVector c110 = FloatVector.zero(S), c111 = FloatVector.zero(S);
            for (int p = 0; p < kc; p++) {
                int bi = bo + p * 32, ai = ao + p * 12;
                FloatVector b0 = FloatVector.fromArray(S, bp, bi);
                FloatVector b1 = FloatVector.fromArray(S, bp, bi + 16);
                FloatVector a0 = FloatVector.broadcast(S, ap[ai]);
                c00 = a0.fma(b0, c00);
                c01 = a0.fma(b1, c01);
                FloatVector a1 = FloatVector.broadcast(S, ap[ai + 1]);
                c10 = a1.fma(b0, c10);
                c11 = a1.fma(b1, c11);
                FloatVector a2 = FloatVector.broadcast(S, ap[ai + 2]);
                c20 = a2.fma(b0, c20);
                c21 = a2.fma(b1, c21);
                FloatVector a3 = FloatVector.broadcast(S, ap[ai + 3]);
                c30 = a3.fma(b0, c30);
                c31 = a3.fma(b1, c31);
                FloatVector a4 = FloatVector.broadcast(S, ap[ai + 4]);
                c40 = a4.fma(b0, c40);
                c41 = a4.fma(b1, c41);
                FloatVector a5 = FloatVector.broadcast(S, ap[ai + 5]);
                c50 = a5.fma(b0, c50);
                c51 = a5.fma(b1, c51);
                FloatVector a6 = FloatVector.broadcast(S, ap[ai + 6]);
                c60 = a6.fma(b0, c60);
                c61 = a6.fma(b1, c61);
                FloatVector a7 = FloatVector.broadcast(S, ap[ai + 7]);
                c70 = a7.fma(b0, c70);
                c71 = a7.fma(b1, c71);
                FloatVector a8 = FloatVector.broadcast(S, ap[ai + 8]);
                c80 = a8.fma(b0, c80);
                c81 = a8.fma(b1, c81);
                FloatVector a9 = FloatVector.broadcast(S, ap[ai + 9]);
                c90 = a9.fma(b0, c90);
                c91 = a9.fma(b1, c91);
                FloatVector a10 = FloatVector.broadcast(S, ap[ai + 10]);
                c100 = a10.fma(b0, c100);
                c101 = a10.fma(b1, c101);
                FloatVector a11 = FloatVector.broadcast(S, ap[ai + 11]);
                c110 = a11.fma(b0, c110);
                c111 = a11.fma(b1, c111);
            }
            store(S, c, co, c00, acc);
            store(S, c, co + 16, c01, acc);
            store(S, c, co + ldc, c10, acc);
            store(S, c, co + ldc + 16, c11, acc);
            store(S, c, co + 2 * ldc, c20, acc);
            store(S, c, co + 2 * ldc + 16, c21, acc);
            store(S, c, co + 3 * ldc, c30, acc);
            store(S, c, co + 3 * ldc + 16, c31, acc);
            store(S, c, co + 4 * ldc, c40, acc);
            store(S, c, co + 4 * ldc + 16, c41, acc);
            store(S, c, co + 5 * ldc, c50, acc);
            store(S, c, co + 5 * ldc + 16, c51, acc);
            store(S, c, co + 6 * ldc, c60, acc);
            store(S, c, co + 6 * ldc + 16, c61, acc);
            store(S, c, co + 7 * ldc, c70, acc);
            store(S, c, co + 7 * ldc + 16, c71, acc);
            store(S, c, co + 8 * ldc, c80, acc);
            store(S, c, co + 8 * ldc + 16, c81, acc);
            store(S, c, co + 9 * ldc, c90, acc);
            store(S, c, co + 9 * ldc + 16, c91, acc);
            store(S, c, co + 10 * ldc, c100, acc);
            store(S, c, co + 10 * ldc + 16, c101, acc);
            store(S, c, co + 11 * ldc, c110, acc);
            store(S, c, co + 11 * ldc + 16, c111, acc);
        }
    }

    /** 14 x 32 on 512-bit vectors: 28 accumulators, the most that fit with two B vectors and a broadcast. */
    static final class Avx512x14x32 extends MicroKernel {
        private static final VectorSpecies<Float> S = FloatVector.SPECIES_512;

        Avx512x14x32() { super("14x32", 14, 32, 512); }

        @Override
        void run(float[] ap, int ao, float[] bp, int bo, int kc, float[] c, int co, int ldc, boolean acc) {
            FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
            FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
            FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
            FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
            FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S);
            FloatVector c50 = FloatVector.zero(S), c51 = FloatVector.zero(S);
            FloatVector c60 = FloatVector.zero(S), c61 = FloatVector.zero(S);
            FloatVector c70 = FloatVector.zero(S), c71 = FloatVector.zero(S);
            FloatVector c80 = FloatVector.zero(S), c81 = FloatVector.zero(S);
            FloatVector c90 = FloatVector.zero(S), c91 = FloatVector.zero(S);
            FloatVector c100 = FloatVector.zero(S), c101 = FloatVector.zero(S);
            FloatVector c110 = FloatVector.zero(S), c111 = FloatVector.zero(S);
            FloatVector c120 = FloatVector.zero(S), c121 = FloatVector.zero(S);
            FloatVector c130 = FloatVector.zero(S), c131 = FloatVector.zero(S);
            for (int p = 0; p < kc; p++) {
                int bi = bo + p * 32, ai = ao + p * 14;
                FloatVector b0 = FloatVector.fromArray(S, bp, bi);
                FloatVector b1 = FloatVector.fromArray(S, bp, bi + 16);
                FloatVector a0 = FloatVector.broadcast(S, ap[ai]);
                c00 = a0.fma(b0, c00);
                c01 = a0.fma(b1, c01);
                FloatVector a1 = FloatVector.broadcast(S, ap[ai + 1]);
                c10 = a1.fma(b0, c10);
                c11 = a1.fma(b1, c11);
                FloatVector a2 = FloatVector.broadcast(S, ap[ai + 2]);
                c20 = a2.fma(b0, c20);
                c21 = a2.fma(b1, c21);
                FloatVector a3 = FloatVector.broadcast(S, ap[ai + 3]);
                c30 = a3.fma(b0, c30);
                c31 = a3.fma(b1, c31);
                FloatVector a4 = FloatVector.broadcast(S, ap[ai + 4]);
                c40 = a4.fma(b0, c40);
                c41 = a4.fma(b1, c41);
                FloatVector a5 = FloatVector.broadcast(S, ap[ai + 5]);
                c50 = a5.fma(b0, c50);
                c51 = a5.fma(b1, c51);
                FloatVector a6 = FloatVector.broadcast(S, ap[ai + 6]);
                c60 = a6.fma(b0, c60);
                c61 = a6.fma(b1, c61);
                FloatVector a7 = FloatVector.broadcast(S, ap[ai + 7]);
                c70 = a7.fma(b0, c70);
                c71 = a7.fma(b1, c71);
                FloatVector a8 = FloatVector.broadcast(S, ap[ai + 8]);
                c80 = a8.fma(b0, c80);
                c81 = a8.fma(b1, c81);
                FloatVector a9 = FloatVector.broadcast(S, ap[ai + 9]);
                c90 = a9.fma(b0, c90);
                c91 = a9.fma(b1, c91);
                FloatVector a10 = FloatVector.broadcast(S, ap[ai + 10]);
                c100 = a10.fma(b0, c100);
                c101 = a10.fma(b1, c101);
                FloatVector a11 = FloatVector.broadcast(S, ap[ai + 11]);
                c110 = a11.fma(b0, c110);
                c111 = a11.fma(b1, c111);
                FloatVector a12 = FloatVector.broadcast(S, ap[ai + 12]);
                c120 = a12.fma(b0, c120);
                c121 = a12.fma(b1, c121);
                FloatVector a13 = FloatVector.broadcast(S, ap[ai + 13]);
                c130 = a13.fma(b0, c130);
                c131 = a13.fma(b1, c131);
            }
            store(S, c, co, c00, acc);
            store(S, c, co + 16, c01, acc);
            store(S, c, co + ldc, c10, acc);
            store(S, c, co + ldc + 16, c11, acc);
            store(S, c, co + 2 * ldc, c20, acc);
            store(S, c, co + 2 * ldc + 16, c21, acc);
            store(S, c, co + 3 * ldc, c30, acc);
            store(S, c, co + 3 * ldc + 16, c31, acc);
            store(S, c, co + 4 * ldc, c40, acc);
            store(S, c, co + 4 * ldc + 16, c41, acc);
            store(S, c, co + 5 * ldc, c50, acc);
            store(S, c, co + 5 * ldc + 16, c51, acc);
            store(S, c, co + 6 * ldc, c60, acc);
            store(S, c, co + 6 * ldc + 16, c61, acc);
            store(S, c, co + 7 * ldc, c70, acc);
            store(S, c, co + 7 * ldc + 16, c71, acc);
            store(S, c, co + 8 * ldc, c80, acc);
            store(S, c, co + 8 * ldc + 16, c81, acc);
            store(S, c, co + 9 * ldc, c90, acc);
            store(S, c, co + 9 * ldc + 16, c91, acc);
            store(S, c, co + 10 * ldc, c100, acc);
            store(S, c, co + 10 * ldc + 16, c101, acc);
            store(S, c, co + 11 * ldc, c110, acc);
            store(S, c, co + 11 * ldc + 16, c111, acc);
            store(S, c, co + 12 * ldc, c120, acc);
            store(S, c, co + 12 * ldc + 16, c121, acc);
            store(S, c, co + 13 * ldc, c130, acc);
            store(S, c, co + 13 * ldc + 16, c131, acc);
        }
    }

    /** 6 x 32 on 512-bit vectors: twelve accumulators, for machines where the larger tiles spill. */
    static final class Avx512x6x32 extends MicroKernel {
        private static final VectorSpecies<Float> S = FloatVector.SPECIES_512;

        Avx512x6x32() { super("6x32", 6, 32, 512); }

        @Override
        void run(float[] ap, int ao, float[] bp, int bo, int kc, float[] c, int co, int ldc, boolean acc) {
            FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
            FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
            FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
            FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
            FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S);
            FloatVector c50 = FloatVector.zero(S), c51 = FloatVector.zero(S);
            for (int p = 0; p < kc; p++) {
                int bi = bo + p * 32, ai = ao + p * 6;
                FloatVector b0 = FloatVector.fromArray(S, bp, bi);
                FloatVector b1 = FloatVector.fromArray(S, bp, bi + 16);
                FloatVector a0 = FloatVector.broadcast(S, ap[ai]);
                c00 = a0.fma(b0, c00);
                c01 = a0.fma(b1, c01);
                FloatVector a1 = FloatVector.broadcast(S, ap[ai + 1]);
                c10 = a1.fma(b0, c10);
                c11 = a1.fma(b1, c11);
                FloatVector a2 = FloatVector.broadcast(S, ap[ai + 2]);
                c20 = a2.fma(b0, c20);
                c21 = a2.fma(b1, c21);
                FloatVector a3 = FloatVector.broadcast(S, ap[ai + 3]);
                c30 = a3.fma(b0, c30);
                c31 = a3.fma(b1, c31);
                FloatVector a4 = FloatVector.broadcast(S, ap[ai + 4]);
                c40 = a4.fma(b0, c40);
                c41 = a4.fma(b1, c41);
                FloatVector a5 = FloatVector.broadcast(S, ap[ai + 5]);
                c50 = a5.fma(b0, c50);
                c51 = a5.fma(b1, c51);
            }
            store(S, c, co, c00, acc);
            store(S, c, co + 16, c01, acc);
            store(S, c, co + ldc, c10, acc);
            store(S, c, co + ldc + 16, c11, acc);
            store(S, c, co + 2 * ldc, c20, acc);
            store(S, c, co + 2 * ldc + 16, c21, acc);
            store(S, c, co + 3 * ldc, c30, acc);
            store(S, c, co + 3 * ldc + 16, c31, acc);
            store(S, c, co + 4 * ldc, c40, acc);
            store(S, c, co + 4 * ldc + 16, c41, acc);
            store(S, c, co + 5 * ldc, c50, acc);
            store(S, c, co + 5 * ldc + 16, c51, acc);
        }
    }
}
