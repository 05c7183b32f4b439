// JNI shim over Debian's libgloo (PyTorch's CPU collectives engine): rendezvous through a Java store, then
// allreduce / broadcast / allgather / barrier on Java primitive arrays. One Handle per connected rank; the Java side
// calls each handle from one thread at a time. Gloo errors become java.io.IOException, its timeouts
// java.util.concurrent.TimeoutException.
#include <jni.h>

#include <chrono>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <gloo/allgather.h>
#include <gloo/allreduce.h>
#include <gloo/barrier.h>
#include <gloo/broadcast.h>
#include <gloo/math.h>
#include <gloo/rendezvous/context.h>
#include <gloo/rendezvous/store.h>
#include <gloo/transport/tcp/device.h>

namespace {

struct JavaError : std::runtime_error {
  explicit JavaError(const std::string& m) : std::runtime_error(m) {}
};

// Upcalls into the Java store (dev.kindling.distributed.gloo.jni.GlooStore) on the thread that connects.
class JavaStore : public gloo::rendezvous::Store {
 public:
  JavaStore(JNIEnv* env, jobject store, std::chrono::milliseconds timeout) : env_(env), store_(store), timeout_(timeout) {
    jclass cls = env->GetObjectClass(store);
    set_ = env->GetMethodID(cls, "set", "(Ljava/lang/String;[B)V");
    get_ = env->GetMethodID(cls, "get", "(Ljava/lang/String;)[B");
    wait_ = env->GetMethodID(cls, "waitKeys", "([Ljava/lang/String;J)V");
  }

  void set(const std::string& key, const std::vector<char>& data) override {
    jstring k = env_->NewStringUTF(key.c_str());
    jbyteArray v = env_->NewByteArray(static_cast<jsize>(data.size()));
    env_->SetByteArrayRegion(v, 0, static_cast<jsize>(data.size()), reinterpret_cast<const jbyte*>(data.data()));
    env_->CallVoidMethod(store_, set_, k, v);
    env_->DeleteLocalRef(k);
    env_->DeleteLocalRef(v);
    check("set " + key);
  }

  std::vector<char> get(const std::string& key) override {
    jstring k = env_->NewStringUTF(key.c_str());
    auto v = static_cast<jbyteArray>(env_->CallObjectMethod(store_, get_, k));
    env_->DeleteLocalRef(k);
    check("get " + key);
    std::vector<char> out(env_->GetArrayLength(v));
    env_->GetByteArrayRegion(v, 0, static_cast<jsize>(out.size()), reinterpret_cast<jbyte*>(out.data()));
    env_->DeleteLocalRef(v);
    return out;
  }

  void wait(const std::vector<std::string>& keys) override { wait(keys, timeout_); }

  void wait(const std::vector<std::string>& keys, const std::chrono::milliseconds& timeout) override {
    jclass stringClass = env_->FindClass("java/lang/String");
    jobjectArray arr = env_->NewObjectArray(static_cast<jsize>(keys.size()), stringClass, nullptr);
    for (size_t i = 0; i < keys.size(); i++) {
      jstring k = env_->NewStringUTF(keys[i].c_str());
      env_->SetObjectArrayElement(arr, static_cast<jsize>(i), k);
      env_->DeleteLocalRef(k);
    }
    env_->CallVoidMethod(store_, wait_, arr, static_cast<jlong>(timeout.count()));
    env_->DeleteLocalRef(arr);
    env_->DeleteLocalRef(stringClass);
    check("wait");
  }

 private:
  // A Java exception stays pending; unwinding through gloo with it is safe because we rethrow it unchanged.
  void check(const std::string& what) {
    if (env_->ExceptionCheck()) throw JavaError("store " + what + " failed");
  }

