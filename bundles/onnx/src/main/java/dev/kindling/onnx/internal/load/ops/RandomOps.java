package dev.kindling.onnx.internal.load.ops;

import dev.kindling.api.DType;
import dev.kindling.api.Generator;
import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;
import dev.kindling.onnx.internal.load.OpContext;
import dev.kindling.onnx.internal.load.OpTable;

import static dev.kindling.onnx.internal.load.ops.Util.one;

/**
 * Random ops on Kindling's generators. A node with a {@code seed} draws from a generator seeded afresh on each run,
 * so it gives the same values every run; without one it draws from Kindling's default generator
 * ({@code Torch.manualSeed}). The values are Kindling's, not another runtime's for the same seed.
 */
public final class RandomOps {
    private RandomOps() {}

    public static void register(OpTable t) {
        t.put("RandomUniform", c -> one(uniform(c, shapeAttr(c), Util.dtype(c, c.i("dtype", 1)), null)));
        t.put("RandomNormal", c -> one(normal(c, shapeAttr(c), Util.dtype(c, c.i("dtype", 1)), null)));
        t.put("RandomUniformLike", c -> one(uniform(c, c.in(0).shape(), likeType(c), c.in(0))));
        t.put("RandomNormalLike", c -> one(normal(c, c.in(0).shape(), likeType(c), c.in(0))));
        t.put("Bernoulli", c -> {
            Tensor p = c.in(0);
            DType dt = c.has("dtype") ? Util.dtype(c, c.i("dtype", 1)) : p.dtype();
            Tensor u = Torch.rand(generator(c), p.shape()).to(p.device());
            return one(u.lt(p.toFloat()).to(dt));
        });
        t.put("Multinomial", c -> {
            Tensor logits = c.in(0);
            if (logits.dim() != 2) throw c.error("input must be [batch, classes]");
            long n = c.i("sample_size", 1);
            if (n <= 0) throw c.error("sample_size must be positive");
            c.checkAlloc(new long[] {logits.size(0), n});
            DType dt = Util.dtype(c, c.i("dtype", 6));
            if (dt != DType.INT32 && dt != DType.INT64) throw c.error("dtype must be int32 or int64");
            Tensor probs = logits.toDouble().softmax(1);
            return one(Torch.multinomial(probs, n, true, generator(c)).to(dt));
        });
    }

    private static long[] shapeAttr(OpContext c) {
        long[] s = c.ints("shape");
        if (s == null) throw c.error("shape is required");
        c.checkAlloc(s);
        return s;
    }

    private static DType likeType(OpContext c) {
        return c.has("dtype") ? Util.dtype(c, c.i("dtype", 1)) : c.in(0).dtype();
    }

    private static Generator generator(OpContext c) {
        // the seed attribute is a float; its bits make the generator's seed
        return c.has("seed") ? new Generator(Float.floatToIntBits(c.f("seed", 0f))) : Torch.defaultGenerator();
    }

    private static Tensor floating(OpContext c, DType dt, long[] shape, Tensor like) {
        if (!dt.isFloatingPoint()) throw c.error("dtype must be a floating type, got " + dt.torchName());
        Tensor t = Torch.empty(dt, shape);
        return like == null ? t : t.to(like.device());
    }

    private static Tensor uniform(OpContext c, long[] shape, DType dt, Tensor like) {
        return floating(c, dt, shape, like).uniform_(c.f("low", 0f), c.f("high", 1f), generator(c));
    }

    private static Tensor normal(OpContext c, long[] shape, DType dt, Tensor like) {
        return floating(c, dt, shape, like).normal_(c.f("mean", 0f), c.f("scale", 1f), generator(c));
    }
}
