// A host emulation of the CUDA execution model, just enough to run kindling_kernels.cu on the CPU for tests on
// machines without a GPU: blocks run one after another; a block's threads run one after another too, and for kernels
// that call __syncthreads as coroutines (ucontext) that each run up to the next barrier before the next one starts,
// which is the barrier's meaning. __shared__ becomes a static shared by the block; atomics map to GCC builtins.
// It checks the kernels' logic (indexing, dtype handling, reduction trees, scans); not timing, not the device's math
// library (host libm stands in), not cuBLAS. Loaded by EmulatedDevice through JNI.
#include <jni.h>
#include <ucontext.h>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>
#include <tuple>
#include <unordered_map>
#include <unordered_set>
#include <vector>

struct EmuDim { unsigned x, y, z; };
static EmuDim threadIdx, blockIdx, blockDim, gridDim;

// Coroutines for the threads of a synchronising block.
static ucontext_t g_scheduler;
static std::vector<ucontext_t> g_threads;
static std::vector<std::vector<char>> g_stacks;
static std::vector<char> g_done;
static size_t g_current;
static bool g_coroutines = false;
static const std::function<void(const char*)>* g_fn;
static const char* g_blob;

#define __global__
#define __device__
#define __forceinline__ inline
#define __shared__ static

static inline void __syncthreads() {
    if (g_coroutines) swapcontext(&g_threads[g_current], &g_scheduler); // back to the scheduler until all arrive
}
static inline float __int_as_float(int i) { float f; std::memcpy(&f, &i, 4); return f; }
static inline int __float_as_int(float f) { int i; std::memcpy(&i, &f, 4); return i; }
static inline double __longlong_as_double(long long i) { double d; std::memcpy(&d, &i, 8); return d; }
static inline long long __double_as_longlong(double d) { long long i; std::memcpy(&i, &d, 8); return i; }
static inline long long min(long long a, long long b) { return a < b ? a : b; }
using std::isfinite;
using std::isinf;
using std::signbit;

