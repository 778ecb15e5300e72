/* Data files: CSV and FANN read into the right rows and columns, the
 * shipped XOR files equal the built-in table, and each malformed file is
 * refused with the right line and an empty xn_data: a text cut inside its
 * last row (no final newline) too, while a byte-order mark is skipped.
 * Class ids: read as one-hot targets from a file (a bad id named by its
 * line) or converted in memory (named by its row), and recognised by
 * xn_data_class_count. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "xornet/xornet.h"

/* xn_data_parse over an exact-size copy (no NUL after the text). */
static xn_status parse_exact(xn_data *d, const char *text, size_t len, size_t outputs, xn_error *err)
{
    char *copy = malloc(len ? len : 1);
    memcpy(copy, text, len);
    xn_status s = xn_data_parse(d, copy, len, outputs, err);
    free(copy);
    return s;
}

static bool is_empty(const xn_data *d)
{
    return d->n == 0 && d->in == 0 && d->out == 0 && !d->x && !d->y;
}

static void test_csv(void)
{
    const char *text = "# two inputs, two targets\r\n"
                       " a , b,c,d\r\n"
                       "\r\n"
                       "1, 2 ,3,4   # a comment\r\n"
                       "  -0.5,\t1e3,0,-0\r\n"
                       "# the end\r\n";
    xn_data d;
    xn_error err;
    CHECK_STATUS(parse_exact(&d, text, strlen(text), 2, &err), XN_OK);
    CHECK(d.n == 2 && d.in == 2 && d.out == 2);
    const double x[] = {1, 2, -0.5, 1000}, y[] = {3, 4, 0, -0.0}; /* -0 stays negative */
    CHECK(d.x && memcmp(d.x, x, sizeof x) == 0);
    CHECK(d.y && memcmp(d.y, y, sizeof y) == 0);
    xn_data_free(&d);
    CHECK(is_empty(&d));
    xn_data_free(&d);
    xn_data_free(NULL);

    /* no header, the default single target */
    CHECK_STATUS(parse_exact(&d, "1,2,3\n4,5,6\n", 12, 1, &err), XN_OK);
    CHECK(d.n == 2 && d.in == 2 && d.out == 1 && d.x[3] == 5 && d.y[1] == 6);
    xn_data_free(&d);
    /* cut inside the last row, or at its end before the newline: "6" may
     * have been "65", so the text is refused at that line */
    for (size_t len = 7; len <= 11; len++) {
        CHECK_STATUS(parse_exact(&d, "1,2,3\n4,5,6\n", len, 1, &err), XN_EFORMAT);
        CHECK(is_empty(&d) && err.line == 2);
    }
    CHECK(strstr(err.msg, "no newline at the end") != NULL);
    /* a UTF-8 byte-order mark (Windows editors write one) is not data */
    CHECK_STATUS(parse_exact(&d, "\xEF\xBB\xBF" "1,2,3\n", 9, 1, &err), XN_OK);
    CHECK(d.n == 1 && d.x[0] == 1 && d.y[0] == 3);
    xn_data_free(&d);
    CHECK_STATUS(parse_exact(&d, "\xEF\xBB\xBF" "a,b\n1,2\n", 11, 1, &err), XN_OK);
    CHECK(d.n == 1 && d.x[0] == 1);
    xn_data_free(&d);
    /* outputs 0: inputs only */
    CHECK_STATUS(parse_exact(&d, "1,2,3\n4,5,6\n", 12, 0, &err), XN_OK);
    CHECK(d.n == 2 && d.in == 3 && d.out == 0 && d.y == NULL && d.x[5] == 6);
    xn_data_free(&d);
    /* the length bounds the text */
    CHECK_STATUS(parse_exact(&d, "1,2\n3,4\n5,6\n", 8, 1, &err), XN_OK);
    CHECK(d.n == 2);
    xn_data_free(&d);
}

