/* SsdAnchorsCalculator (spec §1.2): consecutive layers with equal stride
 * share one feature map; each contributes its aspect ratios plus the
 * interpolated one. Loop order y, x, anchor; centre (x + 0.5) / fm_w. */
#include "face/anchors.h"

#include <math.h>

void ft_anchor_options_short_range(ft_anchor_options *o)
{
    *o = (ft_anchor_options){.input_width = 128, .input_height = 128, .num_layers = 4,
                             .strides = {8, 16, 16, 16}, .offset_x = 0.5f, .offset_y = 0.5f,
                             .aspect_ratio_count = 1, .interpolated_aspect_ratio = 1.0f};
}

void ft_anchor_options_full_range(ft_anchor_options *o)
{
    *o = (ft_anchor_options){.input_width = 192, .input_height = 192, .num_layers = 1,
                             .strides = {4}, .offset_x = 0.5f, .offset_y = 0.5f,
                             .aspect_ratio_count = 1, .interpolated_aspect_ratio = 0.0f};
}

/* The merged layers: stride and anchors per cell of each; returns how many. */
static int layers(const ft_anchor_options *o, int strides[], int per_cell[])
{
    int n = 0;
    for (int layer = 0; layer < o->num_layers;) {
        int last = layer, anchors = 0;
        while (last < o->num_layers && o->strides[last] == o->strides[layer]) {
            anchors += o->aspect_ratio_count + (o->interpolated_aspect_ratio > 0.0f);
            last++;
        }
        strides[n] = o->strides[layer];
        per_cell[n++] = anchors;
        layer = last;
    }
    return n;
}

int ft_anchor_count(const ft_anchor_options *o)
{
    int strides[FT_ANCHORS_MAX_LAYERS], per_cell[FT_ANCHORS_MAX_LAYERS], total = 0;
    int n = layers(o, strides, per_cell);
    for (int i = 0; i < n; i++) {
        int fh = (int)ceilf((float)o->input_height / (float)strides[i]);
        int fw = (int)ceilf((float)o->input_width / (float)strides[i]);
        total += fh * fw * per_cell[i];
    }
    return total;
}

ft_status ft_anchors_generate(const ft_anchor_options *o, ft_anchor *out, int capacity)
{
    if (o->num_layers < 1 || o->num_layers > FT_ANCHORS_MAX_LAYERS)
        return FT_ERR_INVALID_ARG;
    for (int i = 0; i < o->num_layers; i++)
        if (o->strides[i] <= 0)
            return FT_ERR_INVALID_ARG;
    if (capacity < ft_anchor_count(o))
        return FT_ERR_INVALID_ARG;
    int strides[FT_ANCHORS_MAX_LAYERS], per_cell[FT_ANCHORS_MAX_LAYERS], k = 0;
    int n = layers(o, strides, per_cell);
    for (int i = 0; i < n; i++) {
        int fh = (int)ceilf((float)o->input_height / (float)strides[i]);
        int fw = (int)ceilf((float)o->input_width / (float)strides[i]);
        for (int y = 0; y < fh; y++)
            for (int x = 0; x < fw; x++)
                for (int a = 0; a < per_cell[i]; a++) {
                    out[k].x_center = ((float)x + o->offset_x) * 1.0f / (float)fw;
                    out[k].y_center = ((float)y + o->offset_y) * 1.0f / (float)fh;
                    k++;
                }
    }
    return FT_OK;
}
