package dev.kindling.kernel.ops;

import dev.kindling.api.DType;
import dev.kindling.api.Tensor;
import dev.kindling.kernel.tensor.HostData;
import dev.kindling.kernel.tensor.Shapes;

import java.util.Arrays;

import static dev.kindling.kernel.ops.Kernels.torchTypeName;

/**
 * Forwards of the torch.linalg ops (det, solve, cholesky, qr, svd), computed on the host in double precision over
 * batches of matrices (leading dims) and cast back to the input's dtype: LU with partial pivoting, Cholesky,
 * Householder QR (LAPACK's reflector convention, so Q and R have PyTorch's signs) and one-sided Jacobi SVD (singular
 * vectors signed so that each column of U has its largest entry positive). Errors carry PyTorch's wording.
 */
final class LinalgKernels {
    private LinalgKernels() {}

    // ---------------------------------------------------------------- host I/O and checks

    /** The elements of {@code x} (any strides) as doubles in row-major order. */
    private static double[] host(DenseTensor x) { return HostData.doubles(x.backend().toHost(x.view()), x.dtype()); }

    private static DenseTensor make(DenseTensor like, long[] shape, double[] values) {
        return DenseTensor.contiguous(like.kernel(), like.handle(), like.backend().fromHost(like.device(), like.dtype(), values), shape);
    }

    private static long[] batchOf(long[] s) { return Arrays.copyOf(s, s.length - 2); }

    private static long[] with(long[] batch, long... tail) {
        long[] out = Arrays.copyOf(batch, batch.length + tail.length);
        System.arraycopy(tail, 0, out, batch.length, tail.length);
        return out;
    }

    private static void atLeast2d(DenseTensor a, String op) {
        if (a.dim() < 2) throw new IllegalArgumentException(op + ": The input tensor A must have at least 2 dimensions.");
    }

    private static void floating(DenseTensor a, String op) {
        if (!a.dtype().isFloatingPoint()) {
            throw new IllegalArgumentException(op + ": Expected a floating point or complex tensor as input. Got " + torchTypeName(a.dtype()));
        }
    }

    private static int square(DenseTensor a, String op) {
        atLeast2d(a, op);
        long[] s = a.shapeRef();
        long m = s[s.length - 2];
        long n = s[s.length - 1];
        if (m != n) throw new IllegalArgumentException(op + ": A must be batches of square matrices, but they are " + m + " by " + n + " matrices");
        floating(a, op);
        return Math.toIntExact(n);
    }

    private static String batchElement(DenseTensor a, long b) { return a.dim() > 2 ? "(Batch element " + b + "): " : ""; }

    // ---------------------------------------------------------------- LU, det, solve

    /**
     * LU with partial pivoting of the n-by-n row-major matrix at {@code off} in {@code a}, in place (L below the unit
     * diagonal, U on and above); {@code perm[i]} is the source row of row i. Returns the permutation's sign, or 0 when a
     * pivot is exactly zero (singular; the factorization continues, as LAPACK's getrf does).
     */
    static int lu(double[] a, int off, int n, int[] perm) {
        for (int i = 0; i < n; i++) perm[i] = i;
        int sign = 1;
        boolean singular = false;
        for (int k = 0; k < n; k++) {
            int p = k;
            for (int i = k + 1; i < n; i++) if (Math.abs(a[off + i * n + k]) > Math.abs(a[off + p * n + k])) p = i;
            if (p != k) {
                for (int j = 0; j < n; j++) {
                    double t = a[off + k * n + j];
                    a[off + k * n + j] = a[off + p * n + j];
                    a[off + p * n + j] = t;
                }
                int t = perm[k];
                perm[k] = perm[p];
                perm[p] = t;
                sign = -sign;
            }
            double pivot = a[off + k * n + k];
            if (pivot == 0) {
                singular = true;
                continue;
            }
            for (int i = k + 1; i < n; i++) {
                double l = a[off + i * n + k] / pivot;
                a[off + i * n + k] = l;
                if (l != 0) for (int j = k + 1; j < n; j++) a[off + i * n + j] -= l * a[off + k * n + j];
            }
        }
        return singular ? 0 : sign;
    }

