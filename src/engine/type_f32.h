/* Instantiates a type-generic file (*_t.h) for float: include this, then
 * the file, then type_end.h.  The math is float's own (expf, tanhf, ...)
 * and the products are single precision (sgemm, sgemv, sger). */
#define XN_T float
#define XN_TS f32
#define XN_DTYPE XN_FLOAT32
#define XN_T_MAX FLT_MAX
#define XN_EXP expf
#define XN_LOG logf
#define XN_LOG1P log1pf
#define XN_TANH tanhf
#define XN_SQRT sqrtf
#define XN_FABS fabsf
#define GEMM cblas_sgemm
#define GEMV cblas_sgemv
#define GER cblas_sger
