/* What a data set's targets are (xn_data_read_text, xn_data_describe):
 * each way people write a data file, with the task, labels and targets the
 * library must find, and the files it must refuse with a line and a fix. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "xornet/xornet.h"

/* Reads text with o; prints the error when the status is not want. */
static xn_status rd(const char *text, const xn_read_opts *o, xn_data *d, xn_description *desc, xn_error *err)
{
    xn_status s = xn_data_read_text(d, desc, text, strlen(text), o, err);
    if (s != XN_OK)
        fprintf(stderr, "  (read: line %zu: %s)\n", err->line, err->msg);
    return s;
}

static bool labels_are(const xn_description *desc, size_t k, const char *const *want)
{
    if (desc->classes != k || !desc->labels)
        return false;
    for (size_t i = 0; i < k; i++)
        if (strcmp(desc->labels[i], want[i]) != 0)
            return false;
    return true;
}

/* Appends a row "a,b,c" to buf. */
static void row(char *buf, size_t cap, double a, double b, double c)
{
    size_t n = strlen(buf);
    snprintf(buf + n, cap - n, "%g,%g,%g\n", a, b, c);
}

static void words_and_headers(void)
{
    xn_data d;
    xn_description desc;
    xn_error err;
    /* a header, and words in the last column: three classes, sorted */
    static const char iris[] = "sepal,petal,species\n5.1,1.4,setosa\n7.0,4.7,versicolor\n6.3,6.0,virginica\n"
                               "4.9,1.4,setosa\n";
    CHECK_STATUS(rd(iris, NULL, &d, &desc, &err), XN_OK);
    const char *three[3] = {"setosa", "versicolor", "virginica"};
    CHECK(desc.kind == XN_TARGETS_MULTICLASS && labels_are(&desc, 3, three) && desc.header);
    CHECK(d.n == 4 && d.in == 2 && d.out == 3 && d.y[0 * 3 + 0] == 1.0 && d.y[1 * 3 + 1] == 1.0 &&
          d.y[2 * 3 + 2] == 1.0 && d.y[3 * 3 + 0] == 1.0 && d.line[0] == 2);
    CHECK(desc.n_targets == 1 && desc.target_columns[0] == 3 && strcmp(desc.target_names[0], "species") == 0);
    xn_data_free(&d);
    xn_description_free(&desc);
    /* the same without a header: line 1 is a row (its words are below
     * words, not numbers) */
    CHECK_STATUS(rd(iris + strlen("sepal,petal,species\n"), NULL, &d, &desc, &err), XN_OK);
    CHECK(!desc.header && d.n == 4 && desc.classes == 3);
    xn_data_free(&d);
    xn_description_free(&desc);
    /* R and spreadsheets quote strings, commas inside allowed */
    static const char quoted[] = "\"a\",\"b\",\"kind\"\n1,2,\"x, y\"\n3,4,\"z\"\n5,6,\"x, y\"\n";
    CHECK_STATUS(rd(quoted, NULL, &d, &desc, &err), XN_OK);
    const char *xy[2] = {"x, y", "z"};
    CHECK(desc.kind == XN_TARGETS_BINARY && labels_are(&desc, 2, xy) && d.out == 1 && d.y[1] == 1.0 && d.y[2] == 0.0);
    CHECK(strcmp(desc.target_names[0], "kind") == 0);
    xn_data_free(&d);
    xn_description_free(&desc);
    /* pandas' to_csv with its index: an empty first name, left out */
    static const char indexed[] = ",x,y\n0,0.5,1\n1,0.25,2\n2,0.75,3\n";
    CHECK_STATUS(rd(indexed, NULL, &d, &desc, &err), XN_OK);
    CHECK(desc.index_column == 1 && d.in == 1 && d.x[1] == 0.25 && desc.kind == XN_TARGETS_MULTICLASS);
    xn_data_free(&d);
    xn_description_free(&desc);
    /* pd.DataFrame(np.column_stack([X, y])).to_csv(index=False): the
     * header is the column numbers */
    static const char numbered[] = "0,1,2,3,4\n0.5,1,2,3,1\n1.5,2,1,0,2\n0.5,0,0,0,1\n";
    CHECK_STATUS(rd(numbered, NULL, &d, &desc, &err), XN_OK);
    CHECK(desc.header && desc.numbered_header && d.n == 3 && d.in == 4 && desc.kind == XN_TARGETS_BINARY);
    xn_data_free(&d);
    xn_description_free(&desc);
    /* ... unless told it is data */
    xn_read_opts no = {.header = XN_HEADER_NO};
    CHECK_STATUS(rd(numbered, &no, &d, &desc, &err), XN_OK);
    CHECK(!desc.header && d.n == 4 && desc.classes == 3);
    xn_data_free(&d);
    xn_description_free(&desc);
    /* a word above numbers makes a header; a typo below it does not */
    CHECK_STATUS(rd("x1,x2,y\n0,0,0\n0,1,1\n1,0,1\n", NULL, &d, &desc, &err), XN_OK);
    CHECK(desc.header && d.n == 3);
    xn_data_free(&d);
    xn_description_free(&desc);
    CHECK_STATUS(xn_data_read_text(&d, &desc, "0,0,0\n0,x1,1\n", 13, NULL, &err), XN_EFORMAT);
    CHECK(err.line == 2 && strstr(err.msg, "not a number 'x1' in column 2") != NULL);
}