    /** linalg.det over the last two dims. */
    static DenseTensor det(DenseTensor a) {
        int n = square(a, "linalg.det");
        long[] s = a.shapeRef();
        double[] x = host(a);
        int count = Math.toIntExact(Shapes.numel(batchOf(s)));
        double[] out = new double[count];
        int[] perm = new int[n];
        for (int b = 0; b < count; b++) {
            int off = b * n * n;
            double d = lu(x, off, n, perm);
            for (int i = 0; i < n && d != 0; i++) d *= x[off + i * n + i];
            out[b] = d;
        }
        return make(a, batchOf(s), out);
    }

    /** Whether B is a (batch of) vector(s) for A, as torch.linalg.solve decides. */
    static boolean vectorRhs(long[] a, long[] b) {
        return b.length == 1 || (a.length - 1 == b.length && Arrays.equals(b, Arrays.copyOf(a, a.length - 1)));
    }

    /** linalg.solve: X with A X = B (left) or X A = B; batch dims broadcast; B may be a vector (batch). */
    static DenseTensor solve(DenseTensor a, DenseTensor b, boolean left) {
        String op = "linalg.solve";
        int n = square(a, op);
        floating(b, op);
        if (a.dtype() != b.dtype()) {
            throw new IllegalArgumentException(op + ": Expected A and B to have the same dtype, but found A of type "
                    + torchTypeName(a.dtype()) + " and B of type " + torchTypeName(b.dtype()) + " instead");
        }
        boolean vector = vectorRhs(a.shapeRef(), b.shapeRef());
        DenseTensor bm = vector ? ViewKernels.unsqueeze(b, left ? -1 : -2) : b;
        if (bm.dim() < 2) throw new IllegalArgumentException(op + ": The input tensor B must have at least 2 dimensions.");
        long[] sb = bm.shapeRef();
        long rows = sb[sb.length - 2];
        long cols = sb[sb.length - 1];
        if ((left ? rows : cols) != n) {
            throw new IllegalArgumentException(op + ": Incompatible shapes of A and B for the equation " + (left ? "AX = B" : "XA = B")
                    + " (" + n + "x" + n + " and " + rows + "x" + cols + ")");
        }
        long[] batch = Shapes.broadcast(batchOf(a.shapeRef()), batchOf(sb));
        DenseTensor ae = ViewKernels.expand(a, with(batch, n, n));
        DenseTensor be = ViewKernels.expand(bm, with(batch, rows, cols));
        // X A = B is A^T X^T = B^T: solve with A^T and the columns of B^T (the rows of B).
        double[] x = host(left ? ae : ViewKernels.transpose(ae, -2, -1));
        double[] y = host(left ? be : ViewKernels.transpose(be, -2, -1));
        int k = Math.toIntExact(left ? cols : rows);
        int count = Math.toIntExact(Shapes.numel(batch));
        int[] perm = new int[n];
        double[] out = new double[y.length];
        for (int bi = 0; bi < count; bi++) {
            int off = bi * n * n;
            if (lu(x, off, n, perm) == 0) {
                throw new ArithmeticException("torch.linalg.solve: " + batchElement(a, bi) + "The solver failed because the input matrix is singular.");
            }
            int yo = bi * n * k;
            for (int c = 0; c < k; c++) {
                double[] z = new double[n];
                for (int i = 0; i < n; i++) {
                    double v = y[yo + perm[i] * k + c];
                    for (int j = 0; j < i; j++) v -= x[off + i * n + j] * z[j];
                    z[i] = v;
                }
                for (int i = n - 1; i >= 0; i--) {
                    double v = z[i];
                    for (int j = i + 1; j < n; j++) v -= x[off + i * n + j] * z[j];
                    z[i] = v / x[off + i * n + i];
                }
                for (int i = 0; i < n; i++) out[left ? yo + i * k + c : yo + c * n + i] = z[i];
            }
        }
        long[] shape = vector ? with(batch, n) : left ? with(batch, n, k) : with(batch, k, n);
        return make(a, shape, out);
    }

