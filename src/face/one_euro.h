/* MediaPipe's landmark smoothing (spec §6): a One-Euro filter per landmark
 * and axis, values scaled by the face's size so the same parameters suit
 * near and far faces. Timestamps are nanoseconds internally, as there. */
#ifndef FT_FACE_ONE_EURO_H
#define FT_FACE_ONE_EURO_H

#include <stdint.h>

typedef struct ft_one_euro_params {
    float frequency;       /* assumed until two timestamps exist: 30 */
    float min_cutoff;      /* 0.05 */
    float beta;            /* 80 */
    float derivate_cutoff; /* 1 */
} ft_one_euro_params;

void ft_one_euro_params_init(ft_one_euro_params *p);

/* Low-pass state of one scalar. */
typedef struct ft_low_pass {
    int initialized;
    float raw, stored;
} ft_low_pass;

typedef struct ft_one_euro {
    ft_low_pass x, dx;
    int64_t last_time_ns; /* -1 before the first sample */
    float frequency;
} ft_one_euro;

void ft_one_euro_reset(ft_one_euro *f, const ft_one_euro_params *p);

/* Filters VALUE taken at T_NS; VALUE_SCALE multiplies the derivative
 * (1 / object size). A timestamp not after the last one returns VALUE
 * unchanged, as MediaPipe does. */
float ft_one_euro_apply(ft_one_euro *f, const ft_one_euro_params *p, float value, int64_t t_ns,
                        float value_scale);

/* Filters N points (x, y, z in pixels) in place with 3 N filters, the
 * value scale from their bounding box: 1 / mean(width, height). */
void ft_one_euro_apply_points(ft_one_euro *filters, const ft_one_euro_params *p, float (*points)[3],
                              int n, int64_t t_ns);

#endif
