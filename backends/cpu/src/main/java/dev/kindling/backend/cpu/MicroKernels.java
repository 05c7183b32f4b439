package dev.kindling.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The SGEMM micro-kernels, one per register-tile shape: {@code C[mr x nr] (=|+=) A panel x B panel} over {@code kc},
 * the C tile held in vector registers and updated by FMA, A broadcast one element at a time and B loaded a vector at a
 * time (both panels k-major, as {@link VectorSgemm} packs them). Each is written for one vector width; the default is
 * one of the width every kernel uses ({@link VectorApi#BITS}), and {@code -Dkindling.cpu.sgemmKernel} may name any
 * (the measurements are at {@link VectorSgemm#defaultKernel}). The bodies are written out in full because C2 keeps only named locals in
 * registers: an array of accumulators would live in memory. The C tile's stores are written out too, with the
 * accumulate test once outside them: a store helper, even inlined and even without the species argument, halved 4 x 32's
 * speed (58 against 109 GFLOPS on a Zen 4 core, 64 x 512 x 256 from cache) and cost 4 x 16 a tenth (92 against 102).
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
            case "4x32": return new Avx2x4x32();
            case "6x16": return new Avx2x6x16();
            case "12x32": return new Avx512x12x32();
            case "14x32": return new Avx512x14x32();
            case "6x32": return new Avx512x6x32();
            default: throw new IllegalArgumentException("no SGEMM micro-kernel '" + name + "': the kernels are " + String.join(", ", NAMES));
        }
    }

    /**
     * Whether C2 may use thirty-two vector registers: it does where the CPU has AVX-512 and the JVM uses it, which shows as
     * a 512-bit preferred species (a query only: the kernels still compute in the width they are written for).
     */
    static boolean thirtyTwoVectorRegisters() {
        return VectorApi.PREFERRED_BITS >= 512;
    }

    static final String[] NAMES = {"4x16", "4x32", "6x16", "12x32", "14x32", "6x32"};

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
            if (acc) {
                FloatVector.fromArray(S, c, co).add(c00).intoArray(c, co);
                FloatVector.fromArray(S, c, co + 8).add(c01).intoArray(c, co + 8);
                FloatVector.fromArray(S, c, co + ldc).add(c10).intoArray(c, co + ldc);
                FloatVector.fromArray(S, c, co + ldc + 8).add(c11).intoArray(c, co + ldc + 8);
                FloatVector.fromArray(S, c, co + 2 * ldc).add(c20).intoArray(c, co + 2 * ldc);
                FloatVector.fromArray(S, c, co + 2 * ldc + 8).add(c21).intoArray(c, co + 2 * ldc + 8);
                FloatVector.fromArray(S, c, co + 3 * ldc).add(c30).intoArray(c, co + 3 * ldc);
                FloatVector.fromArray(S, c, co + 3 * ldc + 8).add(c31).intoArray(c, co + 3 * ldc + 8);
            } else {
                c00.intoArray(c, co);
                c01.intoArray(c, co + 8);
                c10.intoArray(c, co + ldc);
                c11.intoArray(c, co + ldc + 8);
                c20.intoArray(c, co + 2 * ldc);
                c21.intoArray(c, co + 2 * ldc + 8);
                c30.intoArray(c, co + 3 * ldc);
                c31.intoArray(c, co + 3 * ldc + 8);
            }
        }
    }

    /**
     * 4 x 32 on 256-bit vectors: sixteen accumulators, four B vectors and a broadcast need 21 registers, so it is for
     * CPUs with AVX-512's thirty-two (EVEX encodes 256-bit operations on all of them). Twice 4 x 16's accumulators hide
     * the FMA latency that 4 x 16's eight only just cover: on a Zen 4 core, the MLP's 64 x 512 x 256 block ran at 111
     * GFLOPS against 102-103, and 512 x 784 x 64 at 99 against 90 (one thread, packed panels from cache). Each element
     * is still one FMA chain over k in order, so every shape gives the same bits.
     */
    static final class Avx2x4x32 extends MicroKernel {
        private static final VectorSpecies<Float> S = FloatVector.SPECIES_256;

        Avx2x4x32() { super("4x32", 4, 32, 256); }

        @Override
        void run(float[] ap, int ao, float[] bp, int bo, int kc, float[] c, int co, int ldc, boolean acc) {
            FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S), c02 = FloatVector.zero(S), c03 = FloatVector.zero(S);
            FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S), c12 = FloatVector.zero(S), c13 = FloatVector.zero(S);
            FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S), c22 = FloatVector.zero(S), c23 = FloatVector.zero(S);
            FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S), c32 = FloatVector.zero(S), c33 = FloatVector.zero(S);
            for (int p = 0; p < kc; p++) {
                int bi = bo + p * 32, ai = ao + p * 4;
                FloatVector b0 = FloatVector.fromArray(S, bp, bi);
                FloatVector b1 = FloatVector.fromArray(S, bp, bi + 8);
                FloatVector b2 = FloatVector.fromArray(S, bp, bi + 16);
                FloatVector b3 = FloatVector.fromArray(S, bp, bi + 24);
                FloatVector a0 = FloatVector.broadcast(S, ap[ai]);
                c00 = a0.fma(b0, c00);
                c01 = a0.fma(b1, c01);
                c02 = a0.fma(b2, c02);
                c03 = a0.fma(b3, c03);
                FloatVector a1 = FloatVector.broadcast(S, ap[ai + 1]);
                c10 = a1.fma(b0, c10);
                c11 = a1.fma(b1, c11);
                c12 = a1.fma(b2, c12);
                c13 = a1.fma(b3, c13);
                FloatVector a2 = FloatVector.broadcast(S, ap[ai + 2]);
                c20 = a2.fma(b0, c20);
                c21 = a2.fma(b1, c21);
                c22 = a2.fma(b2, c22);
                c23 = a2.fma(b3, c23);
                FloatVector a3 = FloatVector.broadcast(S, ap[ai + 3]);
                c30 = a3.fma(b0, c30);
                c31 = a3.fma(b1, c31);
                c32 = a3.fma(b2, c32);
                c33 = a3.fma(b3, c33);
            }
            if (acc) {
                FloatVector.fromArray(S, c, co).add(c00).intoArray(c, co);
                FloatVector.fromArray(S, c, co + 8).add(c01).intoArray(c, co + 8);
                FloatVector.fromArray(S, c, co + 16).add(c02).intoArray(c, co + 16);
                FloatVector.fromArray(S, c, co + 24).add(c03).intoArray(c, co + 24);
                FloatVector.fromArray(S, c, co + ldc).add(c10).intoArray(c, co + ldc);
                FloatVector.fromArray(S, c, co + ldc + 8).add(c11).intoArray(c, co + ldc + 8);
                FloatVector.fromArray(S, c, co + ldc + 16).add(c12).intoArray(c, co + ldc + 16);
                FloatVector.fromArray(S, c, co + ldc + 24).add(c13).intoArray(c, co + ldc + 24);
                FloatVector.fromArray(S, c, co + 2 * ldc).add(c20).intoArray(c, co + 2 * ldc);
                FloatVector.fromArray(S, c, co + 2 * ldc + 8).add(c21).intoArray(c, co + 2 * ldc + 8);
                FloatVector.fromArray(S, c, co + 2 * ldc + 16).add(c22).intoArray(c, co + 2 * ldc + 16);
                FloatVector.fromArray(S, c, co + 2 * ldc + 24).add(c23).intoArray(c, co + 2 * ldc + 24);
                FloatVector.fromArray(S, c, co + 3 * ldc).add(c30).intoArray(c, co + 3 * ldc);
                FloatVector.fromArray(S, c, co + 3 * ldc + 8).add(c31).intoArray(c, co + 3 * ldc + 8);
                FloatVector.fromArray(S, c, co + 3 * ldc + 16).add(c32).intoArray(c, co + 3 * ldc + 16);
                FloatVector.fromArray(S, c, co + 3 * ldc + 24).add(c33).intoArray(c, co + 3 * ldc + 24);
            } else {
                c00.intoArray(c, co);
                c01.intoArray(c, co + 8);
                c02.intoArray(c, co + 16);
                c03.intoArray(c, co + 24);
                c10.intoArray(c, co + ldc);
                c11.intoArray(c, co + ldc + 8);
                c12.intoArray(c, co + ldc + 16);
                c13.intoArray(c, co + ldc + 24);
                c20.intoArray(c, co + 2 * ldc);
                c21.intoArray(c, co + 2 * ldc + 8);
                c22.intoArray(c, co + 2 * ldc + 16);
                c23.intoArray(c, co + 2 * ldc + 24);
                c30.intoArray(c, co + 3 * ldc);
                c31.intoArray(c, co + 3 * ldc + 8);
                c32.intoArray(c, co + 3 * ldc + 16);
                c33.intoArray(c, co + 3 * ldc + 24);
            }
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
            if (acc) {
                FloatVector.fromArray(S, c, co).add(c00).intoArray(c, co);
                FloatVector.fromArray(S, c, co + 8).add(c01).intoArray(c, co + 8);
                FloatVector.fromArray(S, c, co + ldc).add(c10).intoArray(c, co + ldc);
                FloatVector.fromArray(S, c, co + ldc + 8).add(c11).intoArray(c, co + ldc + 8);
                FloatVector.fromArray(S, c, co + 2 * ldc).add(c20).intoArray(c, co + 2 * ldc);
                FloatVector.fromArray(S, c, co + 2 * ldc + 8).add(c21).intoArray(c, co + 2 * ldc + 8);
                FloatVector.fromArray(S, c, co + 3 * ldc).add(c30).intoArray(c, co + 3 * ldc);
                FloatVector.fromArray(S, c, co + 3 * ldc + 8).add(c31).intoArray(c, co + 3 * ldc + 8);
                FloatVector.fromArray(S, c, co + 4 * ldc).add(c40).intoArray(c, co + 4 * ldc);
                FloatVector.fromArray(S, c, co + 4 * ldc + 8).add(c41).intoArray(c, co + 4 * ldc + 8);
                FloatVector.fromArray(S, c, co + 5 * ldc).add(c50).intoArray(c, co + 5 * ldc);
                FloatVector.fromArray(S, c, co + 5 * ldc + 8).add(c51).intoArray(c, co + 5 * ldc + 8);
            } else {
                c00.intoArray(c, co);
                c01.intoArray(c, co + 8);
                c10.intoArray(c, co + ldc);
                c11.intoArray(c, co + ldc + 8);
                c20.intoArray(c, co + 2 * ldc);
                c21.intoArray(c, co + 2 * ldc + 8);
                c30.intoArray(c, co + 3 * ldc);
                c31.intoArray(c, co + 3 * ldc + 8);
                c40.intoArray(c, co + 4 * ldc);
                c41.intoArray(c, co + 4 * ldc + 8);
                c50.intoArray(c, co + 5 * ldc);
                c51.intoArray(c, co + 5 * ldc + 8);
            }
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
            if (acc) {
                FloatVector.fromArray(S, c, co).add(c00).intoArray(c, co);
                FloatVector.fromArray(S, c, co + 16).add(c01).intoArray(c, co + 16);
                FloatVector.fromArray(S, c, co + ldc).add(c10).intoArray(c, co + ldc);
                FloatVector.fromArray(S, c, co + ldc + 16).add(c11).intoArray(c, co + ldc + 16);
                FloatVector.fromArray(S, c, co + 2 * ldc).add(c20).intoArray(c, co + 2 * ldc);
                FloatVector.fromArray(S, c, co + 2 * ldc + 16).add(c21).intoArray(c, co + 2 * ldc + 16);
                FloatVector.fromArray(S, c, co + 3 * ldc).add(c30).intoArray(c, co + 3 * ldc);
                FloatVector.fromArray(S, c, co + 3 * ldc + 16).add(c31).intoArray(c, co + 3 * ldc + 16);
                FloatVector.fromArray(S, c, co + 4 * ldc).add(c40).intoArray(c, co + 4 * ldc);
                FloatVector.fromArray(S, c, co + 4 * ldc + 16).add(c41).intoArray(c, co + 4 * ldc + 16);
                FloatVector.fromArray(S, c, co + 5 * ldc).add(c50).intoArray(c, co + 5 * ldc);
                FloatVector.fromArray(S, c, co + 5 * ldc + 16).add(c51).intoArray(c, co + 5 * ldc + 16);
                FloatVector.fromArray(S, c, co + 6 * ldc).add(c60).intoArray(c, co + 6 * ldc);
                FloatVector.fromArray(S, c, co + 6 * ldc + 16).add(c61).intoArray(c, co + 6 * ldc + 16);
                FloatVector.fromArray(S, c, co + 7 * ldc).add(c70).intoArray(c, co + 7 * ldc);
                FloatVector.fromArray(S, c, co + 7 * ldc + 16).add(c71).intoArray(c, co + 7 * ldc + 16);
                FloatVector.fromArray(S, c, co + 8 * ldc).add(c80).intoArray(c, co + 8 * ldc);
                FloatVector.fromArray(S, c, co + 8 * ldc + 16).add(c81).intoArray(c, co + 8 * ldc + 16);
                FloatVector.fromArray(S, c, co + 9 * ldc).add(c90).intoArray(c, co + 9 * ldc);
                FloatVector.fromArray(S, c, co + 9 * ldc + 16).add(c91).intoArray(c, co + 9 * ldc + 16);
                FloatVector.fromArray(S, c, co + 10 * ldc).add(c100).intoArray(c, co + 10 * ldc);
                FloatVector.fromArray(S, c, co + 10 * ldc + 16).add(c101).intoArray(c, co + 10 * ldc + 16);
                FloatVector.fromArray(S, c, co + 11 * ldc).add(c110).intoArray(c, co + 11 * ldc);
                FloatVector.fromArray(S, c, co + 11 * ldc + 16).add(c111).intoArray(c, co + 11 * ldc + 16);
            } else {
                c00.intoArray(c, co);
                c01.intoArray(c, co + 16);
                c10.intoArray(c, co + ldc);
                c11.intoArray(c, co + ldc + 16);
                c20.intoArray(c, co + 2 * ldc);
                c21.intoArray(c, co + 2 * ldc + 16);
                c30.intoArray(c, co + 3 * ldc);
                c31.intoArray(c, co + 3 * ldc + 16);
                c40.intoArray(c, co + 4 * ldc);
                c41.intoArray(c, co + 4 * ldc + 16);
                c50.intoArray(c, co + 5 * ldc);
                c51.intoArray(c, co + 5 * ldc + 16);
                c60.intoArray(c, co + 6 * ldc);
                c61.intoArray(c, co + 6 * ldc + 16);
                c70.intoArray(c, co + 7 * ldc);
                c71.intoArray(c, co + 7 * ldc + 16);
                c80.intoArray(c, co + 8 * ldc);
                c81.intoArray(c, co + 8 * ldc + 16);
                c90.intoArray(c, co + 9 * ldc);
                c91.intoArray(c, co + 9 * ldc + 16);
                c100.intoArray(c, co + 10 * ldc);
                c101.intoArray(c, co + 10 * ldc + 16);
                c110.intoArray(c, co + 11 * ldc);
                c111.intoArray(c, co + 11 * ldc + 16);
            }
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
            if (acc) {
                FloatVector.fromArray(S, c, co).add(c00).intoArray(c, co);
                FloatVector.fromArray(S, c, co + 16).add(c01).intoArray(c, co + 16);
                FloatVector.fromArray(S, c, co + ldc).add(c10).intoArray(c, co + ldc);
                FloatVector.fromArray(S, c, co + ldc + 16).add(c11).intoArray(c, co + ldc + 16);
                FloatVector.fromArray(S, c, co + 2 * ldc).add(c20).intoArray(c, co + 2 * ldc);
                FloatVector.fromArray(S, c, co + 2 * ldc + 16).add(c21).intoArray(c, co + 2 * ldc + 16);
                FloatVector.fromArray(S, c, co + 3 * ldc).add(c30).intoArray(c, co + 3 * ldc);
                FloatVector.fromArray(S, c, co + 3 * ldc + 16).add(c31).intoArray(c, co + 3 * ldc + 16);
                FloatVector.fromArray(S, c, co + 4 * ldc).add(c40).intoArray(c, co + 4 * ldc);
                FloatVector.fromArray(S, c, co + 4 * ldc + 16).add(c41).intoArray(c, co + 4 * ldc + 16);
                FloatVector.fromArray(S, c, co + 5 * ldc).add(c50).intoArray(c, co + 5 * ldc);
                FloatVector.fromArray(S, c, co + 5 * ldc + 16).add(c51).intoArray(c, co + 5 * ldc + 16);
                FloatVector.fromArray(S, c, co + 6 * ldc).add(c60).intoArray(c, co + 6 * ldc);
                FloatVector.fromArray(S, c, co + 6 * ldc + 16).add(c61).intoArray(c, co + 6 * ldc + 16);
                FloatVector.fromArray(S, c, co + 7 * ldc).add(c70).intoArray(c, co + 7 * ldc);
                FloatVector.fromArray(S, c, co + 7 * ldc + 16).add(c71).intoArray(c, co + 7 * ldc + 16);
                FloatVector.fromArray(S, c, co + 8 * ldc).add(c80).intoArray(c, co + 8 * ldc);
                FloatVector.fromArray(S, c, co + 8 * ldc + 16).add(c81).intoArray(c, co + 8 * ldc + 16);
                FloatVector.fromArray(S, c, co + 9 * ldc).add(c90).intoArray(c, co + 9 * ldc);
                FloatVector.fromArray(S, c, co + 9 * ldc + 16).add(c91).intoArray(c, co + 9 * ldc + 16);
                FloatVector.fromArray(S, c, co + 10 * ldc).add(c100).intoArray(c, co + 10 * ldc);
                FloatVector.fromArray(S, c, co + 10 * ldc + 16).add(c101).intoArray(c, co + 10 * ldc + 16);
                FloatVector.fromArray(S, c, co + 11 * ldc).add(c110).intoArray(c, co + 11 * ldc);
                FloatVector.fromArray(S, c, co + 11 * ldc + 16).add(c111).intoArray(c, co + 11 * ldc + 16);
                FloatVector.fromArray(S, c, co + 12 * ldc).add(c120).intoArray(c, co + 12 * ldc);
                FloatVector.fromArray(S, c, co + 12 * ldc + 16).add(c121).intoArray(c, co + 12 * ldc + 16);
                FloatVector.fromArray(S, c, co + 13 * ldc).add(c130).intoArray(c, co + 13 * ldc);
                FloatVector.fromArray(S, c, co + 13 * ldc + 16).add(c131).intoArray(c, co + 13 * ldc + 16);
            } else {
                c00.intoArray(c, co);
                c01.intoArray(c, co + 16);
                c10.intoArray(c, co + ldc);
                c11.intoArray(c, co + ldc + 16);
                c20.intoArray(c, co + 2 * ldc);
                c21.intoArray(c, co + 2 * ldc + 16);
                c30.intoArray(c, co + 3 * ldc);
                c31.intoArray(c, co + 3 * ldc + 16);
                c40.intoArray(c, co + 4 * ldc);
                c41.intoArray(c, co + 4 * ldc + 16);
                c50.intoArray(c, co + 5 * ldc);
                c51.intoArray(c, co + 5 * ldc + 16);
                c60.intoArray(c, co + 6 * ldc);
                c61.intoArray(c, co + 6 * ldc + 16);
                c70.intoArray(c, co + 7 * ldc);
                c71.intoArray(c, co + 7 * ldc + 16);
                c80.intoArray(c, co + 8 * ldc);
                c81.intoArray(c, co + 8 * ldc + 16);
                c90.intoArray(c, co + 9 * ldc);
                c91.intoArray(c, co + 9 * ldc + 16);
                c100.intoArray(c, co + 10 * ldc);
                c101.intoArray(c, co + 10 * ldc + 16);
                c110.intoArray(c, co + 11 * ldc);
                c111.intoArray(c, co + 11 * ldc + 16);
                c120.intoArray(c, co + 12 * ldc);
                c121.intoArray(c, co + 12 * ldc + 16);
                c130.intoArray(c, co + 13 * ldc);
                c131.intoArray(c, co + 13 * ldc + 16);
            }
        }
    }

    /** 6 x 32 on 512-bit vectors: twelve accumulators, two B vectors and a broadcast; the 512-bit default (the larger tiles spill). */
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
            if (acc) {
                FloatVector.fromArray(S, c, co).add(c00).intoArray(c, co);
                FloatVector.fromArray(S, c, co + 16).add(c01).intoArray(c, co + 16);
                FloatVector.fromArray(S, c, co + ldc).add(c10).intoArray(c, co + ldc);
                FloatVector.fromArray(S, c, co + ldc + 16).add(c11).intoArray(c, co + ldc + 16);
                FloatVector.fromArray(S, c, co + 2 * ldc).add(c20).intoArray(c, co + 2 * ldc);
                FloatVector.fromArray(S, c, co + 2 * ldc + 16).add(c21).intoArray(c, co + 2 * ldc + 16);
                FloatVector.fromArray(S, c, co + 3 * ldc).add(c30).intoArray(c, co + 3 * ldc);
                FloatVector.fromArray(S, c, co + 3 * ldc + 16).add(c31).intoArray(c, co + 3 * ldc + 16);
                FloatVector.fromArray(S, c, co + 4 * ldc).add(c40).intoArray(c, co + 4 * ldc);
                FloatVector.fromArray(S, c, co + 4 * ldc + 16).add(c41).intoArray(c, co + 4 * ldc + 16);
                FloatVector.fromArray(S, c, co + 5 * ldc).add(c50).intoArray(c, co + 5 * ldc);
                FloatVector.fromArray(S, c, co + 5 * ldc + 16).add(c51).intoArray(c, co + 5 * ldc + 16);
            } else {
                c00.intoArray(c, co);
                c01.intoArray(c, co + 16);
                c10.intoArray(c, co + ldc);
                c11.intoArray(c, co + ldc + 16);
                c20.intoArray(c, co + 2 * ldc);
                c21.intoArray(c, co + 2 * ldc + 16);
                c30.intoArray(c, co + 3 * ldc);
                c31.intoArray(c, co + 3 * ldc + 16);
                c40.intoArray(c, co + 4 * ldc);
                c41.intoArray(c, co + 4 * ldc + 16);
                c50.intoArray(c, co + 5 * ldc);
                c51.intoArray(c, co + 5 * ldc + 16);
            }
        }
    }
}
