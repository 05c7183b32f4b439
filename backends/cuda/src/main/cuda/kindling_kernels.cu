// Kindling CUDA backend: every primitive of the backend SPI (dev.kindling.kernel.spi.TensorBackend) as a kernel.
//
// Compiled to PTX by build-ptx.sh (nvcc -arch=sm_80 -ptx); the PTX is committed under src/main/resources so that a
// machine without the CUDA toolkit builds the project. The driver JIT-compiles it for newer GPUs (sm_90, ...).
//
// Semantics mirror the CPU backend (backends/cpu CpuBackend/CpuMath): floating values compute in double after rounding
// to the compute dtype, integral values in 64-bit with C casts, float16/bfloat16 conversions bit-for-bit as
// dev.kindling.kernel.tensor.Half. Every strided operand is described by a Geo (shape + per-operand strides and
// offsets in elements); its layout is mirrored by dev.kindling.backend.cuda.Geo.

typedef long long ll;
typedef unsigned long long ull;

#define MAXD 10
#define NOPS 4
#define LL_MAX 0x7fffffffffffffffLL

struct Geo {
    ll nd;
    ll shape[MAXD];
    ll st[NOPS][MAXD];
    ll off[NOPS];
};

// Op and dtype codes (the Java enums' ordinals), generated from the enums: see kindling_ops.h.
#include "kindling_ops.h"

// dtype codes: dev.kindling.api.DType.
#define F32 DTYPE_FLOAT32
#define F64 DTYPE_FLOAT64
#define F16 DTYPE_FLOAT16
#define BF16 DTYPE_BFLOAT16
#define I64 DTYPE_INT64
#define I32 DTYPE_INT32
#define I8 DTYPE_INT8
#define U8 DTYPE_UINT8
#define BOOL DTYPE_BOOL

// Error codes written to the device error word; the host turns them into exceptions.
#define ERR_DIV_ZERO 1
#define ERR_REM_ZERO 2
#define ERR_NEG_POW 3

__device__ __forceinline__ bool is_floating(int dt) { return dt <= DTYPE_LAST_FLOATING; }

// ---- float16 / bfloat16, as dev.kindling.kernel.tensor.Half ----
__device__ float h2f(unsigned short h) {
    unsigned int bits = h;
    unsigned int sign = (bits & 0x8000u) << 16;
    unsigned int e = (bits >> 10) & 0x1f;
    unsigned int m = bits & 0x3ff;
    if (e == 0x1f) return __int_as_float((int) (sign | 0x7f800000u | (m << 13)));
    if (e == 0) {
        if (m == 0) return __int_as_float((int) sign);
        float v = (float) m * 5.9604644775390625e-8f; // 2^-24
        return sign ? -v : v;
    }
    return __int_as_float((int) (sign | ((e + 112) << 23) | (m << 13)));
}

__device__ unsigned short f2h(float f) {
    unsigned int bits = (unsigned int) __float_as_int(f);
    unsigned int sign = (bits >> 16) & 0x8000u;
    unsigned int a = bits & 0x7fffffffu;
    if (a >= 0x7f800000u) return (unsigned short) (sign | 0x7c00u | (a > 0x7f800000u ? 0x200u : 0u));
    if (a >= 0x477ff000u) return (unsigned short) (sign | 0x7c00u);
    if (a < 0x38800000u) {
        float v = __int_as_float((int) a);
        int m = (int) rint((double) v * 16777216.0);
        return (unsigned short) (sign | (unsigned int) m);
    }
    unsigned int e = (a >> 23) - 112;
    unsigned int mant = a & 0x7fffffu;
    unsigned int half = (e << 10) | (mant >> 13);
    unsigned int rest = mant & 0x1fffu;
    if (rest > 0x1000u || (rest == 0x1000u && (half & 1u))) half++;
    return (unsigned short) (sign | half);
}

__device__ __forceinline__ float bf2f(unsigned short b) { return __int_as_float(((int) b) << 16); }

__device__ unsigned short f2bf(float f) {
    unsigned int bits = (unsigned int) __float_as_int(f);
    if ((bits & 0x7fffffffu) > 0x7f800000u) return (unsigned short) ((bits >> 16) | 0x40u);
    unsigned int rounding = 0x7fffu + ((bits >> 16) & 1u);
    return (unsigned short) ((bits + rounding) >> 16);
}

// ---- typed element access (index i in elements) ----
__device__ double ldd(const void* p, int dt, ll i) {
    switch (dt) {
        case F32: return ((const float*) p)[i];
        case F64: return ((const double*) p)[i];
        case F16: return h2f(((const unsigned short*) p)[i]);
        case BF16: return bf2f(((const unsigned short*) p)[i]);
        case I64: return (double) ((const ll*) p)[i];
        case I32: return ((const int*) p)[i];
        case I8: return ((const signed char*) p)[i];
        case U8: return ((const unsigned char*) p)[i];
        default: return ((const unsigned char*) p)[i] ? 1.0 : 0.0;
    }
}

// Java's (long) of a double: NaN -> 0, saturating at the range ends (spelled out rather than left to the conversion).
__device__ __forceinline__ ll d2l(double v) {
    if (v != v) return 0;
    if (v >= 9.2233720368547758e18) return LL_MAX;
    if (v <= -9.2233720368547758e18) return (ll) 0x8000000000000000ULL;
    return (ll) v;
}

__device__ ll ldl(const void* p, int dt, ll i) {
    switch (dt) {
        case F32: return d2l(((const float*) p)[i]);
        case F64: return d2l(((const double*) p)[i]);
        case F16: return d2l(h2f(((const unsigned short*) p)[i]));
        case BF16: return d2l(bf2f(((const unsigned short*) p)[i]));
        case I64: return ((const ll*) p)[i];
        case I32: return ((const int*) p)[i];
        case I8: return ((const signed char*) p)[i];
        case U8: return ((const unsigned char*) p)[i];
        default: return ((const unsigned char*) p)[i] ? 1 : 0;
    }
}

__device__ void std_(void* p, int dt, ll i, double v) {
    switch (dt) {
        case F32: ((float*) p)[i] = (float) v; break;
        case F64: ((double*) p)[i] = v; break;
        case F16: ((unsigned short*) p)[i] = f2h((float) v); break;
        case BF16: ((unsigned short*) p)[i] = f2bf((float) v); break;
        case I64: ((ll*) p)[i] = d2l(v); break;
        case I32: ((int*) p)[i] = (int) d2l(v); break;
        case I8: case U8: ((signed char*) p)[i] = (signed char) d2l(v); break;
        default: ((unsigned char*) p)[i] = v != 0 ? 1 : 0; break;
    }
}

