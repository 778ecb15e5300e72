/* The picture of a network over two inputs (plot.h, plot_surface): the
 * surface in 3-D beside its heat map from above.  The 3-D view is the one
 * of four, a corner of the box each nearest the viewer, that hides the
 * fewest of the points behind the surface; the points it still hides are
 * left to the heat map, which shows every one. */
#include "plot.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gnuplot.h"

/* The coarse grid the surface is drawn from, kept for the view's choice:
 * z (G, G), z[i * G + j] at x1 step i, x2 step j. */
enum { G_MESH = 41, G_PIXELS = 121 };

/* Writes the network's outputs on a g x g grid over the box [lo, hi] (one
 * block per x1 value) to f, into z (g, g) if not NULL, and widens [*zlo,
 * *zhi] to them.  The status of the forward pass, XN_ENUMERIC for an
 * output gnuplot cannot draw. */
static xn_status write_grid(FILE *f, xn_net *net, size_t g, const double *lo, const double *hi, double *z,
                            double *zlo, double *zhi)
{
    double in[G_PIXELS * 2], out[G_PIXELS];
    for (size_t i = 0; i < g; i++) {
        double u = plot_lerp(lo[0], hi[0], (double)i / (double)(g - 1));
        for (size_t j = 0; j < g; j++) {
            in[2 * j] = u;
            in[2 * j + 1] = plot_lerp(lo[1], hi[1], (double)j / (double)(g - 1));
        }
        xn_status s = xn_net_predict(net, g, in, out);
        if (s != XN_OK)
            return s;
        for (size_t j = 0; j < g; j++) {
            if (!plot_drawable(out[j]))
                return XN_ENUMERIC;
            fprintf(f, "%.17g %.17g %.17g\n", in[2 * j], in[2 * j + 1], out[j]);
            if (z)
                z[i * g + j] = out[j];
            *zlo = fmin(*zlo, out[j]);
            *zhi = fmax(*zhi, out[j]);
        }
        fputc('\n', f);
    }
    return XN_OK;
}

/* ---- the view ------------------------------------------------------------ */

/* gnuplot's `set view 60, rot_z` for the four candidates, and the
 * elevation: 60 degrees from looking straight down. */
static const int views[4] = {120, 30, 210, 300};
#define VIEW_ELEVATION 60.0
#define DEGREE (3.14159265358979323846 / 180.0)

/* The surface's height at (u, v) of the unit square, bilinear in z (G,
 * G). */
static double height_at(const double *z, double u, double v)
{
    double fu = u * (G_MESH - 1), fv = v * (G_MESH - 1);
    size_t i = fu >= G_MESH - 1 ? G_MESH - 2 : (size_t)fu, j = fv >= G_MESH - 1 ? G_MESH - 2 : (size_t)fv;
    double a = fu - (double)i, b = fv - (double)j;
    return (1 - a) * ((1 - b) * z[i * G_MESH + j] + b * z[i * G_MESH + j + 1]) +
           a * ((1 - b) * z[(i + 1) * G_MESH + j] + b * z[(i + 1) * G_MESH + j + 1]);
}

/* Whether the point (u, v, w) of the unit box (w the height scaled as z
 * is) is behind the surface seen along d, the direction towards the
 * viewer: some point of the ray from it, clear of its own neighbourhood
 * and inside the box, lies under the surface. */
static bool hidden(const double *z, double zlo, double zhi, double u, double v, double w, const double *d)
{
    for (double t = 0.04; t < 2.0; t += 0.02) {
        double pu = u + t * d[0], pv = v + t * d[1], pw = w + t * d[2];
        if (pu < 0 || pu > 1 || pv < 0 || pv > 1 || pw > 1)
            return false;
        if ((height_at(z, pu, pv) - zlo) / (zhi - zlo) > pw + 0.03)
            return true;
    }
    return false;
}

/* The candidate view that hides the fewest points (the first on a tie),
 * and for it which targets and outputs are seen: seen (n, 2).  The points
 * are x (n, 2) in the box [lo, hi], targets y, outputs a; z the grid. */
