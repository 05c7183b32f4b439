package dev.kindling.data.transforms;

import dev.kindling.api.DType;
import dev.kindling.api.Generator;
import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;
import dev.kindling.data.DataRandom;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TransformsTest {
    static Tensor u8(int h, int w, int c) {
        byte[] b = new byte[h * w * c];
        for (int i = 0; i < b.length; i++) b[i] = (byte) (i * 37 + 11);
        return Torch.tensor(b, h, w, c);
    }

    @Test
    void toTensorLayoutAndErrors() {
        Tensor x = new ToTensor().apply(u8(2, 3, 3));
        assertArrayEquals(new long[] {3, 2, 3}, x.shape());
        assertEquals(DType.FLOAT32, x.dtype());
        int[] raw = u8(2, 3, 3).toIntArray();
        assertEquals(raw[1] / 255f, x.get(1).get(0).get(0).item(), 0, "channel 1 of pixel (0,0)");
        assertArrayEquals(new long[] {1, 4, 5}, new ToTensor().apply(Torch.tensor(new byte[20], 4, 5)).shape());
        Tensor f = Torch.arange(0, 6, 1).toFloat().view(1, 2, 3);
        assertArrayEquals(new long[] {3, 1, 2}, new ToTensor().apply(f).shape(), "non-uint8 arrays are permuted HWC->CHW, not scaled");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new ToTensor().apply(Torch.zeros(64)));
        assertTrue(e.getMessage().startsWith("pic should be 2/3 dimensional. Got 1 dimensions"), e.getMessage());
        assertEquals("ToTensor()", new ToTensor().toString());
    }

    @Test
    void normalizeErrorsAreTorchvisions() {
        Normalize n = new Normalize(new double[] {0.5}, new double[] {0.5});
        assertEquals("Input tensor should be a float tensor. Got torch.uint8.",
                assertThrows(IllegalArgumentException.class, () -> n.apply(u8(2, 2, 1))).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> n.apply(Torch.zeros(28, 28))).getMessage()
                .startsWith("Expected tensor to be a tensor image of size (..., C, H, W). Got tensor.size() = [28, 28]"));
        assertEquals("std evaluated to zero after conversion to torch.float32, leading to division by zero.",
                assertThrows(IllegalArgumentException.class, () -> new Normalize(new double[] {0}, new double[] {1e-50}).apply(Torch.ones(1, 2, 2))).getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Normalize(new double[] {0, 0}, new double[] {1, 1}).apply(Torch.ones(3, 2, 2)));
        Tensor batch = Torch.ones(2, 3, 2, 2);
        Tensor out = new Normalize(new double[] {1, 2, 3}, new double[] {1, 2, 4}).apply(batch);
        assertArrayEquals(new float[] {0, -0.5f, -0.5f}, new float[] {out.get(1).get(0).get(0).get(0).toFloatArray()[0],
                out.get(1).get(1).get(0).get(0).toFloatArray()[0], out.get(1).get(2).get(1).get(1).toFloatArray()[0]});
        assertEquals(1.0, batch.get(0).get(0).get(0).get(0).item(), "the input is not modified");
        Tensor d = new Normalize(new double[] {0.25}, new double[] {0.5}).apply(Torch.ones(DType.FLOAT64, 1, 1, 2));
        assertEquals(DType.FLOAT64, d.dtype());
        assertArrayEquals(new double[] {1.5, 1.5}, d.toDoubleArray());
    }

    @Test
    void normalizeWithOneMeanAndStd() {
        Normalize n = new Normalize(0.5, 0.25);
        assertEquals("Normalize(mean=0.5, std=0.25)", n.toString()); // torchvision prints its float arguments as given
        Tensor x = Torch.ones(2, 2, 2).mul(0.75);
        assertArrayEquals(new float[] {1, 1, 1, 1, 1, 1, 1, 1}, n.apply(x).toFloatArray(), 1e-6f);
        assertArrayEquals(new Normalize(new double[] {0.5}, new double[] {0.25}).apply(x).toFloatArray(), n.apply(x).toFloatArray());
    }

    @Test
    void composeLambdaAndPrinting() {
        Compose<Tensor> c = new Compose<>(new ToTensor(), new Lambda<Tensor, Tensor>(t -> t.mul(2.0)), new Normalize(new double[] {0.1307}, new double[] {0.3081}));
        assertEquals("Compose(\n    ToTensor()\n    Lambda()\n    Normalize(mean=[0.1307], std=[0.3081])\n)", c.toString());
        Tensor out = c.apply(u8(3, 3, 1));
        assertArrayEquals(new long[] {1, 3, 3}, out.shape());
        Transform<Tensor, Double> mean = new ToTensor().andThen(t -> t.mean().item());
        assertEquals(new ToTensor().apply(u8(3, 3, 1)).mean().item(), mean.apply(u8(3, 3, 1)), 0);
    }

    @Test
    void randomTransformsDrawFromTheCurrentGenerator() {
        Tensor img = u8(4, 5, 3);
        RandomHorizontalFlip always = new RandomHorizontalFlip(1.0);
        Tensor flipped = always.apply(img);
        assertArrayEquals(img.toIntArray(), RandomHorizontalFlip.hflip(flipped).toIntArray());
        assertSame(img, new RandomHorizontalFlip(0.0).apply(img));
        // outside a loader: the default generator, as torchvision uses the global torch generator
        Torch.manualSeed(11);
        Tensor a = new RandomCrop(3).apply(img);
        Tensor b = DataRandom.with(new Generator(11), () -> new RandomCrop(3).apply(img));
        assertArrayEquals(a.toIntArray(), b.toIntArray());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new RandomCrop(9).apply(img)).getMessage()
                .startsWith("Required crop size (9, 9) is larger than input image size (4, 5)"));
        assertArrayEquals(new long[] {9, 9, 3}, new RandomCrop(9, 9, null, true, 0).apply(img).shape(), "pad_if_needed");
        assertThrows(IllegalArgumentException.class, () -> new RandomRotation(-1));
        assertThrows(IllegalArgumentException.class, () -> new RandomCrop(4, 4, new int[] {1, 2, 3}, false, 0));
    }

    @Test
    void resizeKeepsTheAspectRatioAndSkipsNoOps() {
        Tensor img = u8(30, 20, 1);
        assertArrayEquals(new long[] {15, 10, 1}, new Resize(10).apply(img).shape());
        assertSame(img, new Resize(30, 20).apply(img));
        assertArrayEquals(new long[] {2, 3, 5, 7}, new Resize(5, 7).apply(Torch.rand(2, 3, 10, 10)).shape(), "leading batch dimensions");
        assertArrayEquals(new long[] {3, 12, 16}, new CenterCrop(12, 16).apply(Torch.rand(3, 10, 10)).shape(), "padded when larger");
    }
}