__device__ void stl(void* p, int dt, ll i, ll v) {
    switch (dt) {
        case F32: ((float*) p)[i] = (float) v; break;
        case F64: ((double*) p)[i] = (double) v; break;
        case F16: ((unsigned short*) p)[i] = f2h((float) (double) v); break;
        case BF16: ((unsigned short*) p)[i] = f2bf((float) (double) v); break;
        case I64: ((ll*) p)[i] = v; break;
        case I32: ((int*) p)[i] = (int) v; break;
        case I8: case U8: ((signed char*) p)[i] = (signed char) v; break;
        default: ((unsigned char*) p)[i] = v != 0 ? 1 : 0; break;
    }
}

__device__ __forceinline__ int esize(int dt) {
    switch (dt) {
        case F64: case I64: return 8;
        case F32: case I32: return 4;
        case F16: case BF16: return 2;
        default: return 1;
    }
}

// Copies one element's bytes (same dtype on both sides).
__device__ void raw_copy(void* dst, ll di, const void* src, ll si, int es) {
    switch (es) {
        case 8: ((ll*) dst)[di] = ((const ll*) src)[si]; break;
        case 4: ((int*) dst)[di] = ((const int*) src)[si]; break;
        case 2: ((unsigned short*) dst)[di] = ((const unsigned short*) src)[si]; break;
        default: ((unsigned char*) dst)[di] = ((const unsigned char*) src)[si]; break;
    }
}

__device__ void raw_zero(void* dst, ll di, int es) {
    switch (es) {
        case 8: ((ll*) dst)[di] = 0; break;
        case 4: ((int*) dst)[di] = 0; break;
        case 2: ((unsigned short*) dst)[di] = 0; break;
        default: ((unsigned char*) dst)[di] = 0; break;
    }
}

// Rounds to a floating compute dtype, so float32 ops see float32 operands.
__device__ double rnd(int dt, double v) {
    switch (dt) {
        case F32: return (double) (float) v;
        case F16: return h2f(f2h((float) v));
        case BF16: return bf2f(f2bf((float) v));
        default: return v;
    }
}

// Wraps into an integral compute dtype's range, as a C cast.
__device__ ll castl(int dt, ll v) {
    switch (dt) {
        case I32: return (int) v;
        case I8: return (signed char) v;
        case U8: return v & 0xff;
        case BOOL: return v != 0 ? 1 : 0;
        default: return v;
    }
}

// Offsets of operands 0..k-1 for the i-th element in row-major order.
__device__ __forceinline__ void offsets(const Geo& g, ll i, int k, ll* o) {
    if (g.nd == 1) { // the common case after merging dims (dense or broadcast operands): no 64-bit division
        for (int j = 0; j < k; j++) o[j] = g.off[j] + i * g.st[j][0];
        return;
    }
    for (int j = 0; j < k; j++) o[j] = g.off[j];
    for (int d = (int) g.nd - 1; d >= 0; d--) {
        ll s = g.shape[d];
        ll c = i % s;
        i /= s;
        for (int j = 0; j < k; j++) o[j] += c * g.st[j][d];
    }
}

// offsets(), and the i-th element's coordinate along dim (for index ops, which look up index[coordinate]).
__device__ __forceinline__ ll offsets_along(const Geo& g, ll i, int k, ll* o, int dim) {
    for (int j = 0; j < k; j++) o[j] = g.off[j];
    ll at = 0;
    for (int d = (int) g.nd - 1; d >= 0; d--) {
        ll c = i % g.shape[d];
        i /= g.shape[d];
        for (int j = 0; j < k; j++) o[j] += c * g.st[j][d];
        if (d == dim) at = c;
    }
    return at;
}

#define GRID_STRIDE(i, n) for (ll i = (ll) blockIdx.x * blockDim.x + threadIdx.x; i < (n); i += (ll) blockDim.x * gridDim.x)

__device__ void set_error(int* err, int code) { atomicCAS(err, 0, code); }

// ---- unary / binary scalar definitions (CpuMath) ----
__device__ __forceinline__ double jmax(double a, double b) {
    if (a != a || b != b) return a + b; // NaN
    return (a > b || (a == b && !signbit(a))) ? a : b;
}

__device__ __forceinline__ double jmin(double a, double b) {
    if (a != a || b != b) return a + b;
    return (a < b || (a == b && signbit(a))) ? a : b;
}

// Op codes: dev.kindling.kernel.spi.UnaryOp (kindling_ops.h).
__device__ double unary_d(int op, double x) {
    switch (op) {
        case UNARY_NEG: return -x;
        case UNARY_ABS: return fabs(x);
        case UNARY_SIGN: return x != x ? 0.0 : (x > 0 ? 1.0 : (x < 0 ? -1.0 : x));
        case UNARY_EXP: return exp(x);
        case UNARY_EXP2: return pow(2.0, x);
        case UNARY_EXPM1: return expm1(x);
        case UNARY_LOG: return log(x);
        case UNARY_LOG2: return log(x) / log(2.0);
        case UNARY_LOG10: return log10(x);
        case UNARY_LOG1P: return log1p(x);
        case UNARY_SQRT: return sqrt(x);
        case UNARY_RSQRT: return 1.0 / sqrt(x);
        case UNARY_SIN: return sin(x);
        case UNARY_COS: return cos(x);
        case UNARY_TAN: return tan(x);
        case UNARY_ASIN: return asin(x);
        case UNARY_ACOS: return acos(x);
        case UNARY_ATAN: return atan(x);
        case UNARY_SINH: return sinh(x);
        case UNARY_COSH: return cosh(x);
        case UNARY_TANH: return tanh(x);
        case UNARY_SIGMOID: return 1.0 / (1.0 + exp(-x));
        case UNARY_RELU: return x != x ? x : (x > 0 ? x : 0.0);
        case UNARY_ERF: return erf(x);
        case UNARY_FLOOR: return floor(x);
        case UNARY_CEIL: return ceil(x);
        case UNARY_ROUND: return rint(x);
        case UNARY_TRUNC: return trunc(x);
        case UNARY_RECIPROCAL: return 1.0 / x;
        case UNARY_SQUARE: return x * x;
        default: return x; // the predicates go to predicate()
    }
}

