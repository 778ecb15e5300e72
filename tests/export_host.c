/* The host program of the export tests (test_export.c, cli/test_export.sh):
 * compiled with a network exported as --name net --header net.h, it reads
 * rows of net_INPUTS numbers (separated by blanks, commas or newlines) from
 * standard input, runs the network three ways: net_predict_batch on all
 * rows, net_predict and net_predict_work row by row, and prints the batch's
 * outputs with %.17g, one line a row, the format of `xornet predict`.
 * Exits 1 if the three ways disagree in any bit or net_predict_work writes
 * outside its net_WORK elements; 2 on bad input.  -DEXPORT_FLOAT for code
 * exported as float. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net.h"

#ifdef EXPORT_FLOAT
typedef float real;
#else
typedef double real;
#endif

enum { GUARD = 8 };

int main(void)
{
    size_t cap = 64, n = 0, rows;
    real *x = malloc(cap * sizeof *x);
    double v;
    int c;
    if (!x)
        return 2;
    for (;;) {
        while ((c = getchar()) == ' ' || c == ',' || c == '\t' || c == '\n' || c == '\r')
            ;
        if (c == EOF)
            break;
        ungetc(c, stdin);
        if (scanf("%lf", &v) != 1) {
            fprintf(stderr, "export_host: not a number after %zu numbers\n", n);
            return 2;
        }
        if (n == cap) {
            real *grown = realloc(x, 2 * cap * sizeof *x);
            if (!grown)
                return 2;
            x = grown;
            cap *= 2;
        }
        x[n++] = (real)v;
    }
    if (n == 0 || n % net_INPUTS != 0) {
        fprintf(stderr, "export_host: %zu numbers are not rows of %d\n", n, (int)net_INPUTS);
        return 2;
    }
    rows = n / net_INPUTS;
    real *y = malloc(rows * net_OUTPUTS * sizeof *y);
    real one[net_OUTPUTS], two[net_OUTPUTS];
    real work[net_WORK + 2 * GUARD];
    if (!y)
        return 2;
    net_predict_batch((unsigned long)rows, x, y);
    int bad = 0;
    for (size_t i = 0; i < rows; i++) {
        memset(work, 0x5a, sizeof work);
        net_predict(x + i * net_INPUTS, one);
        net_predict_work(x + i * net_INPUTS, two, work + GUARD);
        for (int g = 0; g < GUARD; g++) {
            unsigned char *lo = (unsigned char *)(work + g);
            unsigned char *hi = (unsigned char *)(work + GUARD + net_WORK + g);
            for (size_t b = 0; b < sizeof(real); b++)
                if (lo[b] != 0x5a || hi[b] != 0x5a)
                    bad = 1;
        }
        if (memcmp(one, y + i * net_OUTPUTS, sizeof one) != 0 ||
            memcmp(two, y + i * net_OUTPUTS, sizeof two) != 0)
            bad = 1;
        for (int k = 0; k < net_OUTPUTS; k++)
            printf(k ? " %.17g" : "%.17g", (double)y[i * net_OUTPUTS + k]);
        putchar('\n');
    }
    if (bad)
        fprintf(stderr, "export_host: the three entry points disagree or the scratch overflowed\n");
    free(x);
    free(y);
    return bad;
}
