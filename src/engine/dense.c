/* One dense layer's passes (dense_t.h), once per element type. */
#include <math.h>
#include <string.h>

#include "internal.h"

#include "type_f64.h"
#include "dense_t.h"
#include "type_end.h"

#include "type_f32.h"
#include "dense_t.h"
#include "type_end.h"