__device__ ll unary_l(int op, ll x) {
    switch (op) {
        case UNARY_NEG: return (ll) (0ULL - (ull) x);
        case UNARY_ABS: return x < 0 ? (ll) (0ULL - (ull) x) : x;
        case UNARY_SIGN: return x > 0 ? 1 : (x < 0 ? -1 : 0);
        case UNARY_RELU: return x > 0 ? x : 0;
        case UNARY_SQUARE: return (ll) ((ull) x * (ull) x);
        default: return x; // floor, ceil, round, trunc
    }
}

__device__ bool predicate(int op, double x) {
    switch (op) {
        case UNARY_LOGICAL_NOT: return x == 0;
        case UNARY_ISNAN: return x != x;
        case UNARY_ISINF: return isinf(x);
        default: return isfinite(x); // UNARY_ISFINITE
    }
}

// Op codes: dev.kindling.kernel.spi.BinaryOp (kindling_ops.h).
__device__ double binary_d(int op, double a, double b) {
    switch (op) {
        case BINARY_ADD: return a + b;
        case BINARY_SUB: return a - b;
        case BINARY_MUL: return a * b;
        case BINARY_DIV: return a / b;
        case BINARY_REMAINDER: {
            if (b == 0) return __longlong_as_double(0x7ff8000000000000LL);
            double r = fmod(a, b);
            if (r != 0 && ((r < 0) != (b < 0))) r += b;
            return r;
        }
        case BINARY_POW: return a == 1 ? 1.0 : pow(a, b);
        case BINARY_MAXIMUM: return jmax(a, b);
        case BINARY_MINIMUM: return jmin(a, b);
        case BINARY_ATAN2: return atan2(a, b);
        case BINARY_EQ: return a == b;
        case BINARY_NE: return a != b;
        case BINARY_LT: return a < b;
        case BINARY_LE: return a <= b;
        case BINARY_GT: return a > b;
        case BINARY_GE: return a >= b;
        case BINARY_LOGICAL_AND: return a != 0 && b != 0;
        case BINARY_LOGICAL_OR: return a != 0 || b != 0;
        default: return (a != 0) != (b != 0); // BINARY_LOGICAL_XOR
    }
}

__device__ ll floordiv(ll a, ll b) {
    ll q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0))) q--;
    return q;
}

__device__ ll binary_l(int op, ll a, ll b, int* err) {
    switch (op) {
        case BINARY_ADD: return (ll) ((ull) a + (ull) b);
        case BINARY_SUB: return (ll) ((ull) a - (ull) b);
        case BINARY_MUL: return (ll) ((ull) a * (ull) b);
        case BINARY_DIV:
            if (b == 0) { set_error(err, ERR_DIV_ZERO); return 0; }
            if (b == -1) return (ll) (0ULL - (ull) a);
            return floordiv(a, b);
        case BINARY_REMAINDER: {
            if (b == 0) { set_error(err, ERR_REM_ZERO); return 0; }
            if (b == -1) return 0;
            ll r = a % b;
            if (r != 0 && ((r < 0) != (b < 0))) r += b;
            return r;
        }
        case BINARY_POW: {
            if (b < 0) {
                if (a == 1) return 1;
                if (a == -1) return (b & 1) == 0 ? 1 : -1;
                set_error(err, ERR_NEG_POW);
                return 0;
            }
            ull r = 1, base = (ull) a;
            ll e = b;
            while (e > 0) {
                if (e & 1) r *= base;
                base *= base;
                e >>= 1;
            }
            return (ll) r;
        }
        case BINARY_MAXIMUM: return a > b ? a : b;
        case BINARY_MINIMUM: return a < b ? a : b;
        case BINARY_ATAN2: return d2l(atan2((double) a, (double) b));
        case BINARY_EQ: return a == b;
        case BINARY_NE: return a != b;
        case BINARY_LT: return a < b;
        case BINARY_LE: return a <= b;
        case BINARY_GT: return a > b;
        case BINARY_GE: return a >= b;
        case BINARY_LOGICAL_AND: return a != 0 && b != 0;
        case BINARY_LOGICAL_OR: return a != 0 || b != 0;
        default: return (a != 0) != (b != 0); // BINARY_LOGICAL_XOR
    }
}

// Bool arithmetic as PyTorch: + is or, * is and.
__device__ ll binary_bool(int op, ll a, ll b, int* err) {
    switch (op) {
        case BINARY_ADD: case BINARY_MAXIMUM: return (a | b) != 0;
        case BINARY_MUL: case BINARY_MINIMUM: return (a & b) != 0;
        default: return binary_l(op, a, b, err) != 0;
    }
}

// ---- elementwise kernels ----
extern "C" __global__ void k_fill(Geo g, ll n, int dt, double dv, ll lv, void* out) {
    bool fl = is_floating(dt);
    GRID_STRIDE(i, n) {
        ll o[1];
        offsets(g, i, 1, o);
        if (fl) std_(out, dt, o[0], dv); else stl(out, dt, o[0], lv);
    }
}

extern "C" __global__ void k_copy(Geo g, ll n, int sdt, int ddt, const void* src, void* dst) {
    int es = esize(sdt);
    bool same = sdt == ddt;
    bool viaDouble = is_floating(sdt) && ddt != BOOL;
    GRID_STRIDE(i, n) {
        ll o[2];
        offsets(g, i, 2, o);
        if (same) raw_copy(dst, o[1], src, o[0], es);
        else if (viaDouble) std_(dst, ddt, o[1], ldd(src, sdt, o[0]));
        else if (ddt == BOOL) stl(dst, ddt, o[1], ldd(src, sdt, o[0]) != 0);
        else stl(dst, ddt, o[1], ldl(src, sdt, o[0]));
    }
}

extern "C" __global__ void k_unary(Geo g, ll n, int op, int idt, int odt, const void* in, void* out) {
    GRID_STRIDE(i, n) {
        ll o[2];
        offsets(g, i, 2, o);
        if (op >= UNARY_FIRST_PREDICATE) stl(out, odt, o[1], predicate(op, ldd(in, idt, o[0])) ? 1 : 0);
        else if (is_floating(odt)) std_(out, odt, o[1], unary_d(op, rnd(odt, ldd(in, idt, o[0]))));
        else stl(out, odt, o[1], unary_l(op, ldl(in, idt, o[0])));
    }
}