static void test_fann(void)
{
    const char *text = "3 2 2\n0 0.5\n1 0\n\n-1 2\n0 1\n3 4\n5 6\n";
    xn_data d;
    xn_error err;
    CHECK_STATUS(parse_exact(&d, text, strlen(text), 0, &err), XN_OK);
    CHECK(d.n == 3 && d.in == 2 && d.out == 2);
    const double x[] = {0, 0.5, -1, 2, 3, 4}, y[] = {1, 0, 0, 1, 5, 6};
    CHECK(d.x && memcmp(d.x, x, sizeof x) == 0);
    CHECK(d.y && memcmp(d.y, y, sizeof y) == 0);
    xn_data_free(&d);
    /* a matching outputs argument is fine, a different one is refused */
    CHECK_STATUS(parse_exact(&d, text, strlen(text), 2, &err), XN_OK);
    xn_data_free(&d);
    CHECK_STATUS(parse_exact(&d, text, strlen(text), 1, &err), XN_EFORMAT);
    CHECK(is_empty(&d) && err.line == 1 && strstr(err.msg, "2 outputs"));
    /* the last output cut from "6" (or "65"): refused */
    CHECK_STATUS(parse_exact(&d, text, strlen(text) - 1, 0, &err), XN_EFORMAT);
    CHECK(is_empty(&d) && err.line == 8 && strstr(err.msg, "cut short"));
}

/* data/xor.data and data/xor.csv hold the built-in XOR table.  The paths
 * come from this file's name, relative to the build folder meson runs the
 * tests in. */
static void test_shipped_xor(void)
{
    char root[512];
    const char *me = __FILE__, *cut = strstr(me, "tests/test_data.c");
    size_t n = cut ? (size_t)(cut - me) : 0;
    CHECK(cut != NULL && n < sizeof root - 32);
    if (!cut || n >= sizeof root - 32)
        return;
    static const char *const files[] = {"data/xor.data", "data/xor.csv"};
    for (int f = 0; f < 2; f++) {
        memcpy(root, me, n);
        strcpy(root + n, files[f]);
        xn_data d;
        xn_error err;
        xn_status s = xn_data_load(&d, root, 1, &err);
        CHECK_STATUS(s, XN_OK);
        if (s != XN_OK) {
            fprintf(stderr, "%s:%zu: %s\n", root, err.line, err.msg);
            continue;
        }
        CHECK(d.n == 4 && d.in == 2 && d.out == 1);
        CHECK(memcmp(d.x, xn_xor_inputs(), 8 * sizeof(double)) == 0);
        CHECK(memcmp(d.y, xn_xor_targets(), 4 * sizeof(double)) == 0);
        xn_data_free(&d);
    }
    xn_data d;
    xn_error err;
    CHECK_STATUS(xn_data_load(&d, "/nonexistent/xor.csv", 1, &err), XN_EIO);
    CHECK(is_empty(&d) && err.line == 0 && strstr(err.msg, "cannot open"));
}

typedef struct {
    const char *what, *text;
    size_t outputs, line;
    const char *msg;
} bad_case;