  JNIEnv* env_;
  jobject store_;
  std::chrono::milliseconds timeout_;
  jmethodID set_, get_, wait_;
};

struct Handle {
  std::shared_ptr<gloo::transport::Device> device;
  std::shared_ptr<gloo::rendezvous::Context> context;
  std::chrono::milliseconds timeout;
  uint32_t tag = 0;
  // Staging for the Java arrays (input and output), kept across calls and grown only: a fresh zeroed vector per
  // collective cost a zero-fill, an allocation and its page faults on every DDP bucket (2.68 MB each step of the
  // benchmark's MLP). One thread at a time calls a handle, so one pair serves every collective.
  std::vector<char> stage[2];
};

void throwJava(JNIEnv* env, const char* cls, const std::string& message) {
  if (env->ExceptionCheck()) return;  // keep the Java exception that is already pending
  jclass c = env->FindClass(cls);
  env->ThrowNew(c, message.c_str());
}

template <typename F>
void guarded(JNIEnv* env, F body) {
  try {
    body();
  } catch (const JavaError&) {
    // the Java exception is pending
  } catch (const std::exception& e) {
    std::string m = e.what();
    if (m.find("Timed out") != std::string::npos) throwJava(env, "java/util/concurrent/TimeoutException", m);
    else throwJava(env, "java/io/IOException", m);
  }
}

Handle* handleOf(jlong h) { return reinterpret_cast<Handle*>(h); }

enum Dtype { F32 = 0, F64 = 1, I64 = 2, I32 = 3 };
enum Op { SUM = 0, PRODUCT = 1, MIN = 2, MAX = 3 };

template <typename T>
gloo::AllreduceOptions::Func reduceFunction(int op) {
  using Fn = void (*)(void*, const void*, const void*, size_t);
  switch (op) {
    case SUM: return static_cast<Fn>(&gloo::sum<T>);
    case PRODUCT: return static_cast<Fn>(&gloo::product<T>);
    case MIN: return static_cast<Fn>(&gloo::min<T>);
    case MAX: return static_cast<Fn>(&gloo::max<T>);
    default: throw std::invalid_argument("unknown reduce op " + std::to_string(op));
  }
}

// Copies a Java primitive array into one of the handle's staging buffers and back: the network wait must not pin the
// array (it would block GC).
template <typename T>
struct ArrayCopy {
  JNIEnv* env;
  jarray array;
  size_t size;
  T* data;

  ArrayCopy(JNIEnv* e, jarray a, std::vector<char>& stage)
      : env(e), array(a), size(static_cast<size_t>(e->GetArrayLength(a))) {
    if (stage.size() < size * sizeof(T)) stage.resize(size * sizeof(T));
    data = reinterpret_cast<T*>(stage.data());  // operator new's alignment suits every element type here
    void* p = env->GetPrimitiveArrayCritical(array, nullptr);
    std::memcpy(data, p, size * sizeof(T));
    env->ReleasePrimitiveArrayCritical(array, p, JNI_ABORT);
  }

  void writeBack() {
    void* p = env->GetPrimitiveArrayCritical(array, nullptr);
    std::memcpy(p, data, size * sizeof(T));
    env->ReleasePrimitiveArrayCritical(array, p, 0);
  }
};

template <typename T>
void allreduce(JNIEnv* env, Handle* h, jarray buffer, int op) {
  ArrayCopy<T> buf(env, buffer, h->stage[0]);
  gloo::AllreduceOptions opts(h->context);
  opts.setOutput(buf.data, buf.size);
  opts.setReduceFunction(reduceFunction<T>(op));
  opts.setTag(h->tag++);
  opts.setTimeout(h->timeout);
  gloo::allreduce(opts);
  buf.writeBack();
}

// A direct buffer's memory is native already: reduced in place, without the staging copies.
template <typename T>
void allreduceDirect(JNIEnv* env, Handle* h, jobject buffer, int op) {
  void* p = env->GetDirectBufferAddress(buffer);
  jlong n = env->GetDirectBufferCapacity(buffer);
  if (p == nullptr || n < 0) throw std::invalid_argument("allReduceDirect needs a direct buffer");
  if (n == 0) return;
  gloo::AllreduceOptions opts(h->context);
  opts.setOutput(static_cast<T*>(p), static_cast<size_t>(n));
  opts.setReduceFunction(reduceFunction<T>(op));
  opts.setTag(h->tag++);
  opts.setTimeout(h->timeout);
  gloo::allreduce(opts);
}

template <typename T>
void broadcast(JNIEnv* env, Handle* h, jarray buffer, int root) {
  ArrayCopy<T> buf(env, buffer, h->stage[0]);
  gloo::BroadcastOptions opts(h->context);
  opts.setOutput(buf.data, buf.size);
  opts.setRoot(root);
  opts.setTag(h->tag++);
  opts.setTimeout(h->timeout);
  gloo::broadcast(opts);
  buf.writeBack();
}

template <typename T>
void allgather(JNIEnv* env, Handle* h, jarray in, jarray out) {
  ArrayCopy<T> src(env, in, h->stage[0]);
  ArrayCopy<T> dst(env, out, h->stage[1]);
  gloo::AllgatherOptions opts(h->context);
  opts.setInput(src.data, src.size);
  opts.setOutput(dst.data, dst.size);
  opts.setTag(h->tag++);
  opts.setTimeout(h->timeout);
  gloo::allgather(opts);
  dst.writeBack();
}

template <template <typename> class Fn, typename... Args>
void byDtype(int dtype, Args... args) {
  switch (dtype) {
    case F32: Fn<float>::run(args...); break;
    case F64: Fn<double>::run(args...); break;
    case I64: Fn<int64_t>::run(args...); break;
    case I32: Fn<int32_t>::run(args...); break;
    default: throw std::invalid_argument("unsupported dtype code " + std::to_string(dtype));
  }
}

template <typename T> struct AllreduceFn { static void run(JNIEnv* e, Handle* h, jarray b, int op) { allreduce<T>(e, h, b, op); } };
template <typename T> struct AllreduceDirectFn { static void run(JNIEnv* e, Handle* h, jobject b, int op) { allreduceDirect<T>(e, h, b, op); } };
template <typename T> struct BroadcastFn { static void run(JNIEnv* e, Handle* h, jarray b, int root) { broadcast<T>(e, h, b, root); } };
template <typename T> struct AllgatherFn { static void run(JNIEnv* e, Handle* h, jarray i, jarray o) { allgather<T>(e, h, i, o); } };

}  // namespace

