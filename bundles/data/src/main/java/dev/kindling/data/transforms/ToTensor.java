package dev.kindling.data.transforms;

import dev.kindling.api.DType;
import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;

import java.util.Arrays;

/**
 * {@code transforms.ToTensor}: a UINT8 image in HWC layout ({@code [H, W, C]} or {@code [H, W]}) becomes a FLOAT32
 * tensor image {@code [C, H, W]} with values {@code x / 255} in [0, 1]. Other dtypes are treated as torchvision treats
 * a non-uint8 numpy array: HWC is permuted to CHW and the values are kept.
 */
public final class ToTensor implements Transform<Tensor, Tensor> {
    @Override
    public Tensor apply(Tensor pic) {
        long[] s = pic.shape();
        if (s.length != 2 && s.length != 3) {
            throw new IllegalArgumentException("pic should be 2/3 dimensional. Got " + s.length + " dimensions (shape "
                    + Arrays.toString(s) + ").");
        }
        if (pic.dtype() != DType.UINT8) {
            Tensor t = s.length == 2 ? pic.unsqueeze(2) : pic;
            return t.permute(2, 0, 1).contiguous();
        }
        int h = (int) s[0], w = (int) s[1], c = s.length == 2 ? 1 : (int) s[2];
        int[] v = pic.toIntArray();
        return Torch.tensor(chw(v, h, w, c), c, h, w);
    }

    /** HWC values 0..255 to CHW floats in [0, 1] ({@code x / 255} in float32, as torchvision divides). */
    static float[] chw(int[] v, int h, int w, int c) {
        float[] out = new float[v.length];
        if (c == 1) {
            for (int i = 0; i < v.length; i++) out[i] = v[i] / 255f;
            return out;
        }
        int plane = h * w;
        for (int p = 0; p < plane; p++) {
            for (int ch = 0; ch < c; ch++) out[ch * plane + p] = v[p * c + ch] / 255f;
        }
        return out;
    }

    /**
     * The same conversion straight from bytes (HWC, unsigned), for readers that hold raw pixels: equal to
     * {@code apply(Torch.tensor(bytes, h, w, c))} without the intermediate UINT8 tensor.
     */
    public static Tensor fromBytes(byte[] data, int offset, int h, int w, int c) {
        int n = h * w * c;
        if (offset < 0 || offset + n > data.length) throw new IndexOutOfBoundsException("image bytes " + offset + ".." + (offset + n) + " outside an array of " + data.length);
        float[] out = new float[n];
        if (c == 1) {
            for (int i = 0; i < n; i++) out[i] = (data[offset + i] & 0xff) / 255f;
        } else {
            int plane = h * w;
            for (int p = 0; p < plane; p++) {
                for (int ch = 0; ch < c; ch++) out[ch * plane + p] = (data[offset + p * c + ch] & 0xff) / 255f;
            }
        }
        return Torch.tensor(out, c, h, w);
    }

    @Override
    public String toString() { return "ToTensor()"; }
}
