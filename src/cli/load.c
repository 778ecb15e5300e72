/* The data a command runs on: the built-in XOR table, CSV and FANN files
 * (through the library's readers), IDX images and labels, and the shape
 * checks that say what a file has against what a model takes. */
#include "load.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "opts.h"
#include "paths.h"

/* The file a data path names: "-" is standard input. */
static const char *in_path(const char *path)
{
    return strcmp(path, "-") == 0 ? "/dev/stdin" : path;
}

int cli_load_data(const char *path, size_t outputs, xn_data *d)
{
    if (!path) {
        size_t bytes_x = 8 * sizeof(double), bytes_y = 4 * sizeof(double);
        d->n = 4;
        d->in = 2;
        d->out = 1;
        d->x = malloc(bytes_x);
        d->y = malloc(bytes_y);
        if (!d->x || !d->y) {
            xn_data_free(d);
            cli_error("out of memory");
            return EXIT_FAIL;
        }
        memcpy(d->x, xn_xor_inputs(), bytes_x);
        memcpy(d->y, xn_xor_targets(), bytes_y);
        return EXIT_OK;
    }
    if (cli_is_idx(path)) {
        if (outputs == 0)
            return cli_load_idx(path, NULL, 0, d);
        cli_error("%s: IDX images: give their labels with --labels FILE", path);
        return EXIT_USAGE;
    }
    xn_error err = {0};
    xn_status s = xn_data_load(d, in_path(path), outputs, &err);
    if (s != XN_OK) {
        cli_file_error(path, s, &err);
        return s == XN_ENOMEM ? EXIT_FAIL : EXIT_USAGE;
    }
    return EXIT_OK;
}

/* After a reader failed on path: the message, and the exit status. */
static int load_failed(const char *path, xn_status s, const xn_error *err)
{
    cli_file_error(path, s, err);
    return s == XN_ENOMEM ? EXIT_FAIL : EXIT_USAGE;
}

