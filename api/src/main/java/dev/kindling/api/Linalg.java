package dev.kindling.api;

/**
 * PyTorch's {@code torch.linalg} namespace: {@code Linalg.det(a)}, {@code Linalg.solve(a, b)}, {@code Linalg.qr(a)}...
 * Each call runs an op of the table ({@code linalg_det}, {@code linalg_solve}, {@code linalg_cholesky},
 * {@code linalg_qr}, {@code linalg_svd}, {@code linalg_vector_norm}, {@code linalg_matrix_norm}) through
 * {@link Tensor#callOp}, so autograd records it with PyTorch's node names. Inputs may carry leading batch dims; the
 * factorizations are computed in double precision and returned in the input's dtype (FLOAT32 or FLOAT64).
 *
 * <p>Numeric matrix-norm orders (1, -1, 2, -2, inf, -inf) are composites of other ops, as in PyTorch.
 */
public final class Linalg {
    private Linalg() {}

    /** The factors of {@link #qr}: {@code A = Q @ R} ({@code Q} empty for mode 'r'). */
    public record QR(Tensor Q, Tensor R) {}

    /** The factors of {@link #svd}: {@code A = U @ diag(S) @ Vh}, {@code S} descending. */
    public record SVD(Tensor U, Tensor S, Tensor Vh) {}

    private static Tensor one(Tensor a, String op, Tensor[] inputs, Object... attrs) { return a.callOp(op, inputs, attrs)[0]; }

    /** {@code torch.linalg.det}: the determinant of each square matrix. */
    public static Tensor det(Tensor a) { return one(a, "linalg_det", new Tensor[] {a}); }

    /** {@code torch.linalg.solve(A, B)}: X with {@code A @ X = B}; B may be a (batch of) vector(s). */
    public static Tensor solve(Tensor a, Tensor b) { return solve(a, b, true); }

    /** {@code torch.linalg.solve(A, B, left=left)}: {@code A @ X = B}, or {@code X @ A = B} when not left. */
    public static Tensor solve(Tensor a, Tensor b, boolean left) { return one(a, "linalg_solve", new Tensor[] {a, b}, left); }

    /** {@code torch.linalg.cholesky}: the lower factor L of {@code A = L @ L^T} (A's lower triangle is read). */
    public static Tensor cholesky(Tensor a) { return cholesky(a, false); }

    /** {@code torch.linalg.cholesky(A, upper=upper)}: L, or its transpose when upper. */
    public static Tensor cholesky(Tensor a, boolean upper) { return one(a, "linalg_cholesky", new Tensor[] {a}, upper); }

    /** {@code torch.linalg.qr(A)}: the reduced factorization. */
    public static QR qr(Tensor a) { return qr(a, "reduced"); }

    /** {@code torch.linalg.qr(A, mode)}: mode 'reduced', 'complete' or 'r'. */
    public static QR qr(Tensor a, String mode) {
        Tensor[] r = a.callOp("linalg_qr", new Tensor[] {a}, mode);
        return new QR(r[0], r[1]);
    }

    /** {@code torch.linalg.svd(A)}: full matrices, as PyTorch's default. */
    public static SVD svd(Tensor a) { return svd(a, true); }

    /** {@code torch.linalg.svd(A, full_matrices)}; each column of U has its largest entry positive. */
    public static SVD svd(Tensor a, boolean fullMatrices) {
        Tensor[] r = a.callOp("linalg_svd", new Tensor[] {a}, fullMatrices);
        return new SVD(r[0], r[1], r[2]);
    }

    /** {@code torch.linalg.svdvals}: the singular values, descending. */
    public static Tensor svdvals(Tensor a) { return svd(a, false).S(); }

    /** {@code torch.linalg.vector_norm(x)}: the 2-norm of all elements. */
    public static Tensor vectorNorm(Tensor x) { return vectorNorm(x, 2, null, false); }

    /** {@code torch.linalg.vector_norm(x, ord)} over all elements. */
    public static Tensor vectorNorm(Tensor x, double ord) { return vectorNorm(x, ord, null, false); }

    /** {@code torch.linalg.vector_norm(x, ord, dim, keepdim)}; dim null: all elements. */
    public static Tensor vectorNorm(Tensor x, double ord, int[] dim, boolean keepdim) {
        return one(x, "linalg_vector_norm", new Tensor[] {x}, ord, (Object) dim, keepdim);
    }