    // ---------------------------------------------------------------- Cholesky

    /** linalg.cholesky: L with A = L L^H from A's lower triangle (upper: L^H). */
    static DenseTensor cholesky(DenseTensor a, boolean upper) {
        String op = "linalg.cholesky";
        int n = square(a, op);
        long[] s = a.shapeRef();
        double[] x = host(a);
        int count = Math.toIntExact(Shapes.numel(batchOf(s)));
        double[] out = new double[x.length];
        for (int b = 0; b < count; b++) {
            int off = b * n * n;
            for (int j = 0; j < n; j++) {
                double d = x[off + j * n + j];
                for (int k = 0; k < j; k++) d -= out[off + j * n + k] * out[off + j * n + k];
                if (!(d > 0)) {
                    throw new ArithmeticException(op + ": " + batchElement(a, b) + "The factorization could not be completed because the input "
                            + "is not positive-definite (the leading minor of order " + (j + 1) + " is not positive-definite).");
                }
                double ljj = Math.sqrt(d);
                out[off + j * n + j] = ljj;
                for (int i = j + 1; i < n; i++) {
                    double v = x[off + i * n + j];
                    for (int k = 0; k < j; k++) v -= out[off + i * n + k] * out[off + j * n + k];
                    out[off + i * n + j] = v / ljj;
                }
            }
        }
        if (upper) { // L^T
            for (int b = 0; b < count; b++) {
                int off = b * n * n;
                for (int i = 0; i < n; i++) {
                    for (int j = 0; j < i; j++) {
                        out[off + j * n + i] = out[off + i * n + j];
                        out[off + i * n + j] = 0;
                    }
                }
            }
        }
        return make(a, s.clone(), out);
    }

    // ---------------------------------------------------------------- Householder QR

