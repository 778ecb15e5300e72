/* Instantiates a type-generic file (*_t.h) for double: include this, then
 * the file, then type_end.h. */
#define XN_T double
#define XN_TS f64
#define XN_DTYPE XN_FLOAT64
#define XN_T_MAX DBL_MAX
#define XN_EXP exp
#define XN_LOG log
#define XN_LOG1P log1p
#define XN_TANH tanh
#define XN_SQRT sqrt
#define XN_FABS fabs
#define GEMM cblas_dgemm
#define GEMV cblas_dgemv
#define GER cblas_dger