static void numbers(void)
{
    xn_data d;
    xn_description desc;
    xn_error err;
    /* labels 1..10, as UCI numbers classes, with 7 missing: nine classes */
    char text[8000] = "";
    for (int i = 0; i < 40; i++)
        if (1 + i % 10 != 7)
            row(text, sizeof text, i * 0.5, i % 3, 1 + i % 10);
    CHECK_STATUS(rd(text, NULL, &d, &desc, &err), XN_OK);
    const char *nine[9] = {"1", "2", "3", "4", "5", "6", "8", "9", "10"}; /* by value, not bytes */
    CHECK(desc.kind == XN_TARGETS_MULTICLASS && labels_are(&desc, 9, nine) && d.out == 9);
    CHECK(d.y[0 * 9 + 0] == 1.0 && d.y[6 * 9 + 6] == 1.0); /* row 7 holds 8, the 7th class */
    CHECK(strstr(desc.rule, "9 distinct whole numbers") != NULL);
    xn_data_free(&d);
    xn_description_free(&desc);
    /* class ids: 0..K-1 named whether they appear or not */
    xn_read_opts ids = {.classes = 12};
    CHECK_STATUS(rd("1,0\n2,3\n3,5\n", &ids, &d, &desc, &err), XN_OK);
    CHECK(desc.classes == 12 && d.out == 12 && d.y[1 * 12 + 3] == 1.0 && strcmp(desc.labels[11], "11") == 0);
    xn_data_free(&d);
    xn_description_free(&desc);
    /* -1 and 1, written %.18e as NumPy's savetxt does: binary, -1 first */
    CHECK_STATUS(rd("5.000000000000000000e-01,-1.000000000000000000e+00\n2.5e-01,1.0e+00\n7.5e-01,-1e0\n", NULL, &d,
                    &desc, &err), XN_OK);
    const char *pm[2] = {"-1", "1"};
    CHECK(desc.kind == XN_TARGETS_BINARY && labels_are(&desc, 2, pm) && d.y[0] == 0.0 && d.y[1] == 1.0 && d.y[2] == 0.0);
    xn_data_free(&d);
    xn_description_free(&desc);
    /* hundreds of distinct whole numbers (prices in cents): a regression */
    text[0] = '\0';
    for (int i = 0; i < 300; i++)
        row(text, sizeof text, i * 0.01, i % 2, 100 + i * 7);
    CHECK_STATUS(rd(text, NULL, &d, &desc, &err), XN_OK);
    CHECK(desc.kind == XN_TARGETS_REGRESSION && d.out == 1 && d.in == 2 && d.y[2] == 114.0 &&
          strstr(desc.rule, "300 distinct"));
    xn_data_free(&d);
    xn_description_free(&desc);
    /* ... and classes when told */
    xn_read_opts cls = {.task = XN_TASK_CLASSIFY};
    CHECK_STATUS(rd("0,1.5\n1,2.5\n2,1.5\n", &cls, &d, &desc, &err), XN_OK);
    CHECK(desc.kind == XN_TARGETS_BINARY && strcmp(desc.labels[0], "1.5") == 0);
    xn_data_free(&d);
    xn_description_free(&desc);
    /* few whole numbers read as values when told */
    xn_read_opts reg = {.task = XN_TASK_REGRESS};
    CHECK_STATUS(rd("0,1\n1,2\n2,3\n", &reg, &d, &desc, &err), XN_OK);
    CHECK(desc.kind == XN_TARGETS_REGRESSION && d.y[2] == 3.0);
    xn_data_free(&d);
    xn_description_free(&desc);
    CHECK_STATUS(xn_data_read_text(&d, &desc, "0,a\n1,b\n", 8, &reg, &err), XN_EFORMAT);
    CHECK(err.line == 1 && strstr(err.msg, "--task regress") != NULL);
    /* one class only: words cannot be learned; one number is a constant */
    CHECK_STATUS(xn_data_read_text(&d, &desc, "0,a\n1,a\n", 8, NULL, &err), XN_EFORMAT);
    CHECK(strstr(err.msg, "one class") != NULL && err.line == 2);
    CHECK_STATUS(rd("0,4\n1,4\n", NULL, &d, &desc, &err), XN_OK);
    CHECK(desc.kind == XN_TARGETS_REGRESSION && strstr(desc.rule, "constant") != NULL);
    xn_data_free(&d);
    xn_description_free(&desc);
}

