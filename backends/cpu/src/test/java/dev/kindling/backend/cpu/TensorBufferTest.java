package dev.kindling.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kindling.api.DType;
import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.nio.ShortBuffer;

import org.junit.jupiter.api.Test;

/**
 * {@code t.copyTo(Buffer)} and {@code t.copy_(Buffer)}: elements straight between a tensor and a java.nio buffer, in
 * row-major order from the buffer's position, for every dtype, contiguous and strided, with bad buffers refused before
 * anything moves.
 */
class TensorBufferTest {

    private static FloatBuffer directFloats(int n) {
        return ByteBuffer.allocateDirect(n * Float.BYTES).order(ByteOrder.nativeOrder()).asFloatBuffer();
    }

    @Test
    void floatsGoIntoADirectBufferFromItsPositionAndComeBack() {
        Tensor t = Torch.arange(6L).toFloat().view(2, 3).mul(1.5);
        FloatBuffer buf = directFloats(10);
        buf.position(3);
        t.copyTo(buf);
        assertEquals(9, buf.position());
        float[] seen = new float[10];
        buf.get(0, seen);
        assertArrayEquals(new float[] {0, 0, 0, 0, 1.5f, 3, 4.5f, 6, 7.5f, 0}, seen);

        Tensor back = Torch.zeros(3, 2);
        buf.position(3);
        Tensor returned = back.copy_(buf);
        assertTrue(returned == back);
        assertEquals(9, buf.position());
        assertArrayEquals(new float[] {0, 1.5f, 3, 4.5f, 6, 7.5f}, back.toFloatArray());
    }

    @Test
    void stridedViewsAreReadAndWrittenInRowMajorOrder() {
        Tensor base = Torch.arange(12L).toFloat().view(3, 4);
        Tensor transposed = base.t(); // [4, 3], strides (1, 4): rows the backend cannot copy in one run
        FloatBuffer buf = FloatBuffer.allocate(12);
        transposed.copyTo(buf);
        assertArrayEquals(transposed.contiguous().toFloatArray(), buf.array());

        Tensor columns = base.narrow(1, 1, 2); // [3, 2] with row stride 4: unit-stride rows of 2
        FloatBuffer two = FloatBuffer.wrap(new float[] {-1, -2, -3, -4, -5, -6});
        columns.copy_(two);
        assertArrayEquals(new float[] {0, -1, -2, 3, 4, -3, -4, 7, 8, -5, -6, 11}, base.toFloatArray());

        buf.clear();
        for (int i = 0; i < 12; i++) buf.put(i, 100 + i);
        transposed.copy_(buf); // base[j][i] = 100 + i*3 + j
        Tensor expected = Torch.arange(12L).toFloat().add(100).view(4, 3).t();
        assertArrayEquals(expected.contiguous().toFloatArray(), base.toFloatArray());
    }

    @Test
    void everyDtypeHasItsBufferType() {
        Tensor d = Torch.tensor(new double[] {1.25, -2.5, 1e300});
        DoubleBuffer db = DoubleBuffer.allocate(3);
        d.copyTo(db);
        assertArrayEquals(new double[] {1.25, -2.5, 1e300}, db.array());
        Tensor d2 = Torch.zeros(DType.FLOAT64, 3);
        d2.copy_(db.flip());
        assertArrayEquals(d.toDoubleArray(), d2.toDoubleArray());

        Tensor l = Torch.tensor(new long[] {Long.MIN_VALUE, 7, Long.MAX_VALUE});
        LongBuffer lb = LongBuffer.allocate(3);
        l.copyTo(lb);
        assertArrayEquals(new long[] {Long.MIN_VALUE, 7, Long.MAX_VALUE}, lb.array());
        Tensor l2 = Torch.zeros(DType.INT64, 3).copy_(lb.flip());
        assertArrayEquals(l.toLongArray(), l2.toLongArray());

        Tensor i = Torch.tensor(new long[] {-3, 4}).to(DType.INT32);
        IntBuffer ib = IntBuffer.allocate(2);
        i.copyTo(ib);
        assertArrayEquals(new int[] {-3, 4}, ib.array());

        Tensor h = Torch.tensor(new float[] {1.5f, -0.25f}).to(DType.BFLOAT16);
        ShortBuffer hb = ShortBuffer.allocate(2);
        h.copyTo(hb);
        assertArrayEquals(new short[] {(short) 0x3fc0, (short) 0xbe80}, hb.array());
        Tensor h2 = Torch.zeros(DType.BFLOAT16, 2).copy_(hb.flip());
        assertArrayEquals(new float[] {1.5f, -0.25f}, h2.toFloatArray());

        Tensor f16 = Torch.tensor(new float[] {1f, -2f}).to(DType.FLOAT16);
        ShortBuffer fb = ShortBuffer.allocate(2);
        f16.copyTo(fb);
        assertArrayEquals(new short[] {(short) 0x3c00, (short) 0xc000}, fb.array());

        Tensor u8 = Torch.tensor(new long[] {255, 1}).to(DType.UINT8);
        ByteBuffer ub = ByteBuffer.allocate(2);
        u8.copyTo(ub);
        assertArrayEquals(new byte[] {(byte) 255, 1}, ub.array());

        Tensor b = Torch.tensor(new long[] {0, 3, 0}).toBool();
        ByteBuffer bb = ByteBuffer.allocate(3);
        b.copyTo(bb);
        assertArrayEquals(new byte[] {0, 1, 0}, bb.array());
        Tensor b2 = Torch.zeros(DType.BOOL, 3).copy_(ByteBuffer.wrap(new byte[] {5, 0, -1}));
        assertArrayEquals(new boolean[] {true, false, true}, b2.toBooleanArray());
    }

