// JNI shim over Open MPI's C API (its Java bindings are gone upstream): init, allreduce / broadcast / allgather /
// barrier on copies of Java primitive arrays, finalize. MPI_COMM_WORLD returns errors instead of aborting, and they
// become java.io.IOException. Ranks come from mpirun; calls are serialized by the Java side (MPI_THREAD_SERIALIZED).
#include <jni.h>
#include <dlfcn.h>
#include <mpi.h>

#include <cstring>
#include <string>
#include <vector>

namespace {

void throwIo(JNIEnv* env, const std::string& what, int code) {
  char text[MPI_MAX_ERROR_STRING];
  int len = 0;
  MPI_Error_string(code, text, &len);
  jclass c = env->FindClass("java/io/IOException");
  env->ThrowNew(c, (what + ": " + std::string(text, len)).c_str());
}

MPI_Datatype datatype(int dtype) {
  switch (dtype) {
    case 0: return MPI_FLOAT;
    case 1: return MPI_DOUBLE;
    case 2: return MPI_INT64_T;
    case 3: return MPI_INT32_T;
    default: return MPI_DATATYPE_NULL;
  }
}

size_t elementSize(int dtype) { return dtype == 1 || dtype == 2 ? 8 : 4; }

MPI_Op reduceOp(int op) {
  switch (op) {
    case 0: return MPI_SUM;
    case 1: return MPI_PROD;
    case 2: return MPI_MIN;
    case 3: return MPI_MAX;
    default: return MPI_OP_NULL;
  }
}

// A copy of a Java primitive array: MPI must not block while the array is pinned (that would stall the GC).
struct Copy {
  JNIEnv* env;
  jarray array;
  std::vector<char> bytes;
  Copy(JNIEnv* e, jarray a, size_t elem) : env(e), array(a), bytes(static_cast<size_t>(e->GetArrayLength(a)) * elem) {
    void* p = env->GetPrimitiveArrayCritical(array, nullptr);
    std::memcpy(bytes.data(), p, bytes.size());
    env->ReleasePrimitiveArrayCritical(array, p, JNI_ABORT);
  }
  void writeBack() {
    void* p = env->GetPrimitiveArrayCritical(array, nullptr);
    std::memcpy(p, bytes.data(), bytes.size());
    env->ReleasePrimitiveArrayCritical(array, p, 0);
  }
};

}  // namespace

extern "C" {

// Open MPI loads its components with dlopen and they need libmpi's symbols globally visible, which
// System.loadLibrary (RTLD_LOCAL) does not give.
JNIEXPORT jint JNICALL JNI_OnLoad(JavaVM*, void*) {
  dlopen("libmpi.so.40", RTLD_NOW | RTLD_GLOBAL);
  return JNI_VERSION_1_8;
}

JNIEXPORT jintArray JNICALL Java_dev_kindling_distributed_mpi_jni_MpiNative_init(JNIEnv* env, jclass) {
  int initialized = 0, finalized = 0;
  MPI_Finalized(&finalized);
  if (finalized) {
    env->ThrowNew(env->FindClass("java/io/IOException"),
                  "MPI was finalized when the previous group closed; it cannot start again in this process");
    return nullptr;
  }
  MPI_Initialized(&initialized);
  if (!initialized) {
    int provided = 0;
    int rc = MPI_Init_thread(nullptr, nullptr, MPI_THREAD_SERIALIZED, &provided);
    if (rc != MPI_SUCCESS) {
      throwIo(env, "MPI_Init_thread", rc);
      return nullptr;
    }
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
  }
  int rank = 0, size = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  jintArray out = env->NewIntArray(2);
  jint v[2] = {rank, size};
  env->SetIntArrayRegion(out, 0, 2, v);
  return out;
}

JNIEXPORT void JNICALL Java_dev_kindling_distributed_mpi_jni_MpiNative_allReduce(JNIEnv* env, jclass, jobject buffer, jint dtype, jint op) {
  Copy c(env, static_cast<jarray>(buffer), elementSize(dtype));
  int n = env->GetArrayLength(static_cast<jarray>(buffer));
  int rc = MPI_Allreduce(MPI_IN_PLACE, c.bytes.data(), n, datatype(dtype), reduceOp(op), MPI_COMM_WORLD);
  if (rc != MPI_SUCCESS) return throwIo(env, "MPI_Allreduce", rc);
  c.writeBack();
}

JNIEXPORT void JNICALL Java_dev_kindling_distributed_mpi_jni_MpiNative_broadcast(JNIEnv* env, jclass, jobject buffer, jint dtype, jint root) {
  Copy c(env, static_cast<jarray>(buffer), elementSize(dtype));
  int n = env->GetArrayLength(static_cast<jarray>(buffer));
  int rc = MPI_Bcast(c.bytes.data(), n, datatype(dtype), root, MPI_COMM_WORLD);
  if (rc != MPI_SUCCESS) return throwIo(env, "MPI_Bcast", rc);
  c.writeBack();
}

JNIEXPORT void JNICALL Java_dev_kindling_distributed_mpi_jni_MpiNative_allGather(JNIEnv* env, jclass, jobject in, jobject out, jint dtype) {
  Copy src(env, static_cast<jarray>(in), elementSize(dtype));
  Copy dst(env, static_cast<jarray>(out), elementSize(dtype));
  int n = env->GetArrayLength(static_cast<jarray>(in));
  int rc = MPI_Allgather(src.bytes.data(), n, datatype(dtype), dst.bytes.data(), n, datatype(dtype), MPI_COMM_WORLD);
  if (rc != MPI_SUCCESS) return throwIo(env, "MPI_Allgather", rc);
  dst.writeBack();
}

JNIEXPORT void JNICALL Java_dev_kindling_distributed_mpi_jni_MpiNative_barrier(JNIEnv* env, jclass) {
  int rc = MPI_Barrier(MPI_COMM_WORLD);
  if (rc != MPI_SUCCESS) throwIo(env, "MPI_Barrier", rc);
}

JNIEXPORT void JNICALL Java_dev_kindling_distributed_mpi_jni_MpiNative_finalizeMpi(JNIEnv* env, jclass) {
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (finalized) return;
  int rc = MPI_Finalize();
  if (rc != MPI_SUCCESS) throwIo(env, "MPI_Finalize", rc);
}

}  // extern "C"
