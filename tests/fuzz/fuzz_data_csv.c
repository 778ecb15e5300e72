/* libFuzzer target: the data reader xn_data_parse on arbitrary bytes, with
 * 1..3 target columns chosen by the first byte (the rest is the text).
 * Seeded with CSV files; the reader decides CSV or FANN by the first line. */
#include <stddef.h>
#include <stdint.h>

#include "fuzz_data.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t outputs = size ? 1 + data[0] % 3 : 1;
    const char *text = (const char *)data + (size ? 1 : 0);
    size_t len = size ? size - 1 : 0;
    xn_data d;
    if (fuzz_data_parse(text, len, outputs, &d) == XN_OK) {
        xn_data_free(&d);
        FUZZ_CHECK(d.x == NULL && d.y == NULL && d.n == 0);
    }
    return 0;
}