static int choose_view(const double *z, size_t n, const double *x, const double *y, const double *a,
                       const double *lo, const double *hi, double zlo, double zhi, bool *seen)
{
    size_t best = 0, fewest = SIZE_MAX;
    for (size_t k = 0; k < 4; k++) {
        /* gnuplot turns the box by rot_z about z, then tilts it: the
         * viewer is at (sin e sin r, -sin e cos r, cos e) in the unit box */
        double r = views[k] * DEGREE, e = VIEW_ELEVATION * DEGREE;
        double d[3] = {sin(e) * sin(r), -sin(e) * cos(r), cos(e)};
        size_t count = 0;
        for (size_t i = 0; i < n && count < fewest; i++) {
            double u = (x[2 * i] - lo[0]) / (hi[0] - lo[0]), v = (x[2 * i + 1] - lo[1]) / (hi[1] - lo[1]);
            count += hidden(z, zlo, zhi, u, v, (y[i] - zlo) / (zhi - zlo), d);
            count += hidden(z, zlo, zhi, u, v, (a[i] - zlo) / (zhi - zlo), d);
        }
        if (count < fewest) {
            fewest = count;
            best = k;
        }
    }
    double r = views[best] * DEGREE, e = VIEW_ELEVATION * DEGREE;
    double d[3] = {sin(e) * sin(r), -sin(e) * cos(r), cos(e)};
    for (size_t i = 0; i < n; i++) {
        double u = (x[2 * i] - lo[0]) / (hi[0] - lo[0]), v = (x[2 * i + 1] - lo[1]) / (hi[1] - lo[1]);
        seen[2 * i] = !hidden(z, zlo, zhi, u, v, (y[i] - zlo) / (zhi - zlo), d);
        seen[2 * i + 1] = !hidden(z, zlo, zhi, u, v, (a[i] - zlo) / (zhi - zlo), d);
    }
    return views[best];
}

/* ---- the picture ------------------------------------------------------------ */

/* The script after its data: a.dat the mesh, b.dat the points (x1 x2
 * target output, then 1 or 0: the target and the output seen in 3-D),
 * c.dat the heat map's pixels. */
static void surface_script(FILE *gp, const char *title, size_t n, const double *x, const double *a,
                           const double *lo, const double *hi, double zlo, double zhi, int view, int width,
                           int height)
{
    const char *ps = n <= PLOT_LABELS_MAX ? "2" : "1";
    gp_header(gp, "", width, height);
    fputs("set multiplot title ", gp);
    gp_quoted(gp, title);
    fputs(" noenhanced\n", gp);
    /* viridis, as the notebooks' plot_surface(cmap='viridis') */
    fprintf(gp, "set palette defined (0 '#440154', 1 '#3b528b', 2 '#21918c', 3 '#5ec962', 4 '#fde725')\n"
                "set xrange [%.17g:%.17g]\nset yrange [%.17g:%.17g]\nset zrange [%.17g:%.17g]\n"
                "set cbrange [%.17g:%.17g]\nset xlabel 'x1'\nset ylabel 'x2'\n",
            lo[0], hi[0], lo[1], hi[1], zlo, zhi, zlo, zhi);
    /* left: the surface */
    fprintf(gp, "set origin 0, 0.03\nset size 0.5, 0.9\nset zlabel 'output' rotate parallel\n"
                "set xyplane relative 0\nset view %.17g, %d\nset grid\nunset colorbox\nunset key\n"
                "set pm3d depthorder border linewidth 0.5 linecolor rgb '#303030'\n"
                "splot 'a.dat' using 1:2:3 with pm3d notitle\n",
            VIEW_ELEVATION, view);
    /* the points in sight over it, on the same axes drawn again: the
     * surface's depth sort would cut into points that lie on it */
    fprintf(gp, "unset grid\nunset border\nunset tics\nunset xlabel\nunset ylabel\nunset zlabel\n"
                "set key at screen 0.02, 0.96 left top\n"
                "splot 'b.dat' using 1:2:($5 > 0 ? $3 : NaN) with points pointtype 7 pointsize %s linecolor rgb "
                "'#d62728' title 'target', \\\n      'b.dat' using 1:2:($6 > 0 ? $4 : NaN) with points pointtype 6 "
                "pointsize %s linewidth 2 linecolor rgb 'black' title 'network output'\n",
            ps, ps);
    /* right: from above, the rows coloured by their targets */
    fputs("set border\nset tics out\nset xlabel 'x1'\nset ylabel 'x2'\nunset key\nset view map\n"
          "set origin 0.5, 0.03\nset size 0.4, 0.9\nset size ratio -1\n"
          "set title 'from above; the rows coloured by their target'\n"
          "set colorbox vertical user origin 0.92, 0.2 size 0.015, 0.6\nset cblabel 'output'\n"
          "set style textbox opaque noborder\n",
          gp);
    /* each value inside the frame: below a point in the upper half, above
     * one in the lower half, clear of the tick labels */
    for (size_t i = 0; n <= PLOT_LABELS_MAX && i < n; i++)
        fprintf(gp, "set label %zu '%.3f' at %.17g, %.17g offset 0, %s center front boxed\n", i + 1, a[i],
                x[2 * i], x[2 * i + 1], x[2 * i + 1] > 0.5 * (lo[1] + hi[1]) ? "-1.8" : "1.8");
    fprintf(gp, "plot 'c.dat' using 1:2:3 with image, \\\n"
                "     'b.dat' using 1:2:3 with points pointtype 7 pointsize %s linecolor palette, \\\n"
                "     'b.dat' using 1:2 with points pointtype 6 pointsize %s linewidth %s linecolor rgb 'black'\n"
                "unset multiplot\n",
            ps, ps, n <= PLOT_LABELS_MAX ? "1.5" : "0.5");
}