    @Test
    void aZeroDimTensorMovesOneElement() {
        Tensor s = Torch.tensor(2.5);
        FloatBuffer buf = FloatBuffer.allocate(1);
        s.copyTo(buf);
        assertEquals(2.5f, buf.get(0));
        buf.put(0, -4f).rewind();
        s.copy_(buf);
        assertEquals(-4.0, s.item());
    }

    @Test
    void theWrongBufferTypeIsRefusedByName() {
        Tensor t = Torch.ones(4);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> t.copyTo(DoubleBuffer.allocate(4)));
        assertTrue(e.getMessage().contains("torch.float32") && e.getMessage().contains("FloatBuffer") && e.getMessage().contains("DoubleBuffer"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> t.copy_(ByteBuffer.allocate(16)));
        assertTrue(e.getMessage().contains("ByteBuffer"), e.getMessage());
    }

    @Test
    void aShortBufferIsRefusedBeforeAnythingMoves() {
        Tensor t = Torch.arange(5L).toFloat();
        FloatBuffer small = FloatBuffer.allocate(6);
        small.position(2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> t.copyTo(small));
        assertTrue(e.getMessage().contains("5 elements") && e.getMessage().contains("4 remaining") && e.getMessage().contains("position 2"), e.getMessage());
        assertEquals(2, small.position());
        assertArrayEquals(new float[6], small.array());

        FloatBuffer src = FloatBuffer.wrap(new float[] {9, 9, 9});
        assertThrows(IllegalArgumentException.class, () -> t.copy_(src));
        assertEquals(0, src.position());
        assertArrayEquals(new float[] {0, 1, 2, 3, 4}, t.toFloatArray());
    }

    @Test
    void aReadOnlyBufferTakesNoWrites() {
        Tensor t = Torch.ones(2);
        FloatBuffer ro = FloatBuffer.allocate(2).asReadOnlyBuffer();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> t.copyTo(ro));
        assertTrue(e.getMessage().contains("read-only"), e.getMessage());
        t.copy_(FloatBuffer.wrap(new float[] {3, 4}).asReadOnlyBuffer()); // reading from one is fine
        assertArrayEquals(new float[] {3, 4}, t.toFloatArray());
    }

    @Test
    void anExpandedViewTakesNoWrites() {
        Tensor row = Torch.zeros(1, 3);
        Tensor wide = row.expand(4, 3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> wide.copy_(FloatBuffer.allocate(12)));
        assertTrue(e.getMessage().contains("stride 0") && e.getMessage().contains("[4, 3]"), e.getMessage());
        FloatBuffer out = FloatBuffer.allocate(12);
        wide.copyTo(out); // reading one is fine: each element as often as it appears
        assertEquals(12, out.position());
    }

    @Test
    void aWriteBumpsTheVersionCounter() {
        Tensor t = Torch.zeros(3);
        int before = ((dev.kindling.kernel.ops.DenseTensor) t).version();
        t.copy_(FloatBuffer.wrap(new float[] {1, 2, 3}));
        assertEquals(before + 1, ((dev.kindling.kernel.ops.DenseTensor) t).version());
    }
}
