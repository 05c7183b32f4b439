package dev.kindling.nn;

import dev.kindling.api.Generator;
import dev.kindling.api.GradMode;
import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;

import java.util.Locale;

/**
 * {@code torch.nn.init}: fills a tensor in place (without recording gradients) and returns it. The random ones draw
 * from the default generator ({@link Torch#manualSeed(long)}) or the given {@link Generator}, in PyTorch's order, so the
 * uniform-based ones give PyTorch's values bit for bit after the same seed.
 *
 * <p>The class is named as PyTorch's module so that calls read the same: {@code init.kaimingUniform_(w, Math.sqrt(5))}.
 */
@SuppressWarnings("try") // try-with-resources for grad mode: the resource is not referenced in the body
public final class init {
    private init() {}

    /** The recommended gain for a nonlinearity ({@code calculate_gain}): linear, conv*, sigmoid 1; tanh 5/3; relu √2; leaky_relu √(2/(1+slope²)); selu 3/4. */
    public static double calculateGain(String nonlinearity) { return calculateGain(nonlinearity, Double.NaN); }

    /** {@code calculate_gain(nonlinearity, param)}; {@code param} is leaky_relu's negative slope (NaN = default 0.01). */
    public static double calculateGain(String nonlinearity, double param) {
        switch (nonlinearity.toLowerCase(Locale.ROOT)) {
            case "linear": case "conv1d": case "conv2d": case "conv3d": case "conv_transpose1d": case "conv_transpose2d":
            case "conv_transpose3d": case "sigmoid":
                return 1;
            case "tanh":
                return 5.0 / 3;
            case "relu":
                return Math.sqrt(2.0);
            case "leaky_relu": {
                double slope = Double.isNaN(param) ? 0.01 : param;
                return Math.sqrt(2.0 / (1 + slope * slope));
            }
            case "selu":
                return 3.0 / 4;
            default:
                throw new IllegalArgumentException("Unsupported nonlinearity " + nonlinearity);
        }
    }

    /** {@code [fan_in, fan_out]} of a weight: {@code size(1) * receptive field}, {@code size(0) * receptive field}. */
    public static long[] calculateFanInAndFanOut(Tensor tensor) {
        if (tensor.dim() < 2) {
            throw new IllegalArgumentException("Fan in and fan out can not be computed for tensor with fewer than 2 dimensions");
        }
        long receptive = 1;
        for (int d = 2; d < tensor.dim(); d++) receptive *= tensor.size(d);
        return new long[] {tensor.size(1) * receptive, tensor.size(0) * receptive};
    }

    private static long fan(Tensor tensor, String mode) {
        long[] fans = calculateFanInAndFanOut(tensor);
        switch (mode.toLowerCase(Locale.ROOT)) {
            case "fan_in": return fans[0];
            case "fan_out": return fans[1];
            default: throw new IllegalArgumentException("Mode " + mode + " not supported, please use one of fan_in, fan_out");
        }
    }

    // ---- uniform / normal / constants

    public static Tensor uniform_(Tensor tensor) { return uniform_(tensor, 0, 1, null); }

    public static Tensor uniform_(Tensor tensor, double a, double b) { return uniform_(tensor, a, b, null); }

    public static Tensor uniform_(Tensor tensor, double a, double b, Generator generator) {
        try (GradMode ignored = Torch.noGrad()) {
            return tensor.uniform_(a, b, generator);
        }
    }

    public static Tensor normal_(Tensor tensor) { return normal_(tensor, 0, 1, null); }

    public static Tensor normal_(Tensor tensor, double mean, double std) { return normal_(tensor, mean, std, null); }

    public static Tensor normal_(Tensor tensor, double mean, double std, Generator generator) {
        try (GradMode ignored = Torch.noGrad()) {
            return tensor.normal_(mean, std, generator);
        }
    }

    public static Tensor constant_(Tensor tensor, double value) {
        try (GradMode ignored = Torch.noGrad()) {
            return tensor.fill_(value);
        }
    }

    public static Tensor zeros_(Tensor tensor) { return constant_(tensor, 0); }

    public static Tensor ones_(Tensor tensor) { return constant_(tensor, 1); }

    // ---- Xavier (Glorot)

    public static Tensor xavierUniform_(Tensor tensor) { return xavierUniform_(tensor, 1.0, null); }

    public static Tensor xavierUniform_(Tensor tensor, double gain) { return xavierUniform_(tensor, gain, null); }

    /** Uniform in ±{@code gain·√(6/(fan_in+fan_out))}. */
    public static Tensor xavierUniform_(Tensor tensor, double gain, Generator generator) {
        long[] fans = calculateFanInAndFanOut(tensor);
        double std = gain * Math.sqrt(2.0 / (double) (fans[0] + fans[1]));
        double a = Math.sqrt(3.0) * std;
        return uniform_(tensor, -a, a, generator);
    }

    public static Tensor xavierNormal_(Tensor tensor) { return xavierNormal_(tensor, 1.0, null); }

    public static Tensor xavierNormal_(Tensor tensor, double gain) { return xavierNormal_(tensor, gain, null); }

    /** Normal with std {@code gain·√(2/(fan_in+fan_out))}. */
    public static Tensor xavierNormal_(Tensor tensor, double gain, Generator generator) {
        long[] fans = calculateFanInAndFanOut(tensor);
        double std = gain * Math.sqrt(2.0 / (double) (fans[0] + fans[1]));
        return normal_(tensor, 0, std, generator);
    }

    // ---- Kaiming (He)

    /** PyTorch's defaults: {@code a=0, mode="fan_in", nonlinearity="leaky_relu"}. */
    public static Tensor kaimingUniform_(Tensor tensor) { return kaimingUniform_(tensor, 0, "fan_in", "leaky_relu", null); }

    public static Tensor kaimingUniform_(Tensor tensor, double a) { return kaimingUniform_(tensor, a, "fan_in", "leaky_relu", null); }

    public static Tensor kaimingUniform_(Tensor tensor, double a, String mode, String nonlinearity) {
        return kaimingUniform_(tensor, a, mode, nonlinearity, null);
    }

    /** Uniform in ±{@code √3 · gain / √fan}. Linear and Conv weights use {@code a = √5}. */
    public static Tensor kaimingUniform_(Tensor tensor, double a, String mode, String nonlinearity, Generator generator) {
        long fan = fan(tensor, mode);
        double gain = calculateGain(nonlinearity, a);
        double std = gain / Math.sqrt((double) fan);
        double bound = Math.sqrt(3.0) * std;
        return uniform_(tensor, -bound, bound, generator);
    }

    public static Tensor kaimingNormal_(Tensor tensor) { return kaimingNormal_(tensor, 0, "fan_in", "leaky_relu", null); }

    public static Tensor kaimingNormal_(Tensor tensor, double a) { return kaimingNormal_(tensor, a, "fan_in", "leaky_relu", null); }

    public static Tensor kaimingNormal_(Tensor tensor, double a, String mode, String nonlinearity) {
        return kaimingNormal_(tensor, a, mode, nonlinearity, null);
    }

    /** Normal with std {@code gain / √fan}. */
    public static Tensor kaimingNormal_(Tensor tensor, double a, String mode, String nonlinearity, Generator generator) {
        long fan = fan(tensor, mode);
        double gain = calculateGain(nonlinearity, a);
        return normal_(tensor, 0, gain / Math.sqrt((double) fan), generator);
    }
}
