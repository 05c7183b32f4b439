// GENERATED from the Java enums by backends/cuda/src/test/java/dev/kindling/backend/cuda/OpCodesHeader.java;
// do not edit. CudaBackend passes each constant's ordinal to the kernels. Regenerate with
//   mvn -o -pl backends/cuda test -Dtest=OpCodesHeaderTest -Dkindling.regenerate=true
// then run build-ptx.sh and commit this file, kindling_kernels.cu and the PTX together.
#ifndef KINDLING_OPS_H
#define KINDLING_OPS_H

// dev.kindling.api.DType ordinals
#define DTYPE_FLOAT32 0
#define DTYPE_FLOAT64 1
#define DTYPE_FLOAT16 2
#define DTYPE_BFLOAT16 3
#define DTYPE_INT64 4
#define DTYPE_INT32 5
#define DTYPE_INT8 6
#define DTYPE_UINT8 7
#define DTYPE_BOOL 8

// dev.kindling.kernel.spi.UnaryOp ordinals
#define UNARY_NEG 0
#define UNARY_ABS 1
#define UNARY_SIGN 2
#define UNARY_EXP 3
#define UNARY_EXP2 4
#define UNARY_EXPM1 5
#define UNARY_LOG 6
#define UNARY_LOG2 7
#define UNARY_LOG10 8
#define UNARY_LOG1P 9
#define UNARY_SQRT 10
#define UNARY_RSQRT 11
#define UNARY_SIN 12
#define UNARY_COS 13
#define UNARY_TAN 14
#define UNARY_ASIN 15
#define UNARY_ACOS 16
#define UNARY_ATAN 17
#define UNARY_SINH 18
#define UNARY_COSH 19
#define UNARY_TANH 20
#define UNARY_SIGMOID 21
#define UNARY_RELU 22
#define UNARY_ERF 23
#define UNARY_FLOOR 24
#define UNARY_CEIL 25
#define UNARY_ROUND 26
#define UNARY_TRUNC 27
#define UNARY_RECIPROCAL 28
#define UNARY_SQUARE 29
#define UNARY_LOGICAL_NOT 30
#define UNARY_ISNAN 31
#define UNARY_ISINF 32
#define UNARY_ISFINITE 33

// dev.kindling.kernel.spi.BinaryOp ordinals
#define BINARY_ADD 0
#define BINARY_SUB 1
#define BINARY_MUL 2
#define BINARY_DIV 3
#define BINARY_REMAINDER 4
#define BINARY_POW 5
#define BINARY_MAXIMUM 6
#define BINARY_MINIMUM 7
#define BINARY_ATAN2 8
#define BINARY_EQ 9
#define BINARY_NE 10
#define BINARY_LT 11
#define BINARY_LE 12
#define BINARY_GT 13
#define BINARY_GE 14
#define BINARY_LOGICAL_AND 15
#define BINARY_LOGICAL_OR 16
#define BINARY_LOGICAL_XOR 17

// dev.kindling.kernel.spi.ReduceOp ordinals
#define REDUCE_SUM 0
#define REDUCE_PROD 1
#define REDUCE_MAX 2
#define REDUCE_MIN 3
#define REDUCE_ALL 4
#define REDUCE_ANY 5

// Properties of the enums that the kernels test as ranges of codes. The generator refuses to write the header when
// an enum change breaks a range (reorder the constants, or change the kernels and this generator).
#define DTYPE_LAST_FLOATING DTYPE_BFLOAT16 // DType.isFloatingPoint() for the codes up to here
#define UNARY_FIRST_PREDICATE UNARY_LOGICAL_NOT // UnaryOp.isPredicate() (writes BOOL) for the codes from here on
#define REDUCE_FIRST_LOGICAL REDUCE_ALL // ReduceOp.isLogical() (reduces truth values) for the codes from here on

#endif
