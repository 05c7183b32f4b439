package dev.kindling.data.spi;

import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;
import dev.kindling.data.transforms.Compose;
import dev.kindling.data.transforms.ToTensor;
import dev.kindling.data.transforms.Transform;

import java.util.List;

/**
 * Builds a sample's image input from raw pixel bytes held by a reader, applying the dataset's transform. The result
 * is always what {@code transform.apply(Torch.tensor(hwcBytes, h, w, c))} gives; when the transform starts with
 * {@link ToTensor} (alone or first in a {@link Compose}) the float tensor is made straight from the bytes, skipping
 * the intermediate UINT8 tensor.
 */
public final class ImageInput {
    private ImageInput() {}

    /**
     * @param pixels the reader's bytes
     * @param offset where this image starts
     * @param chw true when the bytes are stored planar ({@code [C, H, W]}, as CIFAR-10), false for HWC
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public static Tensor of(byte[] pixels, int offset, int h, int w, int c, boolean chw, Transform<Tensor, Tensor> transform) {
        if (transform instanceof ToTensor) return floats(pixels, offset, h, w, c, chw);
        if (transform instanceof Compose) {
            List<Transform<Tensor, Tensor>> ts = ((Compose<Tensor>) (Compose) transform).transforms();
            if (!ts.isEmpty() && ts.get(0) instanceof ToTensor) {
                Tensor x = floats(pixels, offset, h, w, c, chw);
                for (int i = 1; i < ts.size(); i++) x = ts.get(i).apply(x);
                return x;
            }
        }
        Tensor raw = Torch.tensor(hwc(pixels, offset, h, w, c, chw), h, w, c);
        return transform == null ? raw : transform.apply(raw);
    }

    private static byte[] hwc(byte[] pixels, int offset, int h, int w, int c, boolean chw) {
        int n = h * w * c;
        byte[] out = new byte[n];
        if (!chw || c == 1) {
            System.arraycopy(pixels, offset, out, 0, n);
            return out;
        }
        int plane = h * w;
        for (int p = 0; p < plane; p++) {
            for (int ch = 0; ch < c; ch++) out[p * c + ch] = pixels[offset + ch * plane + p];
        }
        return out;
    }

    private static Tensor floats(byte[] pixels, int offset, int h, int w, int c, boolean chw) {
        if (!chw) return ToTensor.fromBytes(pixels, offset, h, w, c);
        int n = h * w * c;
        float[] out = new float[n];
        for (int i = 0; i < n; i++) out[i] = (pixels[offset + i] & 0xff) / 255f;
        return Torch.tensor(out, c, h, w);
    }
}
