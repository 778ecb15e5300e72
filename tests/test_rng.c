/* The random streams against values printed by CPython 3.11 (`random`) and
 * NumPy 1.24 (legacy `np.random`) on the same seeds; the scripts are in the
 * comments next to each block.  Bit-exact: compared with ==. */
#include <math.h>

#include "check.h"
#include "xornet/xornet.h"

static void python_stream(void)
{
    xn_rng r;
    /* random.seed(s); random.random(), random.random(), random.getrandbits(32) */
    static const struct {
        uint64_t seed;
        double u0, u1;
        uint32_t bits;
    } cases[] = {
        {1, 0.13436424411240122, 0.8474337369372327, 3280387012u},
        {0, 0.8444218515250481, 0.7579544029403025, 1806341205u},
        {1099511627781ull, 0.5043802970418443, 0.2686044399723282, 3976222944u}, /* 2**40 + 5: two key words */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        CHECK_STATUS(xn_rng_seed(&r, XN_RNG_PYTHON, cases[i].seed), XN_OK);
        CHECK(xn_rng_uniform(&r) == cases[i].u0);
        CHECK(xn_rng_uniform(&r) == cases[i].u1);
        CHECK(xn_rng_u32(&r) == cases[i].bits);
    }
    /* random.seed(1); [random.gauss(0, 1) for _ in range(3)] */
    CHECK_STATUS(xn_rng_seed(&r, XN_RNG_PYTHON, 1), XN_OK);
    CHECK(xn_rng_normal(&r) == 1.2881847531554629);
    CHECK(xn_rng_normal(&r) == 1.449445608699771);
    CHECK(xn_rng_normal(&r) == 0.06633580893826191);
    /* random.seed(1); 1000 draws; random.random(): crosses the 624-word refill */
    CHECK_STATUS(xn_rng_seed(&r, XN_RNG_PYTHON, 1), XN_OK);
    for (int i = 0; i < 1000; i++)
        xn_rng_uniform(&r);
    CHECK(xn_rng_uniform(&r) == 0.4116430517162146);
}

static void numpy_stream(void)
{
    xn_rng r;
    /* np.random.seed(1); np.random.random_sample(2) */
    CHECK_STATUS(xn_rng_seed(&r, XN_RNG_NUMPY, 1), XN_OK);
    CHECK(xn_rng_uniform(&r) == 0.417022004702574);
    CHECK(xn_rng_uniform(&r) == 0.7203244934421581);
    /* np.random.seed(1); np.random.randn(5): the polar method's pairs */
    static const double randn[5] = {1.6243453636632417, -0.6117564136500754, -0.5281717522634557,
                                    -1.0729686221561705, 0.8654076293246785};
    CHECK_STATUS(xn_rng_seed(&r, XN_RNG_NUMPY, 1), XN_OK);
    for (int i = 0; i < 5; i++)
        CHECK(xn_rng_normal(&r) == randn[i]);
    /* np.random.seed(4294967295); np.random.randn() */
    CHECK_STATUS(xn_rng_seed(&r, XN_RNG_NUMPY, 4294967295u), XN_OK);
    CHECK(xn_rng_normal(&r) == 0.6484086742306527);
    /* np.random.seed(1); random_sample(1000); random_sample() */
    CHECK_STATUS(xn_rng_seed(&r, XN_RNG_NUMPY, 1), XN_OK);
    for (int i = 0; i < 1000; i++)
        xn_rng_uniform(&r);
    CHECK(xn_rng_uniform(&r) == 0.3258099666132048);
    /* reseeding forgets a cached normal */
    CHECK_STATUS(xn_rng_seed(&r, XN_RNG_NUMPY, 1), XN_OK);
    xn_rng_normal(&r);
    CHECK_STATUS(xn_rng_seed(&r, XN_RNG_NUMPY, 1), XN_OK);
    CHECK(xn_rng_normal(&r) == randn[0]);
}

static void errors(void)
{
    xn_rng r;
    /* NumPy: "Seed must be between 0 and 2**32 - 1" */
    CHECK_STATUS(xn_rng_seed(&r, XN_RNG_NUMPY, 4294967296ull), XN_EINVAL);
    CHECK_STATUS(xn_rng_seed(NULL, XN_RNG_NUMPY, 1), XN_EINVAL);
    CHECK_STATUS(xn_rng_seed(&r, (xn_rng_kind)7, 1), XN_EINVAL);
    /* the draws and the row getters take NULL without a crash, as the
     * header says */
    CHECK(xn_rng_u32(NULL) == 0 && isnan(xn_rng_uniform(NULL)) && isnan(xn_rng_normal(NULL)));
    CHECK(xn_argmax(3, NULL) == 0 && xn_class_of(3, NULL) == 0 && xn_class_of(1, NULL) == 0);
    static const double row[3] = {0.1, 0.7, 0.2};
    CHECK(xn_argmax(0, row) == 0 && xn_argmax(3, row) == 1 && xn_class_of(3, row) == 1);
}

static void ranges(void)
{
    xn_rng r;
    double lo = 1, hi = 0, sum = 0;
    xn_rng_seed(&r, XN_RNG_NUMPY, 42);
    for (int i = 0; i < 100000; i++) {
        double u = xn_rng_uniform(&r);
        lo = u < lo ? u : lo;
        hi = u > hi ? u : hi;
        sum += xn_rng_normal(&r);
    }
    CHECK(lo >= 0.0 && lo < 1e-3);
    CHECK(hi < 1.0 && hi > 1 - 1e-3);
    CHECK(fabs(sum / 100000) < 0.02); /* 6 standard errors of the mean */
}

int main(void)
{
    python_stream();
    numpy_stream();
    errors();
    ranges();
    CHECK_DONE();
}