plot_status plot_surface(const char *png, const char *title, xn_net *net, size_t n,
                         const double *x, const double *y, int width, int height,
                         plot_error *err)
{
    if (!plot_rows_ok(png, net, n, x, y, width, height, err))
        return PLOT_EFAIL;
    if (xn_net_size(net, 0) != 2 || xn_net_size(net, xn_net_layers(net)) != 1) {
        plot_set_err(err, "a surface needs a network with 2 inputs and 1 output");
        return PLOT_EFAIL;
    }
    double lo[2] = {x[0], x[1]}, hi[2] = {x[0], x[1]};
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < 2; k++) {
            double v = x[2 * i + k];
            if (!plot_drawable(v) || !plot_drawable(y[i])) {
                plot_set_err(err, "%s %zu is %s; gnuplot draws values up to %g in magnitude",
                        plot_drawable(v) ? "target" : "input", i + 1,
                        isfinite(v) && isfinite(y[i]) ? "too large" : "not finite", PLOT_MAX_ABS);
                return PLOT_EFAIL;
            }
            lo[k] = fmin(lo[k], v);
            hi[k] = fmax(hi[k], v);
        }
    for (size_t k = 0; k < 2; k++) { /* a tenth more each way: the points stay off the frame */
        plot_widen(&lo[k], &hi[k]);
        double d = 0.1 * (hi[k] - lo[k]);
        lo[k] -= d;
        hi[k] += d;
    }
    /* the points' outputs first: the grid's passes reuse the workspace */
    double *a = plot_net_outputs(net, n, x, err), *z = malloc(G_MESH * G_MESH * sizeof *z);
    bool *seen = malloc(2 * n * sizeof *seen);
    gp_run t = {.dir = ""};
    FILE *dat = NULL, *gp = NULL;
    plot_status s = PLOT_EFAIL;
    if (a && (!z || !seen))
        plot_set_err(err, "out of memory");
    if (!a || !z || !seen || (s = gp_start(&t, err)) != PLOT_OK)
        goto out;
    s = PLOT_EFAIL;
    /* the colours and heights span at least [0, 1] and the targets: a nearly
     * flat surface stays one colour instead of showing its rounding noise */
    double zlo = 0.0, zhi = 1.0;
    for (size_t i = 0; i < n; i++) {
        zlo = fmin(zlo, fmin(y[i], a[i]));
        zhi = fmax(zhi, fmax(y[i], a[i]));
    }
    static const char *const files[2] = {"a.dat", "c.dat"};
    for (size_t k = 0; k < 2; k++) {
        if (!(dat = gp_data(&t, files[k], err)))
            goto out;
        xn_status xs = write_grid(dat, net, k ? G_PIXELS : G_MESH, lo, hi, k ? NULL : z, &zlo, &zhi);
        plot_status cs = gp_close(dat, "data", err);
        if (xs == XN_ENUMERIC) {
            plot_set_err(err, "the network's output on the plotted square is not finite or beyond %g, "
                    "which gnuplot cannot draw", PLOT_MAX_ABS);
            goto out;
        }
        if (xs != XN_OK) {
            plot_set_err(err, "cannot evaluate the network: %s", xn_strerror(xs));
            goto out;
        }
        if (cs != PLOT_OK)
            goto out;
    }
    int view = choose_view(z, n, x, y, a, lo, hi, zlo, zhi, seen);
    if (!(dat = gp_data(&t, "b.dat", err)))
        goto out;
    for (size_t i = 0; i < n; i++)
        fprintf(dat, "%.17g %.17g %.17g %.17g %d %d\n", x[2 * i], x[2 * i + 1], y[i], a[i], seen[2 * i],
                seen[2 * i + 1]);
    if (gp_close(dat, "data", err) != PLOT_OK || !(gp = gp_script(&t, err)))
        goto out;
    surface_script(gp, title, n, x, a, lo, hi, zlo, zhi, view, width ? width : PLOT_WIDE, height);
    s = gp_finish(&t, gp, png, err);
out:
    gp_end(&t);
    free(a);
    free(z);
    free(seen);
    return s;
}