extern "C" __global__ void k_clamp(Geo g, ll n, int idt, int odt, double mn, double mx, const void* in, void* out) {
    bool hasMin = mn == mn, hasMax = mx == mx;
    GRID_STRIDE(i, n) {
        ll o[2];
        offsets(g, i, 2, o);
        if (is_floating(odt)) {
            double v = rnd(odt, ldd(in, idt, o[0]));
            if (hasMin && v == v) v = jmax(v, mn);
            if (hasMax && v == v) v = jmin(v, mx);
            std_(out, odt, o[1], v);
        } else {
            ll v = ldl(in, idt, o[0]);
            if (hasMin) { ll m = d2l(mn); v = v > m ? v : m; }
            if (hasMax) { ll m = d2l(mx); v = v < m ? v : m; }
            stl(out, odt, o[1], v);
        }
    }
}

extern "C" __global__ void k_binary(Geo g, ll n, int op, int adt, int bdt, int odt, int cdt,
                                    const void* a, const void* b, void* out, int* err) {
    bool fl = is_floating(cdt);
    GRID_STRIDE(i, n) {
        ll o[3];
        offsets(g, i, 3, o);
        if (fl) {
            double va = rnd(cdt, ldd(a, adt, o[0]));
            double vb = rnd(cdt, ldd(b, bdt, o[1]));
            std_(out, odt, o[2], binary_d(op, va, vb));
        } else {
            ll va = castl(cdt, ldl(a, adt, o[0]));
            ll vb = castl(cdt, ldl(b, bdt, o[1]));
            stl(out, odt, o[2], cdt == BOOL ? binary_bool(op, va, vb, err) : binary_l(op, va, vb, err));
        }
    }
}

// The contiguous float32 fast path for the common arithmetic ops: no index arithmetic, float math (the same results
// as rounding a double computation for + - * /).
extern "C" __global__ void k_binary_f32(ll n, int op, const float* a, ll as, const float* b, ll bs, float* out) {
    GRID_STRIDE(i, n) {
        float x = a[i * as], y = b[i * bs];
        float r;
        switch (op) {
            case BINARY_ADD: r = x + y; break;
            case BINARY_SUB: r = x - y; break;
            case BINARY_MUL: r = x * y; break;
            default: r = x / y; break; // BINARY_DIV
        }
        out[i] = r;
    }
}

extern "C" __global__ void k_where(Geo g, ll n, int cdt, int adt, int bdt, int odt,
                                   const void* c, const void* a, const void* b, void* out) {
    bool fl = is_floating(odt);
    GRID_STRIDE(i, n) {
        ll o[4];
        offsets(g, i, 4, o);
        bool pick = ldl(c, cdt, o[0]) != 0;
        if (fl) std_(out, odt, o[3], pick ? ldd(a, adt, o[1]) : ldd(b, bdt, o[2]));
        else stl(out, odt, o[3], pick ? ldl(a, adt, o[1]) : ldl(b, bdt, o[2]));
    }
}

// ---- reductions ----
// Op codes: dev.kindling.kernel.spi.ReduceOp (kindling_ops.h).
#define RT 256

__device__ __forceinline__ double red_d(int op, double acc, double t) {
    switch (op) {
        case REDUCE_SUM: return acc + t;
        case REDUCE_PROD: return acc * t;
        case REDUCE_MAX: return (t != t || acc != acc) ? __longlong_as_double(0x7ff8000000000000LL) : fmax(acc, t);
        default: return (t != t || acc != acc) ? __longlong_as_double(0x7ff8000000000000LL) : fmin(acc, t); // REDUCE_MIN
    }
}

__device__ __forceinline__ ll red_l(int op, ll acc, ll t) {
    switch (op) {
        case REDUCE_SUM: return (ll) ((ull) acc + (ull) t);
        case REDUCE_PROD: return (ll) ((ull) acc * (ull) t);
        case REDUCE_MAX: return acc > t ? acc : t;
        case REDUCE_MIN: return acc < t ? acc : t;
        case REDUCE_ALL: return acc && t;
        default: return acc || t; // REDUCE_ANY
    }
}

__device__ __forceinline__ double init_d(int op) {
    switch (op) {
        case REDUCE_PROD: return 1.0;
        case REDUCE_MAX: return -__longlong_as_double(0x7ff0000000000000LL);
        case REDUCE_MIN: return __longlong_as_double(0x7ff0000000000000LL);
        default: return 0.0;
    }
}

__device__ __forceinline__ ll init_l(int op) {
    switch (op) {
        case REDUCE_PROD: return 1;
        case REDUCE_MAX: return (ll) 0x8000000000000000ULL;
        case REDUCE_MIN: return LL_MAX;
        case REDUCE_ALL: return 1;
        default: return 0;
    }
}

// Stage 1: block b reduces chunk (b % splits) of outer element (b / splits) into part[b] (double bits or long).
// outer: operand 0 = input (offsets of the kept dims); inner: operand 0 = input strides of the reduced dims.
extern "C" __global__ void k_reduce_part(Geo outer, Geo inner, ll nInner, ll splits, int op, int idt,
                                         const void* in, ll* part) {
    __shared__ double sd[RT];
    __shared__ ll sl[RT];
    ll blk = blockIdx.x + (ll) blockIdx.y * gridDim.x;
    ll oi = blk / splits, s = blk % splits;
    ll base[1];
    offsets(outer, oi, 1, base);
    ll chunk = (nInner + splits - 1) / splits;
    ll lo = s * chunk, hi = min(nInner, lo + chunk);
    bool boolOp = op >= REDUCE_FIRST_LOGICAL;
    bool fl = is_floating(idt) && !boolOp;
    double ad = init_d(op);
    ll al = init_l(op);
    for (ll k = lo + threadIdx.x; k < hi; k += blockDim.x) {
        ll o[1];
        offsets(inner, k, 1, o);
        ll at = base[0] + o[0];
        if (boolOp) al = red_l(op, al, ldd(in, idt, at) != 0);
        else if (fl) ad = red_d(op, ad, ldd(in, idt, at));
        else al = red_l(op, al, ldl(in, idt, at));
    }
    sd[threadIdx.x] = ad;
    sl[threadIdx.x] = al;
    __syncthreads();
    for (int w = blockDim.x / 2; w > 0; w >>= 1) {
        if (threadIdx.x < w) {
            if (fl) sd[threadIdx.x] = red_d(op, sd[threadIdx.x], sd[threadIdx.x + w]);
            else sl[threadIdx.x] = red_l(op, sl[threadIdx.x], sl[threadIdx.x + w]);
        }
        __syncthreads();
    }
    if (threadIdx.x == 0) part[blk] = fl ? __double_as_longlong(sd[0]) : sl[0];
}

