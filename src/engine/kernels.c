/* The matrix products of a dense layer (kernels_t.h), once per element
 * type, and the auto rule that picks a family for a product's size. */
#include <cblas.h>
#include <float.h>
#include <math.h>
#include <string.h>

#include "internal.h"

#include "type_f64.h"
#include "kernels_t.h"
#include "type_end.h"

#include "type_f32.h"
#include "kernels_t.h"
#include "type_end.h"