/* Whether path names a regular file (following links). */
static bool is_regular(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

bool cli_is_idx(const char *path)
{
    /* only a regular file is sniffed: a FIFO or a terminal would lose what
     * was read here, and is read as text */
    if (!is_regular(path))
        return false;
    unsigned char m[4];
    FILE *f = fopen(path, "rb");
    if (!f)
        return false;
    size_t n = fread(m, 1, sizeof m, f);
    fclose(f);
    if (n >= 2 && m[0] == 0x1f && m[1] == 0x8b)
        return true;
    /* the type codes of the format: 08 09 0b 0c 0d 0e */
    return n == 4 && m[0] == 0 && m[1] == 0 && (m[2] == 0x08 || m[2] == 0x09 || (m[2] >= 0x0b && m[2] <= 0x0e));
}

int cli_idx_precheck(const char *images, const char *labels, size_t n0)
{
    if (!images || !cli_is_idx(images))
        return EXIT_OK;
    xn_idx_header h, lh;
    xn_error err = {0};
    xn_status s = xn_idx_read_header(images, &h, &err);
    if (s != XN_OK)
        return load_failed(images, s, &err);
    if (n0 && h.ndim >= 2 && h.item != n0) {
        cli_error("%s: images of %zu value%s; the model takes %zu input%s", images, h.item, cli_plural(h.item),
                  n0, cli_plural(n0));
        return EXIT_USAGE;
    }
    if (!labels || !is_regular(labels))
        return EXIT_OK;
    if ((s = xn_idx_read_header(labels, &lh, &err)) != XN_OK)
        return load_failed(labels, s, &err);
    if (lh.ndim == 1 && h.ndim >= 2 && lh.items != h.items) { /* the reader's words, before it inflates */
        cli_error("%s: byte offset 4: %zu label%s, but there %s %zu image%s", labels, lh.items,
                  cli_plural(lh.items), h.items == 1 ? "is" : "are", h.items, cli_plural(h.items));
        return EXIT_USAGE;
    }
    return EXIT_OK;
}

int cli_load_idx(const char *images, const char *labels, size_t classes, xn_data *d)
{
    xn_error err = {0};
    if (!images) {
        cli_error("--labels FILE needs --data FILE, the IDX images it labels");
        return EXIT_USAGE;
    }
    if (labels && is_regular(images) && !cli_is_idx(images)) { /* say why: not IDX */
        FILE *f = fopen(images, "rb");
        if (!f) {
            cli_error("%s: cannot open: %s", images, strerror(errno));
            return EXIT_USAGE;
        }
        fclose(f);
        cli_error("%s: not an IDX image file (--labels FILE goes with IDX images, such as "
                  "train-images-idx3-ubyte.gz)", images);
        return EXIT_USAGE;
    }
    xn_status s = xn_data_load_idx_images(d, in_path(images), &err);
    if (s != XN_OK)
        return load_failed(images, s, &err);
    if (labels && (s = xn_data_load_idx_labels(d, in_path(labels), classes, &err)) != XN_OK) {
        xn_data_free(d);
        return load_failed(labels, s, &err);
    }
    return EXIT_OK;
}

int cli_load_classes(const char *path, size_t classes, xn_data *d)
{
    xn_error err = {0};
    xn_status s = xn_data_load_classes(d, in_path(path), classes, &err);
    return s == XN_OK ? EXIT_OK : load_failed(path, s, &err);
}

/* Moves the last k of d's input columns (k < d->in) into new targets. */
static bool split_targets(xn_data *d, size_t k)
{
    size_t in = d->in - k;
    double *y = malloc(d->n * k * sizeof *y);
    if (!y)
        return false;
    for (size_t i = 0; i < d->n; i++) {
        memcpy(y + i * k, d->x + i * d->in + in, k * sizeof *y);
        memmove(d->x + i * in, d->x + i * d->in, in * sizeof *d->x);
    }
    d->in = in;
    d->out = k;
    d->y = y;
    return true;
}

int cli_load_targets(const char *path, const char *labels, const char *labels_flag, size_t n0, size_t nL,
                     xn_data *d)
{
    int rc = labels ? cli_idx_precheck(path, labels, n0) : EXIT_OK;
    if (labels)
        return rc == EXIT_OK ? cli_load_idx(path, labels, nL, d) : rc;
    if (path && cli_is_idx(path)) {
        cli_error("%s: IDX images: give their labels with %s FILE", path, labels_flag);
        return EXIT_USAGE;
    }
    if (!path)
        return cli_load_data(path, nL, d);
    /* one reading: every CSV column an input (FANN files keep their split),
     * then the columns are told apart by the network's shape */
    rc = cli_load_data(path, 0, d);
    if (rc != EXIT_OK)
        return rc;
    bool csv = d->out == 0, ids = nL > 1 && (csv ? d->in == n0 + 1 : d->out == 1 && d->in == n0);
    if (csv && (ids || d->in == n0 + nL)) {
        if (!split_targets(d, ids ? 1 : nL)) {
            xn_data_free(d);
            cli_error("out of memory");
            return EXIT_FAIL;
        }
    } else if (csv || (!ids && d->out != nL)) { /* a shape the network does not take: */
        return EXIT_OK; /* as read, for the caller to say what it has */
    }
    if (!ids)
        return EXIT_OK;
    xn_error err = {0};
    xn_status s = xn_data_classes_to_onehot(d, nL, &err);
    if (s == XN_OK)
        return EXIT_OK;
    /* read again to name the line of the bad id, not just its row */
    xn_data_free(d);
    if (s == XN_EFORMAT) {
        if ((rc = cli_load_classes(path, nL, d)) != EXIT_OK)
            return rc;
        xn_data_free(d);
    }
    return load_failed(path, s, &err);
}

void cli_where(char *buf, size_t cap, const char *path, const xn_data *d)
{
    if (d->line && d->n)
        snprintf(buf, cap, "%s:%zu", path, d->line[0]);
    else
        snprintf(buf, cap, "%s", path);
}

int cli_shape_error(const char *what, const char *path, bool images, const xn_data *d, size_t n0,
                    size_t nL, bool targets)
{
    char f[4200];
    cli_where(f, sizeof f, path, d);
    if (images || cli_is_idx(path))
        cli_error("%s: images of %zu value%s; the model takes %zu input%s", f, d->in, cli_plural(d->in),
                  n0, cli_plural(n0));
    else if (d->out) /* FANN: the file says which are targets */
        if (targets)
            cli_error("%s: pairs of %zu input%s and %zu output%s; the model maps %zu input%s to "
                      "%zu output%s", f, d->in, cli_plural(d->in), d->out, cli_plural(d->out),
                      n0, cli_plural(n0), nL, cli_plural(nL));
        else
            cli_error("%s: pairs of %zu input%s; the model takes %zu", f, d->in, cli_plural(d->in), n0);
    else if (targets && nL == 1)
        cli_error("%s: %zu column%s; %s needs %zu: the model's %zu input%s and 1 target", f, d->in,
                  cli_plural(d->in), what, n0 + 1, n0, cli_plural(n0));
    else if (targets)
        cli_error("%s: %zu column%s; %s needs %zu (the model's %zu input%s and %zu targets) or %zu "
                  "(the inputs and a class id)", f, d->in, cli_plural(d->in), what, n0 + nL, n0,
                  cli_plural(n0), nL, n0 + 1);
    else if (nL == 1)
        cli_error("%s: %zu column%s; %s needs %zu (the model's input%s) or %zu (input%s and 1 target)",
                  f, d->in, cli_plural(d->in), what, n0, cli_plural(n0), n0 + 1, cli_plural(n0));
    else
        cli_error("%s: %zu column%s; %s needs %zu (the model's input%s), %zu (input%s and %zu "
                  "targets) or %zu (input%s and a class id)", f, d->in, cli_plural(d->in), what, n0,
                  cli_plural(n0), n0 + nL, cli_plural(n0), nL, n0 + 1, cli_plural(n0));
    return EXIT_USAGE;
}


int cli_read_set(const char *path, const char *labels, const char *labels_flag, const xn_read_opts *ro,
                 const opts *o, xn_data *d, xn_description *desc)
{
    xn_error err = {0};
    memset(desc, 0, sizeof *desc);
    if (labels || cli_is_idx(path)) {
        if (!labels) {
            cli_error("%s: IDX images: give their labels with %s FILE", path, labels_flag);
            return EXIT_USAGE;
        }
        /* the labels' count against the images', before either is inflated */
        int rc = cli_idx_precheck(path, labels, 0);
        if (rc == EXIT_OK)
            rc = cli_load_idx(path, labels, ro->classes ? ro->classes : ro->n_labels, d);
        if (rc != EXIT_OK)
            return rc;
        xn_status s = xn_data_describe(d, desc, ro, &err);
        if (s == XN_OK)
            return EXIT_OK;
        xn_data_free(d);
        return load_failed(labels, s, &err);
    }
    xn_status s = xn_data_read(d, desc, in_path(path), ro, &err);
    if (s == XN_OK)
        return EXIT_OK;
    if (err.setting[0]) /* --target, --task: the flag that asked */
        return opts_blame(o, &err);
    return load_failed(path, s, &err);
}

xn_read_opts cli_read_opts_for(const xn_net *net, const xn_read_opts *base)
{
    xn_read_opts r = *base;
    size_t L = xn_net_layers(net), K = xn_net_size(net, L);
    const char *const *labels;
    bool softmax = xn_net_act(net, L) == XN_ACT_SOFTMAX;
    r.n_labels = xn_net_labels(net, &labels);
    r.labels = labels;
    r.onehot_binary = softmax;
    /* a model without labels (older, or trained on XOR) takes class ids
     * 0..K-1 for a softmax, and its targets' numbers as they are else */
    r.task = r.n_labels || softmax ? XN_TASK_CLASSIFY : XN_TASK_REGRESS;
    r.classes = !r.n_labels && softmax ? K : 0;
    if (!r.outputs && !r.target && K > 1 && !softmax)
        r.outputs = K; /* several sigmoid or identity outputs: as many columns */
    return r;
}