static void test_malformed(void)
{
    static const bad_case cases[] = {
        {"ragged", "1,2,3\n4,5,6\n7,8\n", 1, 3, "expected 3 columns (as on line 1), found 2"},
        {"ragged header", "a,b\n1,2,3\n", 1, 2, "expected 2 columns"},
        {"nan", "1,2\n\n3,nan\n", 1, 3, "non-finite number 'nan' in column 2"},
        {"inf", "# c\n-inf,2\n", 1, 2, "non-finite number '-inf' in column 1"},
        {"overflow", "1,2\n1e400,2\n", 1, 2, "out of range"},
        {"empty field", "1,,3\n", 1, 1, "empty field in column 2"},
        {"trailing comma", "1,2,\n", 1, 1, "empty field in column 3"},
        {"word", "1,2\n3,x\n", 1, 2, "not a number 'x' in column 2"},
        {"mixed header", "x,2,3\n", 1, 1, "not a number 'x' in column 1"},
        {"header only", "x,y\n", 1, 1, "no data rows after the header"},
        {"empty", "", 1, 1, "no data"},
        {"comments only", "# a\n\n# b\n", 1, 3, "no data"},
        {"no inputs", "1,2\n", 2, 1, "leave no input"},
        {"spaces not commas", "1 2 3 4\n", 1, 1, "fields are separated by spaces, not commas: '1 2 3 4'"},
        {"semicolons", "# x\n0;1;1\n", 1, 2, "fields are separated by semicolons, not commas: '0;1;1'"},
        {"semicolon header", "a;b;y\n0;1;1\n", 1, 1, "fields are separated by semicolons, not commas: 'a;b;y'"},
        {"semicolon header, no targets", "a;b\n0;1\n", 0, 2, "separated by semicolons, not commas: '0;1'"},
        {"tabs", "0.5\t1\t1\n", 1, 1, "fields are separated by tabs, not commas"},
        {"one column", "x\n1\n", 1, 1, "1 column, but 1 target column leaves no input"},
        {"tabs read as FANN", "0\t1\t1\n1\t0\t1\n", 1, 1,
         "the pair count is 0 (read as FANN: line 1 is three whole numbers)"},
        {"spaces read as FANN", "\n1 2 1\n1 0 1\n", 1, 3,
         "expected 2 input numbers (pair 1), found 3 (read as FANN: line 2 is three whole numbers)"},
        {"nul byte", "1,2\n3,\0004\n", 1, 2, "not a number"},
        {"no final newline", "1,2\n3,4", 1, 2, "no newline at the end"},
        {"comment without newline", "1,2\n3,4\n# end", 1, 3, "no newline at the end"},
        {"fann short row", "2 2 1\n0 0\n0\n1\n1\n", 1, 4, "expected 2 input numbers (pair 2), found 1"},
        {"fann long row", "1 2 1\n0 0\n0 1\n", 1, 3, "expected 1 output number (pair 1), found 2"},
        {"fann missing pair", "2 2 1\n0 0\n0\n", 1, 3, "unexpected end of file; expected the input of pair 2 of 2"},
        {"fann extra", "1 2 1\n0 0\n0\n1 1\n", 1, 4, "more than the 1 pair"},
        {"fann nan", "1 2 1\n0 NaN\n0\n", 1, 2, "non-finite number 'NaN' in column 2"},
        {"fann zero inputs", "1 0 1\n\n0\n", 1, 1, "input count is 0"},
        {"fann zero pairs", "0 2 1\n", 1, 1, "pair count is 0"},
        {"fann conflict", "1 1 2\n0\n0 1\n", 3, 1, "2 outputs a pair, but 3 were asked for"},
        {"fann huge", "99999999999999999999999 2 1\n", 1, 1, "over the limit"},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        const bad_case *b = &cases[c];
        size_t len = strlen(b->text);
        if (strcmp(b->what, "nul byte") == 0)
            len = 9;
        xn_data d;
        xn_error err;
        memset(&err, 0, sizeof err);
        xn_status s = parse_exact(&d, b->text, len, b->outputs, &err);
        bool ok = s == XN_EFORMAT && is_empty(&d) && err.line == b->line && strstr(err.msg, b->msg) &&
                  !strchr(err.msg, '\n');
        if (!ok) {
            fprintf(stderr, "case '%s': status %d line %zu msg '%s'\n", b->what, (int)s, err.line, err.msg);
            check_failures++;
        }
        xn_data_free(&d);
    }
    xn_data d;
    CHECK_STATUS(xn_data_parse(NULL, "1,2\n", 4, 1, NULL), XN_EINVAL);
    CHECK_STATUS(xn_data_parse(&d, NULL, 4, 1, NULL), XN_EINVAL);
    CHECK_STATUS(xn_data_load(&d, NULL, 1, NULL), XN_EINVAL);
}