// Stage 2: one thread per outer element folds its splits in order and writes the output (operand 0 of outer).
extern "C" __global__ void k_reduce_final(Geo outer, ll nOuter, ll splits, int op, int idt, int odt,
                                          const ll* part, void* out) {
    bool boolOp = op >= REDUCE_FIRST_LOGICAL;
    bool fl = is_floating(idt) && !boolOp;
    GRID_STRIDE(i, nOuter) {
        ll o[1];
        offsets(outer, i, 1, o);
        if (fl) {
            double acc = init_d(op);
            for (ll s = 0; s < splits; s++) acc = red_d(op, acc, __longlong_as_double(part[i * splits + s]));
            std_(out, odt, o[0], acc);
        } else {
            ll acc = init_l(op);
            for (ll s = 0; s < splits; s++) acc = red_l(op, acc, part[i * splits + s]);
            stl(out, odt, o[0], acc);
        }
    }
}

// Does (v, i) beat (bv, bi)? NaN beats numbers, then the better value, then the lower index (first occurrence).
__device__ __forceinline__ bool arg_better_d(bool mx, double v, ll i, double bv, ll bi) {
    bool vn = v != v, bn = bv != bv;
    if (vn || bn) return vn && (!bn || i < bi);
    if (v == bv) return i < bi;
    return mx ? v > bv : v < bv;
}

__device__ __forceinline__ bool arg_better_l(bool mx, ll v, ll i, ll bv, ll bi) {
    if (v == bv) return i < bi;
    return mx ? v > bv : v < bv;
}

// One block per outer element: operands 0 = input, 1 = values, 2 = indices (offsets of the kept dims).
extern "C" __global__ void k_argreduce(Geo outer, ll len, ll st, int mx, int idt, int vdt,
                                       const void* in, void* values, ll* indices) {
    __shared__ double sv[RT];
    __shared__ ll sl[RT];
    __shared__ ll si[RT];
    ll oi = blockIdx.x + (ll) blockIdx.y * gridDim.x;
    ll o[3];
    offsets(outer, oi, 3, o);
    bool fl = is_floating(idt);
    double bv = 0;
    ll bl = 0, bi = LL_MAX;
    for (ll k = threadIdx.x; k < len; k += blockDim.x) {
        ll at = o[0] + k * st;
        if (fl) {
            double v = ldd(in, idt, at);
            if (bi == LL_MAX || arg_better_d(mx, v, k, bv, bi)) { bv = v; bi = k; }
        } else {
            ll v = ldl(in, idt, at);
            if (bi == LL_MAX || arg_better_l(mx, v, k, bl, bi)) { bl = v; bi = k; }
        }
    }
    sv[threadIdx.x] = bv;
    sl[threadIdx.x] = bl;
    si[threadIdx.x] = bi;
    __syncthreads();
    for (int w = blockDim.x / 2; w > 0; w >>= 1) {
        if (threadIdx.x < w) {
            ll j = threadIdx.x + w;
            if (si[j] != LL_MAX) {
                bool take = si[threadIdx.x] == LL_MAX
                        || (fl ? arg_better_d(mx, sv[j], si[j], sv[threadIdx.x], si[threadIdx.x])
                               : arg_better_l(mx, sl[j], si[j], sl[threadIdx.x], si[threadIdx.x]));
                if (take) { sv[threadIdx.x] = sv[j]; sl[threadIdx.x] = sl[j]; si[threadIdx.x] = si[j]; }
            }
        }
        __syncthreads();
    }
    if (threadIdx.x == 0) {
        ll best = si[0] == LL_MAX ? 0 : si[0];
        if (fl) std_(values, vdt, o[1], sv[0]); else stl(values, vdt, o[1], sl[0]);
        indices[o[2]] = best;
    }
}

// ---- matmul: the own tiled kernel (any dtype, strided, batched); cuBLAS serves contiguous float32/float64 ----
#define TILE 16

// m: [B, M, K] @ [B, K, N] -> [B, M, N]; sa/sb/so: the three strides of each operand, offs: element offsets.
extern "C" __global__ void k_matmul(ll B, ll M, ll N, ll K, int adt, int bdt, int odt,
                                    const void* a, ll ao, ll as0, ll as1, ll as2,
                                    const void* b, ll bo, ll bs0, ll bs1, ll bs2,
                                    void* out, ll oo, ll os0, ll os1, ll os2) {
    __shared__ double ta[TILE][TILE + 1];
    __shared__ double tb[TILE][TILE + 1];
    __shared__ ll la[TILE][TILE + 1];
    __shared__ ll lb[TILE][TILE + 1];
    bool fl = is_floating(odt);
    ll col = (ll) blockIdx.x * TILE + threadIdx.x;
    // Grid-stride over row tiles and batches: gridDim.y and .z stop at 65535.
    for (ll r0 = (ll) blockIdx.y * TILE; r0 < M; r0 += (ll) gridDim.y * TILE)
    for (ll bi = blockIdx.z; bi < B; bi += gridDim.z) {
        ll row = r0 + threadIdx.y;
        double accd = 0;
        ll accl = 0;
        for (ll k0 = 0; k0 < K; k0 += TILE) {
            ll ka = k0 + threadIdx.x, kb = k0 + threadIdx.y;
            bool inA = row < M && ka < K, inB = kb < K && col < N;
            ll pa = ao + bi * as0 + row * as1 + ka * as2;
            ll pb = bo + bi * bs0 + kb * bs1 + col * bs2;
            if (fl) {
                ta[threadIdx.y][threadIdx.x] = inA ? ldd(a, adt, pa) : 0.0;
                tb[threadIdx.y][threadIdx.x] = inB ? ldd(b, bdt, pb) : 0.0;
            } else {
                la[threadIdx.y][threadIdx.x] = inA ? ldl(a, adt, pa) : 0;
                lb[threadIdx.y][threadIdx.x] = inB ? ldl(b, bdt, pb) : 0;
            }
            __syncthreads();
            if (fl) {
                for (int k = 0; k < TILE; k++) accd += ta[threadIdx.y][k] * tb[k][threadIdx.x];
            } else {
                for (int k = 0; k < TILE; k++) accl += la[threadIdx.y][k] * lb[k][threadIdx.x];
            }
            __syncthreads();
        }
        if (row < M && col < N) {
            ll po = oo + bi * os0 + row * os1 + col * os2;
            if (fl) std_(out, odt, po, accd);
            else stl(out, odt, po, odt == BOOL ? (accl != 0) : accl);
        }
    }
}

