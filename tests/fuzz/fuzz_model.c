/* libFuzzer target: the model-file reader xn_net_parse on arbitrary bytes.
 * A refusal names its line; a network it accepts came from a text ending
 * in a newline, has finite parameters, runs a forward pass on one zero row
 * and is destroyed without a leak. */
#include <stddef.h>
#include <stdint.h>

#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    xn_net *net = (xn_net *)&net; /* not NULL: the reader must clear it */
    xn_error err;
    memset(&err, 'x', sizeof err);
    xn_status s = xn_net_parse(&net, text, size, &err);
    fuzz_check_error(&err, s != XN_OK);
    fuzz_check_line(s, &err, size);
    if (s != XN_OK) {
        FUZZ_CHECK(net == NULL);
        FUZZ_CHECK(err.line <= size + 1);
        /* the same answer without an error record */
        xn_net *again = NULL;
        FUZZ_CHECK(xn_net_parse(&again, text, size, NULL) == s && again == NULL);
        return 0;
    }
    FUZZ_CHECK(net != NULL);
    /* the text ends in a newline (one cut short is refused), and err names
     * the sizes line */
    FUZZ_CHECK(size > 0 && text[size - 1] == '\n');
    FUZZ_CHECK(err.line >= 2 && err.line < size && err.msg[0] == '\0');
    size_t L = xn_net_layers(net);
    FUZZ_CHECK(L >= 1 && L <= XN_MAX_LAYERS);
    FUZZ_CHECK(xn_net_param_count(net) <= XN_MAX_PARAMS);
    fuzz_check_finite(xn_net_params(net), xn_net_param_count(net));
    size_t n0 = xn_net_size(net, 0), nl = xn_net_size(net, L);
    double *x = calloc(n0, sizeof *x);
    if (x) {
        const double *out;
        FUZZ_CHECK(xn_net_forward(net, 1, x, &out) == XN_OK);
        volatile double sink = 0.0;
        for (size_t k = 0; k < nl; k++) /* read every output: ASan checks the bounds */
            sink += out[k];
        (void)sink;
        free(x);
    }
    xn_net_destroy(net);
    return 0;
}