/* Random bytes and mutated files: no crash, and a failure leaves d empty. */
static void test_random(void)
{
    static const char *const seeds[] = {"x,y,t\n0,0,0\n0,1,1\n1,0,1\n1,1,0\n",
                                        "4 2 1\n0 0\n0\n0 1\n1\n1 0\n1\n1 1\n0\n"};
    char buf[64];
    xn_rng rng;
    xn_rng_seed(&rng, XN_RNG_NUMPY, 11);
    size_t good = 0;
    for (int trial = 0; trial < 40000; trial++) {
        size_t len;
        if (trial % 4 == 0) {
            len = xn_rng_u32(&rng) % sizeof buf;
            for (size_t i = 0; i < len; i++)
                buf[i] = (char)(xn_rng_u32(&rng) & 0xff);
        } else {
            const char *s = seeds[trial % 2];
            len = strlen(s);
            memcpy(buf, s, len);
            for (int m = 0; m < 1 + trial % 3; m++)
                buf[xn_rng_u32(&rng) % len] = "0123456789,. \n#-e\0nx"[xn_rng_u32(&rng) % 21];
        }
        xn_data d;
        xn_error err;
        xn_status s = parse_exact(&d, buf, len, trial % 3, &err);
        if (s == XN_OK) {
            good++;
            CHECK(d.n >= 1 && d.in >= 1 && d.x && (d.out == 0) == (d.y == NULL));
        } else {
            CHECK(is_empty(&d) && err.msg[0] && err.line >= 1);
        }
        xn_data_free(&d);
    }
    CHECK(good > 100);
}

/* A class-id file: one-hot targets of K columns, K given or the largest
 * id + 1; each bad id refused with its line. */
static void test_classes(void)
{
    const char *text = "# iris-like\nx1,x2,class\n0.5,1,2\n\n1.5,2,0\n2.5,3,1\n3.5,4,2 # last\n";
    xn_data d;
    xn_error err;
    CHECK_STATUS(xn_data_parse_classes(&d, text, strlen(text), 0, &err), XN_OK);
    const double x[] = {0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4};
    const double y3[] = {0, 0, 1, 1, 0, 0, 0, 1, 0, 0, 0, 1};
    CHECK(d.n == 4 && d.in == 2 && d.out == 3);
    CHECK(d.x && memcmp(d.x, x, sizeof x) == 0);
    CHECK(d.y && memcmp(d.y, y3, sizeof y3) == 0);
    xn_data_free(&d);
    /* K given: a fourth class this file never names */
    CHECK_STATUS(xn_data_parse_classes(&d, text, strlen(text), 4, &err), XN_OK);
    CHECK(d.n == 4 && d.out == 4 && d.y && d.y[2] == 1 && d.y[3] == 0 && d.y[4] == 1 && d.y[15] == 0);
    xn_data_free(&d);
    /* FANN with one output a pair */
    const char *fann = "2 2 1\n0 0\n1\n0 1\n0\n";
    CHECK_STATUS(xn_data_parse_classes(&d, fann, strlen(fann), 0, &err), XN_OK);
    CHECK(d.n == 2 && d.in == 2 && d.out == 2 && d.y && d.y[1] == 1 && d.y[2] == 1);
    xn_data_free(&d);

    static const bad_case cases[] = {
        {"fraction", "1,0\n2,2.5\n", 0, 2, "class id 2.5 is not a whole number"},
        {"negative", "a,b\n1,0\n2,-1\n", 0, 3, "class id -1 is negative"},
        {"not below K", "1,0\n2,1\n\n3,3\n", 3, 4, "class id 3 is not below the 3 classes"},
        {"over the limit", "1,0\n2,70000\n", 0, 2, "class id 70000 is not below the limit of 65536 classes"},
        {"huge", "1,1e300\n", 0, 1, "class id 1e+300 is not below the limit"},
        {"fann fraction", "2 1 1\n0\n1\n1\n0.25\n", 0, 5, "class id 0.25 is not a whole number"},
        {"fann two outputs", "1 1 2\n0\n0 1\n", 0, 1, "2 outputs a pair, but 1 was asked for"},
        {"ids in the last column", "1,2,3\n", 2, 1, "class id 3 is not below the 2 classes"},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        const bad_case *b = &cases[c];
        memset(&err, 0, sizeof err);
        xn_status s = xn_data_parse_classes(&d, b->text, strlen(b->text), b->outputs, &err);
        if (s != XN_EFORMAT || !is_empty(&d) || err.line != b->line || !strstr(err.msg, b->msg)) {
            fprintf(stderr, "classes case '%s': status %d line %zu msg '%s'\n", b->what, (int)s, err.line,
                    err.msg);
            check_failures++;
        }
        xn_data_free(&d);
    }
    /* one-hot targets over XN_DATA_MAX_VALUES: 16385 rows x 65536 classes */
    size_t rows = 16385, len = 0;
    char *big = malloc(rows * 8 + 16);
    for (size_t i = 0; i < rows; i++)
        len += (size_t)sprintf(big + len, "%s", i == 3 ? "1,65535\n" : "1,0\n");
    CHECK_STATUS(xn_data_parse_classes(&d, big, len, 0, &err), XN_EFORMAT);
    CHECK(is_empty(&d) && strstr(err.msg, "one-hot targets of 16385 rows x 65536 classes are more than"));
    free(big);
    CHECK_STATUS(xn_data_parse_classes(&d, text, strlen(text), XN_DATA_MAX_CLASSES + 1, &err), XN_EINVAL);
    CHECK(is_empty(&d));
    CHECK_STATUS(xn_data_load_classes(&d, "/nonexistent/iris.csv", 3, &err), XN_EIO);
    CHECK(is_empty(&d) && strstr(err.msg, "cannot open"));
}

