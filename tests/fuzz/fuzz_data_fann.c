/* libFuzzer target: the data reader xn_data_parse on arbitrary bytes, the
 * whole input being the text, so FANN training files (told apart from CSV
 * by their first line, "pairs inputs outputs") seed it as they are.  Reads
 * with outputs 0 (the file's count), then again with the count found, which
 * must give the same numbers, and with one output, which FANN files with
 * more refuse. */
#include <stddef.h>
#include <stdint.h>

#include "fuzz_data.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    xn_data d, e;
    if (fuzz_data_parse(text, size, 0, &d) == XN_OK) {
        if (d.out > 0) {
            FUZZ_CHECK(fuzz_data_parse(text, size, d.out, &e) == XN_OK);
            FUZZ_CHECK(e.n == d.n && e.in == d.in && e.out == d.out);
            FUZZ_CHECK(memcmp(e.x, d.x, d.n * d.in * sizeof *d.x) == 0);
            FUZZ_CHECK(memcmp(e.y, d.y, d.n * d.out * sizeof *d.y) == 0);
            xn_data_free(&e);
        }
        xn_data_free(&d);
    }
    if (fuzz_data_parse(text, size, 1, &d) == XN_OK)
        xn_data_free(&d);
    return 0;
}