// ---- softmax: one block per row ----
extern "C" __global__ void k_softmax(Geo outer, ll len, ll si, ll so, int lg, int idt, int odt,
                                     const void* in, void* out) {
    __shared__ double red[RT];
    ll oi = blockIdx.x + (ll) blockIdx.y * gridDim.x;
    ll o[2];
    offsets(outer, oi, 2, o);
    double m = -__longlong_as_double(0x7ff0000000000000LL);
    for (ll k = threadIdx.x; k < len; k += blockDim.x) m = jmax(m, rnd(idt, ldd(in, idt, o[0] + k * si)));
    red[threadIdx.x] = m;
    __syncthreads();
    for (int w = blockDim.x / 2; w > 0; w >>= 1) {
        if (threadIdx.x < w) red[threadIdx.x] = jmax(red[threadIdx.x], red[threadIdx.x + w]);
        __syncthreads();
    }
    m = red[0];
    if (isinf(m)) m = 0;
    __syncthreads();
    double s = 0;
    for (ll k = threadIdx.x; k < len; k += blockDim.x) s += exp(rnd(idt, ldd(in, idt, o[0] + k * si)) - m);
    red[threadIdx.x] = s;
    __syncthreads();
    for (int w = blockDim.x / 2; w > 0; w >>= 1) {
        if (threadIdx.x < w) red[threadIdx.x] += red[threadIdx.x + w];
        __syncthreads();
    }
    double sum = red[0];
    double lse = log(sum);
    for (ll k = threadIdx.x; k < len; k += blockDim.x) {
        double x = rnd(idt, ldd(in, idt, o[0] + k * si));
        std_(out, odt, o[1] + k * so, lg ? x - m - lse : exp(x - m) / sum);
    }
}

// ---- indexing ----
// Records the first (row-major) position of an index outside [-size, size) in *firstBad (initialised to LL_MAX).
extern "C" __global__ void k_index_check(Geo g, ll n, int idt, const void* index, ll size, ll* firstBad) {
    GRID_STRIDE(i, n) {
        ll o[1];
        offsets(g, i, 1, o);
        ll v = ldl(index, idt, o[0]);
        if (v < -size || v >= size) atomicMin((long long*) firstBad, i);
    }
}

__device__ __forceinline__ ll wrap_index(ll v, ll size) { return v < 0 ? v + size : v; }

// out[..., j, ...] = src[..., index[j], ...] over out's shape: operand 0 = out, 1 = src (its dim stride set to 0).
extern "C" __global__ void k_index_select(Geo g, ll n, int dim, int es, ll srcDimStride, ll size,
                                          const void* index, int idt, ll io, ll is,
                                          const void* src, void* out) {
    GRID_STRIDE(i, n) {
        ll o[2];
        ll j = offsets_along(g, i, 2, o, dim);
        ll k = wrap_index(ldl(index, idt, io + j * is), size);
        raw_copy(out, o[0], src, o[1] + k * srcDimStride, es);
    }
}

// Over index's shape: operand 0 = index, 1 = src (dim stride 0), 2 = out. out[pos] = src[pos with dim -> index[pos]].
extern "C" __global__ void k_gather(Geo g, ll n, ll srcDimStride, ll size, int idt, int es,
                                    const void* index, const void* src, void* out) {
    GRID_STRIDE(i, n) {
        ll o[3];
        offsets(g, i, 3, o);
        ll k = wrap_index(ldl(index, idt, o[0]), size);
        raw_copy(out, o[2], src, o[1] + k * srcDimStride, es);
    }
}

// Atomic self[at] += v in self's dtype (C arithmetic as the CPU backend's add; bool add is or).
__device__ void atomic_add_elem(void* p, int dt, ll at, double dv, ll lv) {
    switch (dt) {
        case F32: atomicAdd(((float*) p) + at, (float) dv); return;
        case F64: atomicAdd(((double*) p) + at, dv); return;
        case I64: atomicAdd((ull*) (((ll*) p) + at), (ull) lv); return;
        case I32: atomicAdd(((int*) p) + at, (int) lv); return;
        default: break;
    }
    // 1- and 2-byte dtypes: compare-and-swap on the aligned 32-bit word that holds the element.
    int es = esize(dt);
    char* addr = (char*) p + at * es;
    unsigned int* word = (unsigned int*) ((size_t) addr & ~(size_t) 3);
    unsigned int shift = (unsigned int) (((size_t) addr & 3) * 8);
    unsigned int mask = (es == 2 ? 0xffffu : 0xffu) << shift;
    unsigned int old = *word, assumed;
    do {
        assumed = old;
        unsigned int cur = (assumed & mask) >> shift;
        unsigned int nv;
        if (dt == F16) nv = f2h((float) ((double) h2f((unsigned short) cur) + dv));
        else if (dt == BF16) nv = f2bf((float) ((double) bf2f((unsigned short) cur) + dv));
        else if (dt == BOOL) nv = (cur != 0 || lv != 0) ? 1u : 0u;
        else if (dt == I8) nv = (unsigned char) (signed char) ((signed char) cur + lv);
        else nv = (unsigned char) (cur + lv);
        old = atomicCAS(word, assumed, (assumed & ~mask) | ((nv << shift) & mask));
    } while (old != assumed);
}