    /** {@code torch.linalg.matrix_norm(A)}: the Frobenius norm over the last two dims. */
    public static Tensor matrixNorm(Tensor a) { return matrixNorm(a, "fro", null, false); }

    /** {@code torch.linalg.matrix_norm(A, ord)}: 'fro' or 'nuc'. */
    public static Tensor matrixNorm(Tensor a, String ord) { return matrixNorm(a, ord, null, false); }

    /** {@code torch.linalg.matrix_norm(A, ord, dim, keepdim)}: 'fro' or 'nuc' over dim (null: the last two). */
    public static Tensor matrixNorm(Tensor a, String ord, int[] dim, boolean keepdim) {
        return one(a, "linalg_matrix_norm", new Tensor[] {a}, ord, (Object) dim, keepdim);
    }

    /** {@code torch.linalg.matrix_norm(A, ord)} with a numeric order over the last two dims. */
    public static Tensor matrixNorm(Tensor a, double ord) { return matrixNorm(a, ord, null, false); }

    /**
     * {@code torch.linalg.matrix_norm(A, ord, dim, keepdim)}, ord 1 / -1 (max / min column sum of |A|), inf / -inf
     * (row sums) or 2 / -2 (largest / smallest singular value).
     */
    public static Tensor matrixNorm(Tensor a, double ord, int[] dim, boolean keepdim) {
        String op = "linalg.matrix_norm";
        if (a.dim() < 2) throw new IllegalArgumentException(op + ": The input tensor A must have at least 2 dimensions.");
        int[] d = dim == null ? new int[] {-2, -1} : dim;
        if (d.length != 2) throw new IllegalArgumentException(op + ": dim must be a 2-tuple.");
        int d0 = d[0] < 0 ? d[0] + a.dim() : d[0];
        int d1 = d[1] < 0 ? d[1] + a.dim() : d[1];
        double abs = Math.abs(ord);
        boolean max = ord > 0;
        if (abs == 2) {
            int[] perm = new int[a.dim()];
            int k = 0;
            for (int i = 0; i < a.dim(); i++) if (i != d0 && i != d1) perm[k++] = i;
            perm[k++] = d0;
            perm[k] = d1;
            Tensor s = svdvals(a.permute(perm));
            Tensor r = max ? s.amax(-1) : s.amin(-1);
            return keepdim ? r.unsqueeze(Math.min(d0, d1)).unsqueeze(Math.max(d0, d1)) : r;
        }
        if (abs != 1 && !Double.isInfinite(abs)) throw new IllegalArgumentException(op + ": Order " + ord + " not supported.");
        if (Double.isInfinite(abs)) {
            int t = d0;
            d0 = d1;
            d1 = t;
        }
        if (!keepdim && d0 < d1) d1--;
        Tensor sums = a.abs().sum(d0, keepdim);
        return max ? sums.amax(d1, keepdim) : sums.amin(d1, keepdim);
    }

    /** {@code torch.linalg.norm(x)}: the 2-norm of all elements (Frobenius for matrices). */
    public static Tensor norm(Tensor x) { return vectorNorm(x); }

    /** {@code torch.linalg.norm(x, ord)}: a vector norm of a 1-d x, a matrix norm of a 2-d one. */
    public static Tensor norm(Tensor x, double ord) {
        if (x.dim() == 1) return vectorNorm(x, ord);
        if (x.dim() == 2) return matrixNorm(x, ord);
        throw new IllegalArgumentException("linalg.norm: If dim is not specified but ord is, the input must be 1D or 2D. Got " + x.dim() + "D.");
    }

    /** {@code torch.linalg.norm(A, 'fro' | 'nuc')}. */
    public static Tensor norm(Tensor a, String ord) { return matrixNorm(a, ord); }

    /** {@code torch.linalg.norm(x, ord, dim, keepdim)}: dim of one entry: a vector norm; of two: a matrix norm. */
    public static Tensor norm(Tensor x, double ord, int[] dim, boolean keepdim) {
        if (dim != null && dim.length == 2) return matrixNorm(x, ord, dim, keepdim);
        return vectorNorm(x, ord, dim, keepdim);
    }
}