static void columns(void)
{
    xn_data d;
    xn_description desc;
    xn_error err;
    /* one-hot columns named y1..y3 after a, b, c: the header says so */
    static const char onehot[] = "a,b,c,y1,y2,y3\n1,2,3,1,0,0\n4,5,6,0,1,0\n7,8,9,0,0,1\n";
    CHECK_STATUS(rd(onehot, NULL, &d, &desc, &err), XN_OK);
    const char *ys[3] = {"y1", "y2", "y3"};
    CHECK(d.in == 3 && d.out == 3 && desc.kind == XN_TARGETS_MULTICLASS && labels_are(&desc, 3, ys));
    xn_data_free(&d);
    xn_description_free(&desc);
    /* 0/1 columns with several ones: labels of their own */
    CHECK_STATUS(rd("a,t1,t2\n1,1,1\n2,0,1\n3,0,0\n", NULL, &d, &desc, &err), XN_OK);
    CHECK(desc.kind == XN_TARGETS_MULTILABEL && d.out == 2 && d.in == 1);
    xn_data_free(&d);
    xn_description_free(&desc);
    /* targets named, or numbered, anywhere */
    xn_read_opts first = {.target = "label"};
    CHECK_STATUS(rd("label,x1,x2\nb,1,2\na,3,4\nb,5,6\n", &first, &d, &desc, &err), XN_OK);
    CHECK(d.in == 2 && d.x[0] == 1.0 && desc.kind == XN_TARGETS_BINARY && strcmp(desc.labels[0], "a") == 0 &&
          desc.target_columns[0] == 1);
    xn_data_free(&d);
    xn_description_free(&desc);
    xn_read_opts second = {.target = "2"};
    CHECK_STATUS(rd("1,0,2\n3,1,4\n", &second, &d, &desc, &err), XN_OK);
    CHECK(d.in == 2 && d.x[1] == 2.0 && desc.target_columns[0] == 2);
    xn_data_free(&d);
    xn_description_free(&desc);
    xn_read_opts missing = {.target = "z"};
    CHECK_STATUS(xn_data_read_text(&d, &desc, "x,y\n1,2\n", 8, &missing, &err), XN_EINVAL);
    CHECK(strcmp(err.setting, "target") == 0 && strstr(err.msg, "no column named 'z'") != NULL);
    /* every column numbered alike: which are targets is not obvious */
    CHECK_STATUS(xn_data_read_text(&d, &desc, "x1,x2,x3\n1,2,3\n", 15, NULL, &err), XN_EINVAL);
    CHECK(err.line == 1 && strstr(err.msg, "named x<number>") != NULL && strstr(err.msg, "--target") != NULL);
    /* the names as a message may hold them: bytes outside printable ASCII
     * as '?' (a fuzzed header's bytes reached the terminal) */
    const char *odd = "\n\x1b" "x1,\x1b" "x2\n1,2\n";
    CHECK_STATUS(xn_data_read_text(&d, &desc, odd, strlen(odd), NULL, &err), XN_EINVAL);
    CHECK(err.line == 2 && strstr(err.msg, "named ?x<number>") != NULL);
}