extern "C" {

JNIEXPORT jlong JNICALL Java_dev_kindling_distributed_gloo_jni_GlooNative_connect(
    JNIEnv* env, jclass, jobject store, jint rank, jint size, jstring hostname, jlong timeoutMillis) {
  Handle* h = nullptr;
  guarded(env, [&] {
    const char* host = env->GetStringUTFChars(hostname, nullptr);
    gloo::transport::tcp::attr attr;
    attr.hostname = host;
    env->ReleaseStringUTFChars(hostname, host);
    auto handle = std::make_unique<Handle>();
    handle->timeout = std::chrono::milliseconds(timeoutMillis);
    handle->device = gloo::transport::tcp::CreateDevice(attr);
    handle->context = std::make_shared<gloo::rendezvous::Context>(rank, size);
    handle->context->setTimeout(handle->timeout);
    JavaStore js(env, store, handle->timeout);
    handle->context->connectFullMesh(js, handle->device);
    h = handle.release();
  });
  return reinterpret_cast<jlong>(h);
}

JNIEXPORT void JNICALL Java_dev_kindling_distributed_gloo_jni_GlooNative_allReduce(
    JNIEnv* env, jclass, jlong handle, jobject buffer, jint dtype, jint op) {
  guarded(env, [&] { byDtype<AllreduceFn>(dtype, env, handleOf(handle), static_cast<jarray>(buffer), static_cast<int>(op)); });
}

JNIEXPORT void JNICALL Java_dev_kindling_distributed_gloo_jni_GlooNative_allReduceDirect(
    JNIEnv* env, jclass, jlong handle, jobject buffer, jint dtype, jint op) {
  guarded(env, [&] { byDtype<AllreduceDirectFn>(dtype, env, handleOf(handle), buffer, static_cast<int>(op)); });
}

JNIEXPORT void JNICALL Java_dev_kindling_distributed_gloo_jni_GlooNative_broadcast(
    JNIEnv* env, jclass, jlong handle, jobject buffer, jint dtype, jint root) {
  guarded(env, [&] { byDtype<BroadcastFn>(dtype, env, handleOf(handle), static_cast<jarray>(buffer), static_cast<int>(root)); });
}

JNIEXPORT void JNICALL Java_dev_kindling_distributed_gloo_jni_GlooNative_allGather(
    JNIEnv* env, jclass, jlong handle, jobject in, jobject out, jint dtype) {
  guarded(env, [&] { byDtype<AllgatherFn>(dtype, env, handleOf(handle), static_cast<jarray>(in), static_cast<jarray>(out)); });
}

JNIEXPORT void JNICALL Java_dev_kindling_distributed_gloo_jni_GlooNative_barrier(JNIEnv* env, jclass, jlong handle) {
  guarded(env, [&] {
    Handle* h = handleOf(handle);
    gloo::BarrierOptions opts(h->context);
    opts.setTag(h->tag++);
    opts.setTimeout(h->timeout);
    gloo::barrier(opts);
  });
}

JNIEXPORT void JNICALL Java_dev_kindling_distributed_gloo_jni_GlooNative_close(JNIEnv* env, jclass, jlong handle) {
  guarded(env, [&] { delete handleOf(handle); });
}

}  // extern "C"
