package dev.kindling.autograd.internal;

import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;

/**
 * The formulas of the torch.linalg rows of {@link Derivatives}, PyTorch's (FunctionsManual.cpp: linalg_det_backward,
 * linalg_solve's, cholesky_backward, linalg_qr_backward, svd_backward) for real inputs. They are written with tensor
 * ops, triangular solves included as {@code linalg_solve}, so they are themselves differentiable.
 */
final class LinalgDerivatives {
    private LinalgDerivatives() {}

    private static Tensor mT(Tensor t) { return t.transpose(-2, -1); }

    private static Tensor eye(long n, Tensor like) { return Torch.eye(like.dtype(), n).to(like.device()); }

    /** The batch of diagonal matrices with {@code v} (last dim) on their diagonals. */
    private static Tensor diagEmbed(Tensor v) { return v.unsqueeze(-1).mul(eye(v.size(-1), v)); }

    private static Tensor solve(Tensor a, Tensor b, boolean left) { return Torch.linalgSolve(a, b, left); }

    /**
     * LinalgDetBackward0: g det A^{-T} (solved, not inverted); where some matrix is singular, the cofactors through the
     * SVD, U diag(prod_{j != i} S_j) Vh det(U) det(Vh), as PyTorch does.
     */
    static Tensor[] det(Derivative.Ctx c, Tensor gr) {
        Tensor a = c.in(0);
        Tensor d = c.out();
        long n = a.size(-1);
        boolean singular = d.eq(0.0).any().item() != 0;
        if (!singular) {
            Tensor scale = gr.mul(d).unsqueeze(-1).unsqueeze(-1);
            return new Tensor[] {solve(mT(a), eye(n, a).mul(scale), true)};
        }
        Tensor[] usv = Torch.linalgSvd(a, false);
        Tensor s = usv[1];
        Tensor off = eye(n, s);
        // prod over j != i of S_j: each row of the S matrix with its diagonal entry replaced by 1
        Tensor others = s.unsqueeze(-2).mul(off.neg().add(1.0)).add(off).prod(-1, false);
        Tensor sign = Torch.linalgDet(usv[0]).mul(Torch.linalgDet(usv[2]));
        Tensor cof = usv[0].mul(others.unsqueeze(-2)).matmul(usv[2]);
        return new Tensor[] {cof.mul(sign.mul(gr).unsqueeze(-1).unsqueeze(-1))};
    }

    /** LinalgSolveExBackward0: gB = solve(A^T, gX), gA = -gB X^T (left) or -X^T gB; vectors as one-column matrices. */
    static Tensor[] solve(Derivative.Ctx c, Tensor gr) {
        Tensor a = c.in(0);
        boolean left = c.attrs().b("left");
        long[] sa = c.inShape(0);
        long[] sb = c.inShape(1);
        boolean vector = sb.length == 1 || (sa.length - 1 == sb.length && java.util.Arrays.equals(sb, java.util.Arrays.copyOf(sa, sa.length - 1)));
        Tensor gb = solve(mT(a), gr, left);
        Tensor ga = null;
        if (c.needs(0)) {
            int at = left ? -1 : -2;
            Tensor gbm = vector ? gb.unsqueeze(at) : gb;
            Tensor xm = vector ? c.out().unsqueeze(at) : c.out();
            ga = (left ? gbm.matmul(mT(xm)) : mT(xm).matmul(gbm)).neg();
        }
        return new Tensor[] {ga, gb};
    }

    /** LinalgCholeskyExBackward0: L^{-T} Phi(L^T gL) L^{-1}, Phi taking the lower triangle with half the diagonal, symmetrized. */
    static Tensor[] cholesky(Derivative.Ctx c, Tensor gr) {
        boolean upper = c.attrs().b("upper");
        Tensor l = upper ? mT(c.out()) : c.out();
        Tensor gl = upper ? mT(gr) : gr;
        Tensor ga = mT(l).matmul(gl).tril();
        ga = ga.add(mT(ga.tril(-1))).mul(0.5);
        ga = solve(mT(l), ga, true);
        return new Tensor[] {solve(l, ga, false)};
    }