// Over index's shape: operand 0 = index, 1 = self (dim stride 0), 2 = src.
extern "C" __global__ void k_scatter(Geo g, ll n, ll selfDimStride, ll size, int idt, int sdt, int xdt, int accumulate,
                                     const void* index, void* self, const void* src) {
    bool fl = is_floating(sdt);
    GRID_STRIDE(i, n) {
        ll o[3];
        offsets(g, i, 3, o);
        ll k = wrap_index(ldl(index, idt, o[0]), size);
        ll to = o[1] + k * selfDimStride;
        if (accumulate) atomic_add_elem(self, sdt, to, ldd(src, xdt, o[2]), ldl(src, xdt, o[2]));
        else if (fl) std_(self, sdt, to, ldd(src, xdt, o[2]));
        else stl(self, sdt, to, ldl(src, xdt, o[2]));
    }
}

// Over src's shape: operand 0 = src, 1 = self (dim stride 0); self[..., index[j], ...] += src[..., j, ...].
extern "C" __global__ void k_index_add(Geo g, ll n, int dim, ll selfDimStride, ll size,
                                       const void* index, int idt, ll io, ll is,
                                       int sdt, int xdt, void* self, const void* src) {
    bool fl = is_floating(sdt);
    GRID_STRIDE(i, n) {
        ll o[2];
        ll j = offsets_along(g, i, 2, o, dim);
        ll k = wrap_index(ldl(index, idt, io + j * is), size);
        double dv = fl ? rnd(sdt, ldd(src, xdt, o[0])) : 0.0;
        atomic_add_elem(self, sdt, o[1] + k * selfDimStride, dv, castl(sdt, ldl(src, xdt, o[0])));
    }
}

// ---- nonzero ----
#define NZ_ITEMS 4

extern "C" __global__ void k_count_nonzero(Geo g, ll n, int dt, const void* in, ll* count) {
    __shared__ ll red[RT];
    ll c = 0;
    GRID_STRIDE(i, n) {
        ll o[1];
        offsets(g, i, 1, o);
        if (ldd(in, dt, o[0]) != 0) c++;
    }
    red[threadIdx.x] = c;
    __syncthreads();
    for (int w = blockDim.x / 2; w > 0; w >>= 1) {
        if (threadIdx.x < w) red[threadIdx.x] += red[threadIdx.x + w];
        __syncthreads();
    }
    if (threadIdx.x == 0 && red[0] != 0) atomicAdd((ull*) count, (ull) red[0]);
}

// Per block of RT*NZ_ITEMS consecutive elements: the number of non-zeros (the host prefix-sums these).
extern "C" __global__ void k_nonzero_blocks(Geo g, ll n, int dt, const void* in, ll* blockCounts) {
    __shared__ ll red[RT];
    ll start = (ll) blockIdx.x * RT * NZ_ITEMS + (ll) threadIdx.x * NZ_ITEMS;
    ll c = 0;
    for (int t = 0; t < NZ_ITEMS; t++) {
        ll i = start + t;
        if (i < n) {
            ll o[1];
            offsets(g, i, 1, o);
            if (ldd(in, dt, o[0]) != 0) c++;
        }
    }
    red[threadIdx.x] = c;
    __syncthreads();
    for (int w = blockDim.x / 2; w > 0; w >>= 1) {
        if (threadIdx.x < w) red[threadIdx.x] += red[threadIdx.x + w];
        __syncthreads();
    }
    if (threadIdx.x == 0) blockCounts[blockIdx.x] = red[0];
}

// Writes the coordinates of each non-zero, in row-major order, at row blockStart[block] + rank within the block.
// g holds the input's own dims (not collapsed): coordinates are in its shape.
extern "C" __global__ void k_nonzero_write(Geo g, ll n, int dt, const void* in, const ll* blockStart,
                                           ll* out, ll oo, ll os0, ll os1) {
    __shared__ ll scan[RT];
    ll start = (ll) blockIdx.x * RT * NZ_ITEMS + (ll) threadIdx.x * NZ_ITEMS;
    bool nz[NZ_ITEMS];
    ll c = 0;
    for (int t = 0; t < NZ_ITEMS; t++) {
        ll i = start + t;
        nz[t] = false;
        if (i < n) {
            ll o[1];
            offsets(g, i, 1, o);
            nz[t] = ldd(in, dt, o[0]) != 0;
        }
        if (nz[t]) c++;
    }
    scan[threadIdx.x] = c;
    __syncthreads();
    // Inclusive Hillis-Steele scan over the block's per-thread counts.
    for (int w = 1; w < blockDim.x; w <<= 1) {
        ll add = threadIdx.x >= w ? scan[threadIdx.x - w] : 0;
        __syncthreads();
        scan[threadIdx.x] += add;
        __syncthreads();
    }
    ll row = blockStart[blockIdx.x] + scan[threadIdx.x] - c;
    for (int t = 0; t < NZ_ITEMS; t++) {
        if (!nz[t]) continue;
        ll r = start + t;
        for (int d = (int) g.nd - 1; d >= 0; d--) {
            ll s = g.shape[d];
            out[oo + row * os0 + d * os1] = r % s;
            r /= s;
        }
        row++;
    }
}

// ---- sliding windows: im2col, col2im, max pooling ----
// Window geometry: kh kw sh sw ph pw dh dw oh ow, as Window2d.
struct Win { int kh, kw, sh, sw, ph, pw, dh, dw, oh, ow; };

// out [N, C*kh*kw, oh*ow] from in [N, C, H, W]; is/os: the strides of in (4) and out (3).
extern "C" __global__ void k_im2col(Win w, ll N, ll C, ll H, ll W, int es,
                                    const void* in, ll io, ll is0, ll is1, ll is2, ll is3,
                                    void* out, ll oo, ll os0, ll os1, ll os2) {
    ll L = (ll) w.oh * w.ow, R = C * w.kh * w.kw;
    ll n = N * R * L;
    GRID_STRIDE(i, n) {
        ll col = i % L, row = (i / L) % R, b = i / (L * R);
        ll c = row / (w.kh * w.kw), ki = (row / w.kw) % w.kh, kj = row % w.kw;
        ll y = col / w.ow, x = col % w.ow;
        ll iy = y * w.sh - w.ph + ki * w.dh, ix = x * w.sw - w.pw + kj * w.dw;
        ll to = oo + b * os0 + row * os1 + col * os2;
        if (iy >= 0 && iy < H && ix >= 0 && ix < W) raw_copy(out, to, in, io + b * is0 + c * is1 + iy * is2 + ix * is3, es);
        else raw_zero(out, to, es);
    }
}