/* Class ids already in memory: converted in place, a bad one named by its
 * row with d left as it was; and recognised by xn_data_class_count. */
static void test_classes_in_memory(void)
{
    const char *text = "1,2\n2,0\n3,1\n4,0\n";
    xn_data d;
    xn_error err;
    CHECK_STATUS(parse_exact(&d, text, strlen(text), 1, &err), XN_OK);
    CHECK(xn_data_class_count(&d) == 3);
    CHECK_STATUS(xn_data_classes_to_onehot(&d, 0, &err), XN_OK);
    const double y[] = {0, 0, 1, 1, 0, 0, 0, 1, 0, 1, 0, 0};
    CHECK(d.out == 3 && d.y && memcmp(d.y, y, sizeof y) == 0 && d.in == 1 && d.x[3] == 4);
    CHECK(xn_data_class_count(&d) == 0); /* three columns are not class ids */
    CHECK_STATUS(xn_data_classes_to_onehot(&d, 0, &err), XN_EINVAL);
    CHECK(strstr(err.msg, "3 target columns"));
    xn_data_free(&d);

    CHECK_STATUS(parse_exact(&d, text, strlen(text), 1, &err), XN_OK);
    CHECK_STATUS(xn_data_classes_to_onehot(&d, 5, &err), XN_OK);
    CHECK(d.out == 5 && d.y[2] == 1 && d.y[5] == 1 && d.y[4] == 0);
    xn_data_free(&d);

    static const struct {
        const char *text;
        size_t classes;
        const char *msg;
    } bad[] = {
        {"1,0\n2,0.5\n", 0, "row 2: class id 0.5 is not a whole number"},
        {"a,b\n1,0\n2,1\n3,-2\n", 0, "row 3: class id -2 is negative"},
        {"1,0\n2,1\n3,2\n", 2, "row 3: class id 2 is not below the 2 classes"},
    };
    for (size_t c = 0; c < sizeof bad / sizeof bad[0]; c++) {
        CHECK_STATUS(parse_exact(&d, bad[c].text, strlen(bad[c].text), 1, &err), XN_OK);
        double *y0 = d.y, first = d.y[0];
        CHECK(xn_data_class_count(&d) == (c == 2 ? 3 : 0));
        CHECK_STATUS(xn_data_classes_to_onehot(&d, bad[c].classes, &err), XN_EFORMAT);
        CHECK(err.line == 0 && strstr(err.msg, bad[c].msg));
        CHECK(d.out == 1 && d.y == y0 && d.y[0] == first); /* as it was */
        xn_data_free(&d);
    }
    /* whole-number regression targets look like class ids too */
    CHECK_STATUS(parse_exact(&d, "1,151\n2,75\n", 11, 1, &err), XN_OK);
    CHECK(xn_data_class_count(&d) == 152);
    xn_data_free(&d);
    CHECK_STATUS(parse_exact(&d, "1,2,0\n", 6, 2, &err), XN_OK);
    CHECK(xn_data_class_count(&d) == 0);
    CHECK_STATUS(xn_data_classes_to_onehot(&d, 0, &err), XN_EINVAL);
    xn_data_free(&d);
    CHECK(xn_data_class_count(NULL) == 0 && xn_data_class_count(&d) == 0);
    CHECK_STATUS(xn_data_classes_to_onehot(NULL, 0, &err), XN_EINVAL);
    CHECK_STATUS(xn_data_classes_to_onehot(&d, 0, &err), XN_EINVAL);
}