    /** LinalgQrBackward0, from the gradients of Q and R (either may be absent). */
    static Tensor[] qr(Derivative.Ctx c, Tensor unused) {
        String mode = c.attrs().s("mode");
        if (mode.equals("r")) {
            throw new IllegalStateException("The derivative of linalg.qr depends on Q, which is not computed when mode='r'. "
                    + "Please use linalg.qr(A, mode='reduced') if you are going to differentiate through linalg.qr.");
        }
        Tensor q = c.out(0);
        Tensor r = c.out(1);
        Tensor gq = c.grad(0);
        Tensor gR = c.grad(1);
        long m = q.size(-2);
        long n = r.size(-1);
        if (mode.equals("complete") && m > n) {
            throw new IllegalStateException("The QR decomposition is not differentiable when mode='complete' and nrows > ncols.");
        }
        Tensor ga;
        if (gq != null) ga = gR != null ? gR.matmul(mT(r)).sub(mT(q).matmul(gq)) : mT(q).matmul(gq).neg();
        else ga = gR.matmul(mT(r));
        if (m >= n) {
            // the upper triangle mirrored below, the diagonal kept once
            Tensor sym = ga.triu();
            sym = sym.add(mT(sym));
            sym = sym.sub(sym.mul(eye(n, sym)).mul(0.5));
            ga = q.matmul(sym);
            if (gq != null) ga = ga.add(gq);
            return new Tensor[] {solve(mT(r), ga, false)};
        }
        Tensor x = ga.neg();
        Tensor skew = x.sub(mT(x)).tril();
        ga = solve(mT(r.narrow(-1, 0, m)), q.matmul(skew), false);
        ga = ga.pad(new long[] {0, n - m}, 0.0);
        if (gR != null) ga = ga.add(q.matmul(gR));
        return new Tensor[] {ga};
    }

    /** LinalgSvdBackward0, from the gradients of U, S and Vh (any may be absent); full matrices are cut to k first. */
    static Tensor[] svd(Derivative.Ctx c, Tensor unused) {
        Tensor u = c.out(0);
        Tensor s = c.out(1);
        Tensor vh = c.out(2);
        Tensor gu = c.grad(0);
        Tensor gs = c.grad(1);
        Tensor gvh = c.grad(2);
        if (c.attrs().b("full_matrices")) {
            long k = s.size(-1);
            u = u.narrow(-1, 0, k);
            vh = vh.narrow(-2, 0, k);
            if (gu != null) gu = gu.narrow(-1, 0, k);
            if (gvh != null) gvh = gvh.narrow(-2, 0, k);
        }
        return new Tensor[] {svdBackward(gu, gs, gvh, u, s, vh)};
    }

    static Tensor svdBackward(Tensor gu, Tensor gs, Tensor gvh, Tensor u, Tensor s, Tensor vh) {
        long m = u.size(-2);
        long n = vh.size(-1);
        if (gu == null && gvh == null) {
            return m >= n ? u.matmul(gs.unsqueeze(-1).mul(vh)) : u.mul(gs.unsqueeze(-2)).matmul(vh);
        }
        Tensor uhgu = null;
        Tensor vhgv = null;
        if (gu != null) {
            Tensor t = mT(u).matmul(gu);
            uhgu = t.sub(mT(t));
        }
        if (gvh != null) {
            Tensor t = vh.matmul(mT(gvh));
            vhgv = t.sub(mT(t));
        }
        Tensor s2 = s.mul(s);
        // E_ij = S_j^2 - S_i^2, ones on the diagonal
        Tensor e = s2.unsqueeze(-2).sub(s2.unsqueeze(-1)).add(eye(s.size(-1), s));
        Tensor ga;
        if (gu != null && gvh != null) ga = uhgu.mul(s.unsqueeze(-2)).add(s.unsqueeze(-1).mul(vhgv)).div(e);
        else if (gu != null) ga = uhgu.div(e).mul(s.unsqueeze(-2));
        else ga = s.unsqueeze(-1).mul(vhgv.div(e));
        if (gs != null) ga = ga.add(diagEmbed(gs));
        if (m > n && gu != null) {
            ga = u.matmul(ga);
            Tensor guSinv = gu.div(s.unsqueeze(-2));
            ga = ga.add(guSinv).sub(u.matmul(mT(u).matmul(guSinv)));
            return ga.matmul(vh);
        }
        if (m < n && gvh != null) {
            ga = ga.matmul(vh);
            Tensor sinvGvh = gvh.div(s.unsqueeze(-1));
            ga = ga.add(sinvGvh).sub(sinvGvh.matmul(mT(vh)).matmul(vh));
            return u.matmul(ga);
        }
        return m >= n ? u.matmul(ga.matmul(vh)) : u.matmul(ga).matmul(vh);
    }
}