static void model_labels(void)
{
    xn_data d;
    xn_description desc;
    xn_error err;
    const char *labels[3] = {"setosa", "versicolor", "virginica"};
    xn_read_opts o = {.n_labels = 3, .labels = labels};
    /* a test file holding two of the three classes: still three columns */
    CHECK_STATUS(rd("1,virginica\n2,setosa\n", &o, &d, &desc, &err), XN_OK);
    CHECK(d.out == 3 && d.y[2] == 1.0 && d.y[3] == 1.0 && desc.classes == 3);
    xn_data_free(&d);
    xn_description_free(&desc);
    CHECK_STATUS(xn_data_read_text(&d, &desc, "1,setosa\n2,daisy\n", 17, &o, &err), XN_EFORMAT);
    CHECK(err.line == 2 && strstr(err.msg, "class 'daisy' is not one of the model's 3") != NULL);
    /* numbers match the model's labels by value: 1.0 is the class "1" */
    const char *bin[2] = {"-1", "1"};
    xn_read_opts b = {.n_labels = 2, .labels = bin};
    CHECK_STATUS(rd("0,1.0\n1,-1\n", &b, &d, &desc, &err), XN_OK);
    CHECK(d.out == 1 && d.y[0] == 1.0 && d.y[1] == 0.0 && desc.kind == XN_TARGETS_BINARY);
    xn_data_free(&d);
    xn_description_free(&desc);
    b.onehot_binary = true; /* a softmax over the two */
    CHECK_STATUS(rd("0,1.0\n1,-1\n", &b, &d, &desc, &err), XN_OK);
    CHECK(d.out == 2 && d.y[1] == 1.0 && d.y[2] == 1.0 && desc.kind == XN_TARGETS_MULTICLASS);
    xn_data_free(&d);
    xn_description_free(&desc);
}

/* Targets read as numbers first (FANN, IDX, arrays) are described too. */
static void described_arrays(void)
{
    double x[4] = {0, 1, 2, 3}, y[4] = {2, 5, 2, 5};
    xn_data d = {.n = 4, .in = 1, .out = 1, .x = malloc(sizeof x), .y = malloc(sizeof y)};
    memcpy(d.x, x, sizeof x);
    memcpy(d.y, y, sizeof y);
    xn_description desc;
    xn_error err;
    CHECK_STATUS(xn_data_describe(&d, &desc, NULL, &err), XN_OK);
    CHECK(desc.kind == XN_TARGETS_BINARY && d.out == 1 && d.y[1] == 1.0 && strcmp(desc.labels[1], "5") == 0);
    xn_description_free(&desc);
    xn_data_free(&d);
    xn_data f;
    static const char fann[] = "2 1 2\n0\n1 0\n1\n0 1\n";
    CHECK_STATUS(xn_data_read_text(&f, &desc, fann, strlen(fann), NULL, &err), XN_OK);
    CHECK(desc.kind == XN_TARGETS_MULTICLASS && f.out == 2 && desc.classes == 2);
    xn_description_free(&desc);
    xn_data_free(&f);
}

int main(void)
{
    words_and_headers();
    numbers();
    columns();
    model_labels();
    described_arrays();
    CHECK_DONE();
}