// out [N, C, H, W] += the columns of cols [N, C*kh*kw, oh*ow] that read each position, gathered (no atomics) and
// added one by one in window order (ki, kj) in the dtype's precision: the CPU backend's order, so results are equal.
extern "C" __global__ void k_col2im(Win w, ll N, ll C, ll H, ll W, int dt,
                                    const void* cols, ll co, ll cs0, ll cs1, ll cs2,
                                    void* out, ll oo, ll os0, ll os1, ll os2, ll os3) {
    ll n = N * C * H * W;
    bool fl = is_floating(dt);
    GRID_STRIDE(i, n) {
        ll x = i % W, y = (i / W) % H, c = (i / (W * H)) % C, b = i / (W * H * C);
        ll to = oo + b * os0 + c * os1 + y * os2 + x * os3;
        double ad = fl ? ldd(out, dt, to) : 0.0;
        ll al = fl ? 0 : ldl(out, dt, to);
        for (int ki = 0; ki < w.kh; ki++) {
            ll ty = y + w.ph - (ll) ki * w.dh;
            if (ty < 0 || ty % w.sh != 0) continue;
            ll oy = ty / w.sh;
            if (oy >= w.oh) continue;
            for (int kj = 0; kj < w.kw; kj++) {
                ll tx = x + w.pw - (ll) kj * w.dw;
                if (tx < 0 || tx % w.sw != 0) continue;
                ll ox = tx / w.sw;
                if (ox >= w.ow) continue;
                ll row = (c * w.kh + ki) * w.kw + kj, col = oy * w.ow + ox;
                ll at = co + b * cs0 + row * cs1 + col * cs2;
                if (fl) ad = rnd(dt, ad + ldd(cols, dt, at));
                else al += ldl(cols, dt, at);
            }
        }
        if (fl) std_(out, dt, to, ad); else stl(out, dt, to, al);
    }
}

// values/indices [N, C, oh, ow] from in [N, C, H, W], as PyTorch's CPU kernel: the index starts at the window's first
// cell inside the input, a strictly greater value or a NaN takes over (so padding never wins and the first maximum wins
// ties); values compare as doubles for every dtype, as on the CPU backend.
extern "C" __global__ void k_maxpool2d(Win w, ll N, ll C, ll H, ll W, int dt,
                                       const void* in, ll io, ll is0, ll is1, ll is2, ll is3,
                                       void* values, ll vo, ll vs0, ll vs1, ll vs2, ll vs3,
                                       ll* indices, ll xo, ll xs0, ll xs1, ll xs2, ll xs3) {
    ll n = N * C * w.oh * w.ow;
    GRID_STRIDE(i, n) {
        ll ox = i % w.ow, oy = (i / w.ow) % w.oh, c = (i / ((ll) w.ow * w.oh)) % C, b = i / ((ll) w.ow * w.oh * C);
        ll y0 = oy * w.sh - w.ph, x0 = ox * w.sw - w.pw;
        ll yEnd = min(y0 + (ll) (w.kh - 1) * w.dh + 1, H), xEnd = min(x0 + (ll) (w.kw - 1) * w.dw + 1, W);
        while (y0 < 0) y0 += w.dh;
        while (x0 < 0) x0 += w.dw;
        ll best = y0 * W + x0;
        double mx = -__longlong_as_double(0x7ff0000000000000LL);
        for (ll iy = y0; iy < yEnd; iy += w.dh) {
            for (ll ix = x0; ix < xEnd; ix += w.dw) {
                double v = ldd(in, dt, io + b * is0 + c * is1 + iy * is2 + ix * is3);
                if (v > mx || v != v) { mx = v; best = iy * W + ix; }
            }
        }
        std_(values, dt, vo + b * vs0 + c * vs1 + oy * vs2 + ox * vs3, mx);
        indices[xo + b * xs0 + c * xs1 + oy * xs2 + ox * xs3] = best;
    }
}

// ---- inverse: Gauss-Jordan with partial pivoting in double, one block per matrix ----
// work: [B, n, 2n] doubles, factors: [B, n] doubles, singular: [B] ints (0, or the 1-based zero diagonal element).
extern "C" __global__ void k_inverse(ll B, ll n, int idt, int odt,
                                     const void* in, ll io, ll is0, ll is1, ll is2,
                                     void* out, ll oo, ll os0, ll os1, ll os2,
                                     double* work, double* factors, int* singular) {
    __shared__ ll pivotRow;
    __shared__ double pivot;
    for (ll bi = blockIdx.x; bi < B; bi += gridDim.x) {
        double* m = work + bi * n * 2 * n;
        double* f = factors + bi * n;
        ll w2 = 2 * n;
        for (ll t = threadIdx.x; t < n * w2; t += blockDim.x) {
            ll i = t / w2, j = t % w2;
            m[t] = j < n ? ldd(in, idt, io + bi * is0 + i * is1 + j * is2) : (j - n == i ? 1.0 : 0.0);
        }
        __syncthreads();
        bool failed = false;
        for (ll c = 0; c < n && !failed; c++) {
            if (threadIdx.x == 0) {
                ll p = c;
                for (ll i = c + 1; i < n; i++) if (fabs(m[i * w2 + c]) > fabs(m[p * w2 + c])) p = i;
                pivotRow = p;
                pivot = m[p * w2 + c];
                if (pivot == 0) singular[bi] = (int) (c + 1);
            }
            __syncthreads();
            if (pivot == 0) { failed = true; break; }
            ll p = pivotRow;
            double pv = pivot;
            for (ll j = threadIdx.x; j < w2; j += blockDim.x) {
                double rc = m[c * w2 + j], rp = m[p * w2 + j];
                m[c * w2 + j] = rp / pv;
                if (p != c) m[p * w2 + j] = rc;
            }
            __syncthreads();
            for (ll i = threadIdx.x; i < n; i += blockDim.x) f[i] = i == c ? 0.0 : m[i * w2 + c];
            __syncthreads();
            for (ll t = threadIdx.x; t < n * w2; t += blockDim.x) {
                ll i = t / w2, j = t % w2;
                if (f[i] != 0) m[t] -= f[i] * m[c * w2 + j];
            }
            __syncthreads();
        }
        if (!failed) {
            for (ll t = threadIdx.x; t < n * n; t += blockDim.x) {
                ll i = t / n, j = t % n;
                std_(out, odt, oo + bi * os0 + i * os1 + j * os2, m[i * w2 + n + j]);
            }
        }
        __syncthreads();
    }
}
