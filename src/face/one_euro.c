/* One-Euro filter exactly as util/filtering/one_euro_filter.cc (spec §6),
 * including its quirk of keeping the initial frequency while the previous
 * timestamp is 0. */
#include "face/one_euro.h"

#include <float.h>
#include <math.h>

void ft_one_euro_params_init(ft_one_euro_params *p)
{
    *p = (ft_one_euro_params){30.0f, 0.05f, 80.0f, 1.0f};
}

void ft_one_euro_reset(ft_one_euro *f, const ft_one_euro_params *p)
{
    *f = (ft_one_euro){.last_time_ns = -1, .frequency = p->frequency};
}

static float low_pass(ft_low_pass *lp, float value, float alpha)
{
    const float out = lp->initialized ? alpha * value + (1.0f - alpha) * lp->stored : value;
    lp->raw = value;
    lp->stored = out;
    lp->initialized = 1;
    return out;
}

static float alpha_of(float frequency, float cutoff)
{
    const float te = 1.0f / frequency;
    const float tau = 1.0f / (2.0f * (float)M_PI * cutoff);
    return 1.0f / (1.0f + tau / te);
}

float ft_one_euro_apply(ft_one_euro *f, const ft_one_euro_params *p, float value, int64_t t_ns,
                        float value_scale)
{
    if (f->last_time_ns >= t_ns)
        return value;
    if (f->last_time_ns != 0 && t_ns != 0)
        f->frequency = (float)(1.0 / ((double)(t_ns - f->last_time_ns) * 1e-9));
    f->last_time_ns = t_ns;
    /* The derivative of the raw values (use_filtered_derivative false). */
    const float dvalue =
        f->x.initialized ? (value - f->x.raw) * value_scale * f->frequency : 0.0f;
    const float edvalue = low_pass(&f->dx, dvalue, alpha_of(f->frequency, p->derivate_cutoff));
    const float cutoff = p->min_cutoff + p->beta * fabsf(edvalue);
    return low_pass(&f->x, value, alpha_of(f->frequency, cutoff));
}

void ft_one_euro_apply_points(ft_one_euro *filters, const ft_one_euro_params *p, float (*points)[3],
                              int n, int64_t t_ns)
{
    float x0 = FLT_MAX, y0 = FLT_MAX, x1 = -FLT_MAX, y1 = -FLT_MAX;
    for (int i = 0; i < n; i++) {
        x0 = fminf(x0, points[i][0]);
        x1 = fmaxf(x1, points[i][0]);
        y0 = fminf(y0, points[i][1]);
        y1 = fmaxf(y1, points[i][1]);
    }
    const float scale = ((x1 - x0) + (y1 - y0)) / 2.0f;
    if (n <= 0 || scale < 1e-6f) /* min_allowed_object_scale: pass through */
        return;
    const float value_scale = 1.0f / scale;
    for (int i = 0; i < n; i++)
        for (int a = 0; a < 3; a++)
            points[i][a] = ft_one_euro_apply(&filters[3 * i + a], p, points[i][a], t_ns, value_scale);
}
