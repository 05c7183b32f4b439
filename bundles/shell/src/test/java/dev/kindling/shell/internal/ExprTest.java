package dev.kindling.shell.internal;

import dev.kindling.api.DType;
import dev.kindling.api.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Runs on a plain classpath: the kernel and the CPU backend come from ServiceLoader. */
class ExprTest {
    private static Tensor tensor(String expr) {
        return assertInstanceOf(Tensor.class, Expr.eval(expr));
    }

    @Test
    void scalarArithmeticFollowsPrecedence() {
        assertEquals(7L, Expr.eval("1 + 2 * 3"));
        assertEquals(9L, Expr.eval("(1 + 2) * 3"));
        assertEquals(-4L, Expr.eval("-2 ** 2"));
        assertEquals(1024L, Expr.eval("2 ** 10"));
        assertEquals(2.5, Expr.eval("5 / 2"));
        assertEquals(1.5e3, Expr.eval("1.5e3"));
        assertEquals(Math.PI, Expr.eval("pi"));
        assertEquals(DType.FLOAT64, Expr.eval("float64"));
        assertEquals("[2, 3]", Expr.render(new long[] {2, 3}));
    }

    @Test
    void methodChainsLikeTheJavaApi() {
        assertEquals(12.0, Expr.eval("ones(2,3).add(1).sum().item()"));
        assertEquals("12.0", Expr.evalToString("ones(2, 3).add(1).sum().item()"));
        assertArrayEquals(new long[] {2, 3}, (long[]) Expr.eval("zeros(2,3).shape"));
        assertEquals(DType.FLOAT64, tensor("ones(2).to(float64)").dtype());
        assertEquals(DType.FLOAT64, tensor("ones(float64, 2, 2)").dtype());
    }

    @Test
    void listLiteralsOperatorsAndMatmul() {
        Tensor a = tensor("[[1, 2], [3, 4]]");
        assertEquals(DType.INT64, a.dtype());
        assertArrayEquals(new long[] {2, 2}, a.shape());
        assertEquals(DType.FLOAT32, tensor("[1.5, 2]").dtype());
        Tensor m = tensor("[[1., 2], [3, 4]] @ [[5., 6], [7, 8]]");
        assertArrayEquals(new double[] {19, 22, 43, 50}, m.toDoubleArray(), 1e-6);
        assertArrayEquals(new double[] {2, 4, 6}, tensor("[1., 2, 3] * 2").toDoubleArray(), 1e-6);
        assertArrayEquals(new double[] {9, 8, 7}, tensor("10 - [1., 2, 3]").toDoubleArray(), 1e-6);
        assertArrayEquals(new double[] {1, 4, 9}, tensor("[1., 2, 3] ** 2").toDoubleArray(), 1e-6);
        assertArrayEquals(new double[] {-1, -2}, tensor("-[1., 2]").toDoubleArray(), 1e-6);
        assertArrayEquals(new double[] {2, 3, 4}, tensor("arange(10)[2:5]").toDoubleArray(), 1e-6);
        assertArrayEquals(new double[] {0, 0, 2}, tensor("relu([-1., 0, 2])").toDoubleArray(), 1e-6);
        assertEquals(DType.FLOAT64, tensor("tensor([1, 2], float64)").dtype());
    }

    @Test
    void overloadsAndResultsOfOtherTypes() {
        assertArrayEquals(new double[] {4, 6}, tensor("[[1., 2], [3, 4]].sum(0)").toDoubleArray(), 1e-6);
        assertArrayEquals(new long[] {3, 2}, tensor("ones(2, 3).permute(1, 0)").shape());
        assertArrayEquals(new long[] {3, 2}, tensor("ones(2, 3).reshape([3, 2])").shape());
        assertEquals(3.0, Expr.eval("full([2], 3).get(1).item()"));
        Object split = Expr.eval("arange(4).split(2, 0)");
        assertEquals(2, assertInstanceOf(List.class, split).size());
        assertArrayEquals(new long[] {2, 3}, tensor("arange(4).split(2, 0).get(1)").toLongArray());
        assertArrayEquals(new long[] {1, 0}, tensor("[[1., 5], [7, 2]].max(1).indices()").toLongArray());
    }

    @Test
    void errorsSayWhatIsWrong() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Expr.eval("ones(2,3"));
        assertTrue(e.getMessage().contains("expected ')'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Expr.eval("1 + )"));
        assertTrue(e.getMessage().contains("position 5"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Expr.eval("nosuchfn(1)"));
        assertTrue(e.getMessage().contains("unknown function 'nosuchfn'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Expr.eval("ones(2).frobnicate()"));
        assertTrue(e.getMessage().contains("no method 'frobnicate'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Expr.eval("ones(2).sum('x')"));
        assertTrue(e.getMessage().contains("no overload of 'sum'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Expr.eval("foo"));
        assertTrue(e.getMessage().contains("unknown name 'foo'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Expr.eval("[[1], [2, 3]]"));
        assertTrue(e.getMessage().contains("ragged"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Expr.eval("1 2"));
        assertTrue(e.getMessage().contains("unexpected '2'"), e.getMessage());
    }
}
