/* Ends an instantiation begun with type_f64.h or type_f32.h. */
#undef XN_T
#undef XN_TS
#undef XN_DTYPE
#undef XN_T_MAX
#undef XN_EXP
#undef XN_LOG
#undef XN_LOG1P
#undef XN_TANH
#undef XN_SQRT
#undef XN_FABS
#undef GEMM
#undef GEMV
#undef GER
