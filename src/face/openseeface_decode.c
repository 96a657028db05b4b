/* OpenSeeFace decoding (see openseeface_decode.h). */
#include "face/openseeface_decode.h"

#include <math.h>
#include <stddef.h>

const float ft_osf_mean[3] = {0.485f, 0.456f, 0.406f};
const float ft_osf_std[3] = {0.229f, 0.224f, 0.225f};

int ft_osf_decode_detections(const float *output, const float *maxpool, int grid,
                             float threshold, int max_faces, int frame_w, int frame_h,
                             ft_osf_box *out)
{
    const int cells = grid * grid;
    const float *score = output, *radius = output + cells;
    /* Selection instead of a sort: max_faces is a handful and the grid is
     * 3136 cells. Non-peaks count as 0, as OpenSeeFace zeroes them. */
    int n = 0, last = -1;
    float last_score = INFINITY;
    while (n < max_faces) {
        int best = -1;
        float best_score = -INFINITY;
        for (int i = cells - 1; i >= 0; i--) {
            const float s = score[i] == maxpool[i] ? score[i] : 0.0f;
            /* strictly after the previous pick in the order (score down,
             * then index down) */
            const int after = s < last_score || (s == last_score && i < last);
            if (after && s > best_score) {
                best_score = s;
                best = i;
            }
        }
        if (best < 0 || !(best_score >= threshold))
            break;
        last = best;
        last_score = best_score;
        const float r = radius[best] * 112.0f;
        const float cx = (float)(best % grid * FT_OSF_DETECT_STRIDE);
        const float cy = (float)(best / grid * FT_OSF_DETECT_STRIDE);
        const float sx = (float)frame_w / (float)FT_OSF_INPUT;
        const float sy = (float)frame_h / (float)FT_OSF_INPUT;
        out[n++] = (ft_osf_box){.x = (cx - r) * sx, .y = (cy - r) * sy, .w = 2.0f * r * sx,
                                .h = 2.0f * r * sy, .score = best_score};
    }
    return n;
}

/* OpenSeeFace's clamp_to_im: into [0, size - 1], cut to an integer; its y
 * comes back one more. */
static int clamp_coordinate(double v, int size)
{
    if (v < 0.0)
        v = 0.0;
    if (v >= (double)size)
        v = (double)(size - 1);
    return (int)v;
}

int ft_osf_crop_of_box(const ft_osf_box *b, int frame_w, int frame_h, ft_osf_crop *out)
{
    /* Python's int() of the margins truncates towards zero. */
    const double mx = (double)(int)(b->w * 0.1), my = (double)(int)(b->h * 0.125);
    const int x1 = clamp_coordinate(b->x - mx, frame_w);
    const int y1 = clamp_coordinate(b->y - my, frame_h) + 1;
    const int x2 = clamp_coordinate(b->x + b->w + mx, frame_w);
    const int y2 = clamp_coordinate(b->y + b->h + my, frame_h) + 1;
    if (x2 - x1 < 4 || y2 - y1 < 4)
        return -1;
    *out = (ft_osf_crop){x1, y1, x2, y2, (float)(x2 - x1) / (float)FT_OSF_INPUT,
                         (float)(y2 - y1) / (float)FT_OSF_INPUT};
    return 0;
}

static float logit(float q)
{
    const float lo = 0.0000001f, hi = 0.9999999f;
    q = q < lo ? lo : q > hi ? hi : q;
    return logf(q / (1.0f - q)) / FT_OSF_LOGIT_FACTOR;
}

float ft_osf_decode_landmarks(const float *tensor, int points, int grid, const ft_osf_crop *crop,
                              float (*out)[3])
{
    const int cells = grid * grid;
    const float res = (float)(FT_OSF_INPUT - 1), steps = (float)(grid - 1);
    double conf_sum = 0.0;
    for (int p = 0; p < points; p++) {
        const float *heat = tensor + (size_t)p * (size_t)cells;
        int m = 0;
        for (int i = 1; i < cells; i++)
            if (heat[i] > heat[m])
                m = i;
        const float conf = heat[m];
        const float off_y = res * logit(tensor[(size_t)(points + p) * (size_t)cells + (size_t)m]);
        const float off_x =
            res * logit(tensor[(size_t)(2 * points + p) * (size_t)cells + (size_t)m]);
        const float y = (float)crop->y1 + crop->scale_y * (res * (float)(m / grid) / steps + off_y);
        const float x = (float)crop->x1 + crop->scale_x * (res * (float)(m % grid) / steps + off_x);
        conf_sum += conf;
        if (isnan(x) || isnan(y) || isnan(conf)) {
            out[p][0] = out[p][1] = out[p][2] = 0.0f;
        } else {
            out[p][0] = x;
            out[p][1] = y;
            out[p][2] = conf;
        }
    }
    return points > 0 ? (float)(conf_sum / points) : 0.0f;
}

float ft_osf_jaw_open(const float *pts, int stride, float scale)
{
#define Y(i) ((double)pts[(size_t)(i) * (size_t)stride + 1])
    const double upper = (Y(59) + Y(60) + Y(61)) / 3.0;
    const double lower = (Y(63) + Y(64) + Y(65)) / 3.0;
    const double nose = ((Y(27) - Y(28)) + (Y(28) - Y(29)) + (Y(29) - Y(30))) / 3.0;
#undef Y
    if (!(fabs(nose) > 0.0))
        return 0.0f;
    const double v = fabs(upper - lower) / fabs(nose) * scale;
    return v > 1.0 ? 1.0f : v >= 0.0 ? (float)v : 0.0f;
}