    /** linalg.qr: Q, R with A = Q R; mode 'reduced' (Q m-by-k), 'complete' (Q m-by-m) or 'r' (Q empty). */
    static Tensor[] qr(DenseTensor a, String mode) {
        String op = "linalg.qr";
        atLeast2d(a, op);
        floating(a, op);
        if (!mode.equals("reduced") && !mode.equals("complete") && !mode.equals("r")) {
            throw new IllegalArgumentException("qr received unrecognized mode '" + mode + "' but expected one of 'reduced' (default), 'r', or 'complete'");
        }
        long[] s = a.shapeRef();
        int m = Math.toIntExact(s[s.length - 2]);
        int n = Math.toIntExact(s[s.length - 1]);
        int k = Math.min(m, n);
        boolean complete = mode.equals("complete");
        int qc = complete ? m : k;
        int rr = complete ? m : k;
        long[] batch = batchOf(s);
        int count = Math.toIntExact(Shapes.numel(batch));
        double[] x = host(a);
        double[] qs = new double[count * m * qc];
        double[] rs = new double[count * rr * n];
        for (int b = 0; b < count; b++) {
            double[] r = Arrays.copyOfRange(x, b * m * n, (b + 1) * m * n);
            double[][] v = new double[k][];
            double[] tau = new double[k];
            for (int j = 0; j < k; j++) {
                // the reflector H = I - tau v v^T (v[0] = 1) that maps r[j:, j] to (beta, 0, ..., 0), as LAPACK's larfg
                double alpha = r[j * n + j];
                double xnorm = 0;
                for (int i = j + 1; i < m; i++) xnorm = Math.hypot(xnorm, r[i * n + j]);
                double[] vj = new double[m - j];
                vj[0] = 1;
                v[j] = vj;
                if (xnorm == 0) continue; // H = I
                double beta = -Math.copySign(Math.hypot(alpha, xnorm), alpha);
                tau[j] = (beta - alpha) / beta;
                for (int i = j + 1; i < m; i++) vj[i - j] = r[i * n + j] / (alpha - beta);
                r[j * n + j] = beta;
                for (int i = j + 1; i < m; i++) r[i * n + j] = 0;
                for (int c = j + 1; c < n; c++) {
                    double dot = 0;
                    for (int i = j; i < m; i++) dot += vj[i - j] * r[i * n + c];
                    dot *= tau[j];
                    for (int i = j; i < m; i++) r[i * n + c] -= dot * vj[i - j];
                }
            }
            for (int i = 0; i < rr; i++) {
                for (int c = 0; c < n; c++) rs[(b * rr + i) * n + c] = i < m && c >= i ? r[i * n + c] : 0;
            }
            // Q = H_0 H_1 ... H_{k-1} applied to the first qc columns of the identity
            double[] q = new double[m * qc];
            for (int i = 0; i < Math.min(m, qc); i++) q[i * qc + i] = 1;
            for (int j = k - 1; j >= 0; j--) {
                if (tau[j] == 0) continue;
                for (int c = 0; c < qc; c++) {
                    double dot = 0;
                    for (int i = j; i < m; i++) dot += v[j][i - j] * q[i * qc + c];
                    dot *= tau[j];
                    for (int i = j; i < m; i++) q[i * qc + c] -= dot * v[j][i - j];
                }
            }
            System.arraycopy(q, 0, qs, b * m * qc, m * qc);
        }
        DenseTensor qt = mode.equals("r") ? make(a, new long[] {0}, new double[0]) : make(a, with(batch, m, qc), qs);
        return new Tensor[] {qt, make(a, with(batch, rr, n), rs)};
    }

    // ---------------------------------------------------------------- SVD (one-sided Jacobi)

