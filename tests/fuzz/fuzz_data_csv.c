/* libFuzzer target: the data reader xn_data_parse on arbitrary bytes, with
 * 1..3 target columns chosen by the first byte (the rest is the text).
 * Seeded with CSV files; the reader decides CSV or FANN by the first line.
 * With one target column the text is also read as class ids
 * (xn_data_parse_classes, K = (first byte >> 2) % 8, 0 meaning the largest
 * id + 1, for texts under 1 KiB so one-hot targets stay small): it must
 * succeed exactly when every target is a whole number in [0, K), with the
 * same inputs and a one at each row's id. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fuzz_data.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_classes(const char *text, size_t len, size_t classes, const xn_data *plain)
{
    xn_data d;
    xn_error err;
    memset(&err, 'x', sizeof err);
    xn_status s = xn_data_parse_classes(&d, text, len, classes, &err);
    fuzz_check_error(&err, s != XN_OK);
    if (!plain) { /* the plain reading failed: so does this one */
        FUZZ_CHECK(s != XN_OK);
        FUZZ_CHECK(d.n == 0 && d.x == NULL && d.y == NULL);
        return;
    }
    size_t k = classes;
    bool ids = true;
    for (size_t i = 0; i < plain->n; i++) {
        double v = plain->y[i];
        ids = ids && v == floor(v) && v >= 0 && v < (double)(classes ? classes : XN_DATA_MAX_CLASSES);
        if (ids && !classes && (size_t)v + 1 > k)
            k = (size_t)v + 1;
    }
    FUZZ_CHECK((s == XN_OK) == ids);
    if (s != XN_OK) {
        FUZZ_CHECK(d.n == 0 && d.x == NULL && d.y == NULL);
        return;
    }
    FUZZ_CHECK(d.n == plain->n && d.in == plain->in && d.out == k);
    FUZZ_CHECK(memcmp(d.x, plain->x, d.n * d.in * sizeof *d.x) == 0);
    for (size_t i = 0; i < d.n; i++)
        for (size_t c = 0; c < k; c++)
            FUZZ_CHECK(d.y[i * k + c] == (c == (size_t)plain->y[i] ? 1.0 : 0.0));
    xn_data_free(&d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t outputs = size ? 1 + data[0] % 3 : 1;
    const char *text = (const char *)data + (size ? 1 : 0);
    size_t len = size ? size - 1 : 0;
    xn_data d;
    xn_status s = fuzz_data_parse(text, len, outputs, &d);
    if (outputs == 1 && len < 1024)
        check_classes(text, len, (size_t)(data[0] >> 2) % 8, s == XN_OK ? &d : NULL);
    if (s == XN_OK) {
        xn_data_free(&d);
        FUZZ_CHECK(d.x == NULL && d.y == NULL && d.n == 0);
    }
    return 0;
}