template <typename T> static inline T cas(T* p, T expected, T desired) {
    __atomic_compare_exchange_n(p, &expected, desired, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
    return expected; // the old value, as atomicCAS returns
}
static inline int atomicCAS(int* p, int e, int d) { return cas(p, e, d); }
static inline unsigned int atomicCAS(unsigned int* p, unsigned int e, unsigned int d) { return cas(p, e, d); }
static inline int atomicAdd(int* p, int v) { return __atomic_fetch_add(p, v, __ATOMIC_SEQ_CST); }
static inline unsigned long long atomicAdd(unsigned long long* p, unsigned long long v) { return __atomic_fetch_add(p, v, __ATOMIC_SEQ_CST); }
static inline float atomicAdd(float* p, float v) {
    unsigned int* w = (unsigned int*) p;
    unsigned int old = __atomic_load_n(w, __ATOMIC_SEQ_CST), assumed;
    do {
        assumed = old;
        old = cas(w, assumed, (unsigned int) __float_as_int(__int_as_float((int) assumed) + v));
    } while (old != assumed);
    return __int_as_float((int) old);
}
static inline double atomicAdd(double* p, double v) {
    unsigned long long* w = (unsigned long long*) p;
    unsigned long long old = __atomic_load_n(w, __ATOMIC_SEQ_CST), assumed;
    do {
        assumed = old;
        old = cas(w, assumed, (unsigned long long) __double_as_longlong(__longlong_as_double((long long) assumed) + v));
    } while (old != assumed);
    return __longlong_as_double((long long) old);
}
static inline long long atomicMin(long long* p, long long v) {
    long long old = __atomic_load_n(p, __ATOMIC_SEQ_CST), assumed;
    do {
        assumed = old;
        if (assumed <= v) return assumed;
        old = cas(p, assumed, v);
    } while (old != assumed);
    return old;
}

#include "../../main/cuda/kindling_kernels.cu"

// ---- launching: parameters arrive packed, each in an 8-byte aligned slot ----
template <typename T> static T arg(const char* blob, size_t& off) {
    off = (off + 7) / 8 * 8;
    T v;
    std::memcpy((void*) &v, blob + off, sizeof(T));
    off += sizeof(T);
    return v;
}

template <typename... A> static std::function<void(const char*)> bind(void (*k)(A...)) {
    return [k](const char* blob) {
        size_t off = 0;
        std::tuple<A...> t{arg<A>(blob, off)...};
        std::apply(k, t);
    };
}

#define K(name) {#name, bind(name)}
static const std::unordered_map<std::string, std::function<void(const char*)>> kernels = {
    K(k_fill), K(k_copy), K(k_unary), K(k_clamp), K(k_binary), K(k_binary_f32), K(k_where),
    K(k_reduce_part), K(k_reduce_final), K(k_argreduce), K(k_matmul), K(k_softmax),
    K(k_index_check), K(k_index_select), K(k_gather), K(k_scatter), K(k_index_add),
    K(k_count_nonzero), K(k_nonzero_blocks), K(k_nonzero_write),
    K(k_im2col), K(k_col2im), K(k_maxpool2d), K(k_inverse)};
// Kernels that call __syncthreads: their threads must run concurrently.
static const std::unordered_set<std::string> synchronising = {
    "k_reduce_part", "k_argreduce", "k_matmul", "k_softmax", "k_count_nonzero", "k_nonzero_blocks", "k_nonzero_write", "k_inverse"};

static void thread_entry() {
    (*g_fn)(g_blob);
    g_done[g_current] = 1; // returning resumes the scheduler (uc_link)
}

extern "C" {
JNIEXPORT jlong JNICALL Java_dev_kindling_backend_cuda_EmulatedDevice_malloc(JNIEnv*, jclass, jlong bytes) {
    return (jlong) std::calloc((size_t) (bytes > 0 ? bytes : 1), 1);
}
JNIEXPORT void JNICALL Java_dev_kindling_backend_cuda_EmulatedDevice_free(JNIEnv*, jclass, jlong p) { std::free((void*) p); }
JNIEXPORT void JNICALL Java_dev_kindling_backend_cuda_EmulatedDevice_memset0(JNIEnv*, jclass, jlong p, jlong bytes) {
    std::memset((void*) p, 0, (size_t) bytes);
}
JNIEXPORT void JNICALL Java_dev_kindling_backend_cuda_EmulatedDevice_htod(JNIEnv* env, jclass, jlong dst, jobject array, jlong bytes) {
    void* a = env->GetPrimitiveArrayCritical((jarray) array, nullptr);
    std::memcpy((void*) dst, a, (size_t) bytes);
    env->ReleasePrimitiveArrayCritical((jarray) array, a, JNI_ABORT);
}
JNIEXPORT void JNICALL Java_dev_kindling_backend_cuda_EmulatedDevice_dtoh(JNIEnv* env, jclass, jobject array, jlong src, jlong bytes) {
    void* a = env->GetPrimitiveArrayCritical((jarray) array, nullptr);
    std::memcpy(a, (const void*) src, (size_t) bytes);
    env->ReleasePrimitiveArrayCritical((jarray) array, a, 0);
}
// cuBLAS's strided batched GEMM, column-major, as the reference BLAS defines it (float accumulation for float32).
JNIEXPORT void JNICALL Java_dev_kindling_backend_cuda_EmulatedDevice_gemm(JNIEnv*, jclass, jboolean f32, jint ta, jint tb, jint m, jint n, jint k,
        jlong a, jint lda, jlong sa, jlong b, jint ldb, jlong sb, jlong c, jint ldc, jlong sc, jint batch) {
    for (int q = 0; q < batch; q++)
        for (int j = 0; j < n; j++)
            for (int i = 0; i < m; i++) {
                if (f32) {
                    const float* A = (const float*) a + q * sa; const float* B = (const float*) b + q * sb; float* C = (float*) c + q * sc;
                    float acc = 0;
                    for (int p = 0; p < k; p++) acc += (ta ? A[p + (long) i * lda] : A[i + (long) p * lda]) * (tb ? B[j + (long) p * ldb] : B[p + (long) j * ldb]);
                    C[i + (long) j * ldc] = acc;
                } else {
                    const double* A = (const double*) a + q * sa; const double* B = (const double*) b + q * sb; double* C = (double*) c + q * sc;
                    double acc = 0;
                    for (int p = 0; p < k; p++) acc += (ta ? A[p + (long) i * lda] : A[i + (long) p * lda]) * (tb ? B[j + (long) p * ldb] : B[p + (long) j * ldb]);
                    C[i + (long) j * ldc] = acc;
                }
            }
}
JNIEXPORT void JNICALL Java_dev_kindling_backend_cuda_EmulatedDevice_launch(JNIEnv* env, jclass, jstring jname, jint gx, jint gy, jint gz,
                                                                              jint bx, jint by, jbyteArray jparams) {
    const char* cname = env->GetStringUTFChars(jname, nullptr);
    std::string name(cname);
    env->ReleaseStringUTFChars(jname, cname);
    auto it = kernels.find(name);
    if (it == kernels.end()) {
        env->ThrowNew(env->FindClass("java/lang/IllegalStateException"), ("the emulator has no kernel " + name).c_str());
        return;
    }
    std::vector<char> blob(env->GetArrayLength(jparams));
    env->GetByteArrayRegion(jparams, 0, (jsize) blob.size(), (jbyte*) blob.data());
    const auto& fn = it->second;
    blockDim = {(unsigned) bx, (unsigned) by, 1};
    gridDim = {(unsigned) gx, (unsigned) gy, (unsigned) gz};
    bool sync = synchronising.count(name) > 0;
    if (!sync) {
        for (unsigned z = 0; z < (unsigned) gz; z++)
            for (unsigned y = 0; y < (unsigned) gy; y++)
                for (unsigned x = 0; x < (unsigned) gx; x++) {
                    blockIdx = {x, y, z};
                    for (unsigned ty = 0; ty < (unsigned) by; ty++)
                        for (unsigned tx = 0; tx < (unsigned) bx; tx++) {
                            threadIdx = {tx, ty, 0};
                            fn(blob.data());
                        }
                }
        return;
    }
    // Each thread a coroutine; a round resumes every unfinished thread up to its next barrier (or its end).
    size_t nt = (size_t) bx * by;
    g_threads.resize(nt);
    g_done.assign(nt, 0);
    if (g_stacks.size() < nt) g_stacks.resize(nt, std::vector<char>(256 * 1024));
    g_fn = &fn;
    g_blob = blob.data();
    g_coroutines = true;
    for (unsigned z = 0; z < (unsigned) gz; z++)
        for (unsigned y = 0; y < (unsigned) gy; y++)
            for (unsigned x = 0; x < (unsigned) gx; x++) {
                blockIdx = {x, y, z};
                for (size_t t = 0; t < nt; t++) {
                    getcontext(&g_threads[t]);
                    g_threads[t].uc_stack.ss_sp = g_stacks[t].data();
                    g_threads[t].uc_stack.ss_size = g_stacks[t].size();
                    g_threads[t].uc_link = &g_scheduler;
                    makecontext(&g_threads[t], (void (*)()) thread_entry, 0);
                    g_done[t] = 0;
                }
                for (bool running = true; running;) {
                    running = false;
                    for (size_t t = 0; t < nt; t++) {
                        if (g_done[t]) continue;
                        g_current = t;
                        threadIdx = {(unsigned) (t % bx), (unsigned) (t / bx), 0};
                        swapcontext(&g_scheduler, &g_threads[t]);
                        running = true;
                    }
                }
            }
    g_coroutines = false;
}
}
