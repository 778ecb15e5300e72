/* PLACEHOLDER: being written; replaced before it lands. */
#include "internal.h"
xn_status xn_net_save(const xn_net *net, const char *path, xn_error *err) { (void)net; (void)path; (void)err; return XN_EIO; }
xn_status xn_net_load(xn_net **out, const char *path, xn_error *err) { (void)out; (void)path; (void)err; return XN_EIO; }
xn_status xn_net_parse(xn_net **out, const char *text, size_t len, xn_error *err) { (void)out; (void)text; (void)len; (void)err; return XN_EIO; }