/* The real data sets of data/ (data/README.md): every file reads, with the
 * rows, inputs and classes the README gives; the class-id files read as
 * one-hot targets with every class present in the training file. */
static void test_shipped_sets(void)
{
    static const struct {
        const char *name;
        size_t train, test, in, classes; /* classes 0: regression */
    } sets[] = {
        {"iris", 112, 38, 4, 3},
        {"wine", 133, 45, 13, 3},
        {"breast-cancer", 426, 143, 30, 2},
        {"diabetes", 331, 111, 10, 0},
    };
    const char *me = __FILE__, *cut = strstr(me, "tests/test_data.c");
    CHECK(cut != NULL);
    if (!cut)
        return;
    for (size_t i = 0; i < sizeof sets / sizeof sets[0]; i++)
        for (int part = 0; part < 2; part++) {
            char path[512];
            snprintf(path, sizeof path, "%.*sdata/%s-%s.csv", (int)(cut - me), me, sets[i].name,
                     part ? "test" : "train");
            size_t rows = part ? sets[i].test : sets[i].train;
            xn_data d;
            xn_error err;
            xn_status s = xn_data_load(&d, path, 1, &err);
            CHECK_STATUS(s, XN_OK);
            if (s != XN_OK) {
                fprintf(stderr, "%s:%zu: %s\n", path, err.line, err.msg);
                continue;
            }
            CHECK(d.n == rows && d.in == sets[i].in && d.out == 1);
            size_t k = xn_data_class_count(&d);
            if (sets[i].classes) {
                CHECK(part ? k <= sets[i].classes : k == sets[i].classes);
                xn_data_free(&d);
                CHECK_STATUS(xn_data_load_classes(&d, path, sets[i].classes, &err), XN_OK);
                CHECK(d.n == rows && d.in == sets[i].in && d.out == sets[i].classes);
                for (size_t r = 0; d.y && r < d.n; r++) {
                    double sum = 0;
                    for (size_t c = 0; c < d.out; c++)
                        sum += d.y[r * d.out + c];
                    CHECK(sum == 1.0);
                }
            } else {
                /* diabetes: whole-number targets 25-346 look like class ids,
                 * which is why class_count is a hint only */
                CHECK(k >= 300);
            }
            xn_data_free(&d);
        }
}

int main(void)
{
    test_csv();
    test_fann();
    test_shipped_xor();
    test_shipped_sets();
    test_malformed();
    test_random();
    test_classes();
    test_classes_in_memory();
    CHECK_DONE();
}