    /** linalg.svd: U, S (descending), Vh with A = U diag(S) Vh; full_matrices: U m-by-m and Vh n-by-n. */
    static Tensor[] svd(DenseTensor a, boolean fullMatrices) {
        String op = "linalg.svd";
        atLeast2d(a, op);
        floating(a, op);
        long[] s = a.shapeRef();
        int m = Math.toIntExact(s[s.length - 2]);
        int n = Math.toIntExact(s[s.length - 1]);
        int k = Math.min(m, n);
        int uc = fullMatrices ? m : k;
        int vr = fullMatrices ? n : k;
        long[] batch = batchOf(s);
        int count = Math.toIntExact(Shapes.numel(batch));
        double[] x = host(a);
        double[] us = new double[count * m * uc];
        double[] ss = new double[count * k];
        double[] vs = new double[count * vr * n];
        for (int b = 0; b < count; b++) {
            // Work on a tall matrix W (rows >= cols): A itself, or A^T (then the roles of U and V swap).
            boolean tall = m >= n;
            int rows = tall ? m : n;
            int cols = tall ? n : m;
            double[][] w = new double[cols][rows]; // column vectors
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double e = x[b * m * n + i * n + j];
                    if (tall) w[j][i] = e;
                    else w[i][j] = e;
                }
            }
            double[][] v = new double[cols][cols];
            for (int j = 0; j < cols; j++) v[j][j] = 1;
            jacobi(w, v);
            // singular values in descending order
            double[] sv = new double[cols];
            Integer[] order = new Integer[cols];
            for (int j = 0; j < cols; j++) {
                sv[j] = norm(w[j]);
                order[j] = j;
            }
            Arrays.sort(order, (p, q) -> Double.compare(sv[q], sv[p]));
            double[][] left = new double[rows][]; // orthonormal columns of length rows (U of W), completed to rows
            double[][] right = new double[cols][]; // V of W: cols columns of length cols
            for (int j = 0; j < cols; j++) {
                int o = order[j];
                ss[b * k + j] = sv[o];
                right[j] = v[o];
                double[] u = w[o].clone();
                if (sv[o] > 0) for (int i = 0; i < rows; i++) u[i] /= sv[o];
                left[j] = sv[o] > 1e-14 * sv[order[0]] ? u : null; // a zero singular value: completed below
            }
            complete(left, rows);
            // A = U S Vh: tall: U = left, V = right; wide: U = right, V = left.
            double[][] uCols = tall ? left : right;
            double[][] vCols = tall ? right : left;
            for (int j = 0; j < Math.max(uc, vr); j++) {
                // sign: the largest entry of U's column j (of V's where U has no column j) is positive
                double[] ref = j < uCols.length ? uCols[j] : vCols[j];
                int at = 0;
                for (int i = 1; i < ref.length; i++) if (Math.abs(ref[i]) > Math.abs(ref[at])) at = i;
                double sign = ref[at] < 0 ? -1 : 1;
                if (j < uc) for (int i = 0; i < m; i++) us[(b * m + i) * uc + j] = sign * uCols[j][i];
                if (j < vr) for (int i = 0; i < n; i++) vs[(b * vr + j) * n + i] = sign * vCols[j][i];
            }
        }
        return new Tensor[] {make(a, with(batch, m, uc), us), make(a, with(batch, k), ss), make(a, with(batch, vr, n), vs)};
    }

    private static double norm(double[] x) {
        double s = 0;
        for (double e : x) s += e * e;
        return Math.sqrt(s);
    }

    /** Rotates pairs of W's columns until they are orthogonal, applying the same rotations to V's columns. */
    private static void jacobi(double[][] w, double[][] v) {
        int cols = w.length;
        for (int sweep = 0; sweep < 100; sweep++) {
            boolean rotated = false;
            for (int p = 0; p < cols - 1; p++) {
                for (int q = p + 1; q < cols; q++) {
                    double alpha = 0, beta = 0, gamma = 0;
                    for (int i = 0; i < w[p].length; i++) {
                        alpha += w[p][i] * w[p][i];
                        beta += w[q][i] * w[q][i];
                        gamma += w[p][i] * w[q][i];
                    }
                    if (gamma == 0 || Math.abs(gamma) <= 1e-15 * Math.sqrt(alpha * beta)) continue;
                    rotated = true;
                    double zeta = (beta - alpha) / (2 * gamma);
                    double t = Math.signum(zeta) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
                    if (zeta == 0) t = 1;
                    double c = 1 / Math.sqrt(1 + t * t);
                    double sn = c * t;
                    rotate(w[p], w[q], c, sn);
                    rotate(v[p], v[q], c, sn);
                }
            }
            if (!rotated) return;
        }
    }

    private static void rotate(double[] x, double[] y, double c, double s) {
        for (int i = 0; i < x.length; i++) {
            double a = x[i];
            double b = y[i];
            x[i] = c * a - s * b;
            y[i] = s * a + c * b;
        }
    }

    /** Fills the null entries of {@code cols} (and the ones past the filled prefix) with unit vectors orthogonal to the rest. */
    private static void complete(double[][] cols, int len) {
        int e = 0;
        for (int j = 0; j < cols.length; j++) {
            if (cols[j] != null) continue;
            while (true) {
                double[] u = new double[len];
                u[e++ % len] = 1;
                for (int pass = 0; pass < 2; pass++) { // Gram-Schmidt, twice for accuracy
                    for (double[] c : cols) {
                        if (c == null || c == u) continue;
                        double dot = 0;
                        for (int i = 0; i < len; i++) dot += c[i] * u[i];
                        for (int i = 0; i < len; i++) u[i] -= dot * c[i];
                    }
                }
                double nu = norm(u);
                if (nu > 1e-8) {
                    for (int i = 0; i < len; i++) u[i] /= nu;
                    cols[j] = u;
                    break;
                }
            }
        }
    }
}
