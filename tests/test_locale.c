/* The library's numbers ignore the host's LC_NUMERIC.  A host program that
 * calls setlocale(LC_ALL, ...) with a locale whose decimal point is ','
 * (de_DE, fr_FR, ...) must not make xornet write "0,5" into a model file
 * that no other program could read, nor stop it reading "0.5":
 *   - a saved model holds no ',' and reads back bit for bit;
 *   - model, data and sample texts with '.' read as the same numbers.
 * The locale is de_DE.UTF-8 or fr_FR.UTF-8 where installed, else one
 * built here with localedef (Debian's libc-bin) from a definition of
 * LC_NUMERIC alone, into a temporary LOCPATH, so no locales package is
 * needed; if neither works the test is skipped (exit status 77). */
#define _XOPEN_SOURCE 700 /* mkdtemp, setenv, posix_spawnp, nftw */

#include <fcntl.h>
#include <ftw.h>
#include <locale.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "xornet/approx.h"
#include "xornet/xornet.h"

extern char **environ;

static char dir[] = "/tmp/xornet-test-locale-XXXXXX";

static void spit(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

/* A locale whose decimal point is ',' and thousands separator '.', with
 * an ASCII character map: the least localedef accepts. */
static const char comma_def[] = "comment_char %\nescape_char /\n"
                                "LC_CTYPE\nEND LC_CTYPE\n"
                                "LC_NUMERIC\ndecimal_point \"<U002C>\"\nthousands_sep \"<U002E>\"\n"
                                "grouping 3;3\nEND LC_NUMERIC\n";

static bool comma_point(void)
{
    char b[16];
    snprintf(b, sizeof b, "%.1f", 0.5);
    return strcmp(b, "0,5") == 0;
}

/* Sets a locale with a decimal comma: an installed one, else one built
 * with localedef.  False if none can be had. */
static bool set_comma_locale(void)
{
    static const char *const names[] = {"de_DE.UTF-8", "de_DE.utf8", "fr_FR.UTF-8", "fr_FR.utf8"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (setlocale(LC_ALL, names[i]) && comma_point()) {
            printf("locale %s (installed)\n", names[i]);
            return true;
        }
    char def[128], map[128], out[128];
    snprintf(def, sizeof def, "%s/comma.def", dir);
    snprintf(map, sizeof map, "%s/ascii.map", dir);
    snprintf(out, sizeof out, "%s/xn_comma", dir);
    spit(def, comma_def);
    FILE *f = fopen(map, "w");
    if (!f)
        return false;
    fputs("<code_set_name> XN-ASCII\n<comment_char> %\n<escape_char> /\n<mb_cur_min> 1\n"
          "<mb_cur_max> 1\nCHARMAP\n", f);
    for (int c = 0; c < 128; c++)
        fprintf(f, "<U%04X> /x%02x\n", c, c);
    fputs("END CHARMAP\n", f);
    fclose(f);
    char a0[] = "localedef", a1[] = "-c", a2[] = "--no-warnings=ascii", a3[] = "-i", a5[] = "-f";
    char *argv[] = {a0, a1, a2, a3, def, a5, map, out, NULL};
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    pid_t pid;
    int status = 1;
    bool ran = posix_spawnp(&pid, "localedef", &fa, NULL, argv, environ) == 0 &&
               waitpid(pid, &status, 0) == pid;
    posix_spawn_file_actions_destroy(&fa);
    /* localedef -c exits 1 for the categories left out, yet writes them */
    if (!ran || !WIFEXITED(status) || WEXITSTATUS(status) > 1)
        return false;
    setenv("LOCPATH", dir, 1);
    if (setlocale(LC_ALL, "xn_comma") && comma_point()) {
        printf("locale xn_comma (built with localedef in %s)\n", dir);
        return true;
    }
    return false;
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *b = malloc(1 << 16);
    *len = b ? fread(b, 1, (1 << 16) - 1, f) : 0;
    if (b)
        b[*len] = '\0';
    fclose(f);
    return b;
}

static void test_model(void)
{
    size_t sizes[3] = {2, 3, 1};
    xn_act acts[2] = {XN_ACT_TANH, XN_ACT_SIGMOID};
    xn_net_config cfg = {.n_layers = 2, .sizes = sizes, .acts = acts, .loss = XN_LOSS_MSE};
    xn_net *net = NULL;
    CHECK_STATUS(xn_net_create(&net, &cfg), XN_OK);
    if (!net)
        return;
    double *p = xn_net_params(net);
    static const double v[13] = {0.5, -1.25, 3.141592653589793, 1e-300, -2.5e300, 4.9406564584124654e-324,
                                 0.1, -0.0, 123456.789, 1.0 / 3.0, 2.0 / 3.0, -7.5, 0.25};
    memcpy(p, v, sizeof v);
    char path[128];
    snprintf(path, sizeof path, "%s/m.xn", dir);
    xn_error err;
    CHECK_STATUS(xn_net_save(net, path, &err), XN_OK);
    size_t len = 0;
    char *text = slurp(path, &len);
    CHECK(text && len > 100);
    CHECK(text && strchr(text, ',') == NULL);
    CHECK(text && strstr(text, "\n0.5 -1.25 3.1415926535897931\n") != NULL);
    xn_net *back = NULL;
    CHECK_STATUS(xn_net_load(&back, path, &err), XN_OK);
    CHECK(back && memcmp(xn_net_params(back), v, sizeof v) == 0);
    xn_net_destroy(back);
    free(text);
    unlink(path);
    xn_net_destroy(net);

    const char *t = "xornet 1\nsizes 1 1\nactivations identity\nloss mse\nW1 1 1\n0.5\nb1 1\n-.25e1\n";
    CHECK_STATUS(xn_net_parse(&back, t, strlen(t), &err), XN_OK);
    CHECK(back && xn_net_weights(back, 1)[0] == 0.5 && xn_net_bias(back, 1)[0] == -2.5);
    xn_net_destroy(back);
    /* the locale's own spelling is not xornet's: "0,5" is not a number */
    const char *c = "xornet 1\nsizes 1 1\nactivations identity\nloss mse\nW1 1 1\n0,5\nb1 1\n0\n";
    CHECK_STATUS(xn_net_parse(&back, c, strlen(c), &err), XN_EFORMAT);
    CHECK(err.line == 6);
}

static void test_data(void)
{
    xn_data d;
    xn_error err;
    const char *t = "x,y\n0.5,1.5\n-2.25,1e-3\n";
    CHECK_STATUS(xn_data_parse(&d, t, strlen(t), 1, &err), XN_OK);
    CHECK(d.n == 2 && d.x[0] == 0.5 && d.y[0] == 1.5 && d.x[1] == -2.25 && d.y[1] == 1e-3);
    xn_data_free(&d);
    const char *fann = "1 2 1\n0.5 .75\n1.\n";
    CHECK_STATUS(xn_data_parse(&d, fann, strlen(fann), 0, &err), XN_OK);
    CHECK(d.n == 1 && d.x[0] == 0.5 && d.x[1] == 0.75 && d.y[0] == 1.0);
    xn_data_free(&d);
    /* the sample reader shares the number parser */
    double *x = NULL, *f = NULL;
    size_t m = 0;
    const char *s = "0.5,1.5\n2.5,3.5\n";
    CHECK_STATUS(xn_samples_parse(s, strlen(s), &x, &f, &m, &err), XN_OK);
    CHECK(m == 2 && x[0] == 0.5 && f[1] == 3.5);
    free(x);
    free(f);
}

static int remove_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)st;
    (void)type;
    (void)ftw;
    return remove(path) == 0 ? 0 : -1;
}

int main(void)
{
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    if (!set_comma_locale()) {
        printf("SKIP: no locale with a decimal comma (none installed, localedef failed)\n");
        nftw(dir, remove_one, 8, FTW_DEPTH | FTW_PHYS);
        return 77;
    }
    test_model();
    test_data();
    setlocale(LC_ALL, "C");
    /* the definition, the map and localedef's folder of category files */
    if (nftw(dir, remove_one, 8, FTW_DEPTH | FTW_PHYS) != 0)
        fprintf(stderr, "could not remove all of %s\n", dir);
    CHECK_DONE();
}
