/* YuNet detection as the original ran it (see yunet_detector.h). */
#include "face/yunet_detector.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "face/detector_input.h"

#define YUNET_SCORE 0.7f
#define YUNET_NMS 0.3f
#define YUNET_TOP_K 5000

/* The twelve outputs by name, each [1, cells, 1|4|10]. */
static ft_status check_model(void *context, const ft_nn_graph *g, char *reason, size_t n)
{
    ft_yunet_detector *y = context;
    const char *names[FT_NN_MAX_IO];
    for (int i = 0; i < g->output_count && i < FT_NN_MAX_IO; i++)
        names[i] = g->tensors[g->outputs[i]].name;
    if (ft_yunet_map_outputs(names, g->output_count, y->outputs, reason, n) != 0)
        return FT_ERR_FORMAT;
    const ft_nn_tensor *in = &g->tensors[g->inputs[0]];
    static const int widths[4] = {1, 1, 4, 10};
    for (int s = 0; s < FT_YUNET_STRIDES; s++) {
        const int stride = 8 << s;
        const int64_t cells = (in->shape[2] / stride) * (in->shape[3] / stride);
        for (int k = 0; k < 4; k++) {
            const ft_nn_tensor *t = &g->tensors[g->outputs[y->outputs[4 * s + k]]];
            const int64_t last = t->shape[t->rank - 1];
            int64_t total = 1;
            for (int d = 0; d < t->rank; d++)
                total *= t->shape[d];
            if (t->dtype != FT_DTYPE_F32 || last != widths[k] || total != cells * widths[k]) {
                snprintf(reason, n, "output '%s' is not %lld x %d float32 (not a YuNet model)",
                         t->name, (long long)cells, widths[k]);
                return FT_ERR_FORMAT;
            }
        }
    }
    return FT_OK;
}

static ft_status grow(ft_yunet_detector *y, int cells)
{
    if (cells <= y->capacity)
        return FT_OK;
    free(y->decoded);
    free(y->kept);
    free(y->scratch);
    y->decoded = malloc((size_t)cells * sizeof *y->decoded);
    y->kept = malloc((size_t)cells * sizeof *y->kept);
    y->scratch = malloc((size_t)cells * sizeof *y->scratch);
    y->capacity = y->decoded && y->kept && y->scratch ? cells : 0;
    return y->capacity ? FT_OK : FT_ERR_NOMEM;
}

static ft_status fail(ft_yunet_detector *y, ft_status st, const char *what)
{
    snprintf(y->error, sizeof y->error, "%s", what);
    return st;
}

int ft_yunet_default_model(char *path, size_t path_size, const char *named_by, char *why,
                           size_t why_size)
{
    if (ft_face_default_model("yunet", path, path_size) == FT_OK)
        return 1;
    if (why && why_size)
        snprintf(why, why_size,
                 "model " FT_YUNET_MODEL " not found on the model search path (`facetrack models "
                 "pull` fetches it; or add its folder to FACETRACK_MODEL_PATH, or name the file: "
                 "%s)",
                 named_by);
    return 0;
}

ft_status ft_yunet_detector_open(ft_yunet_detector *y, const char *model,
                                 const ft_model_place *place, char *err, size_t err_size)
{
    memset(y, 0, sizeof *y);
    /* Opened once now at the model's usual size to check it; frames
     * reshape it to their own. */
    return ft_shaped_session_open(&y->net, model, check_model, y, place, 640, 640, err, err_size);
}

void ft_yunet_detector_close(ft_yunet_detector *y)
{
    ft_shaped_session_close(&y->net);
    free(y->resized);
    free(y->decoded);
    free(y->kept);
    free(y->scratch);
    memset(y, 0, sizeof *y);
}

ft_status ft_yunet_detector_run(ft_yunet_detector *y, const ft_face_image *img, int max_width,
                                ft_roi_detection *out, int capacity, int *found)
{
    *found = 0;
    /* The original: cv2.resize to (max_width, int(h * max_width / w)). */
    if (max_width <= 0)
        max_width = FT_YUNET_MAX_WIDTH;
    ft_face_image work = *img;
    if (img->width > max_width) {
        const double scale = (double)max_width / img->width;
        work.width = max_width;
        work.height = (int)(img->height * scale);
        if (work.height < 1)
            work.height = 1;
        const size_t need = (size_t)work.width * (size_t)work.height * 3;
        if (need > y->resized_size) {
            free(y->resized);
            y->resized = malloc(need);
            y->resized_size = y->resized ? need : 0;
            if (!y->resized)
                return fail(y, FT_ERR_NOMEM, "out of memory");
        }
        ft_resize_bilinear(img, work.width, work.height, y->resized);
        work.data = y->resized;
        work.stride = work.width * 3;
        work.channels = 3;
    }
    const int pad_w = ft_yunet_padded(work.width), pad_h = ft_yunet_padded(work.height);
    ft_status st = ft_shaped_session_reshape(&y->net, pad_w, pad_h, y->error, sizeof y->error);
    if (st != FT_OK)
        return st;
    if (grow(y, ft_yunet_cell_count(pad_w, pad_h)) != FT_OK)
        return fail(y, FT_ERR_NOMEM, "out of memory");
    /* blobFromImage of the BGR frame: levels as they are */
    const ft_blob_format blob = {.bgr = 1, .mean = 0.0f, .scale = 1.0f};
    st = ft_blob_from_image(&work, &blob, pad_w, pad_h, ft_nn_session_input(y->net.session, 0));
    if (st == FT_OK && (st = ft_nn_session_run(y->net.session)) != FT_OK)
        snprintf(y->error, sizeof y->error, "%s: %s", y->net.model,
                 ft_nn_session_error(y->net.session));
    if (st != FT_OK)
        return st;
    ft_yunet_outputs o;
    for (int s = 0; s < FT_YUNET_STRIDES; s++) {
        o.cls[s] = ft_nn_session_output(y->net.session, y->outputs[4 * s + 0]);
        o.obj[s] = ft_nn_session_output(y->net.session, y->outputs[4 * s + 1]);
        o.bbox[s] = ft_nn_session_output(y->net.session, y->outputs[4 * s + 2]);
        o.kps[s] = ft_nn_session_output(y->net.session, y->outputs[4 * s + 3]);
    }
    const int n = ft_yunet_decode(&o, pad_w, pad_h, YUNET_SCORE, y->decoded, y->capacity);
    const int k = ft_yunet_nms(y->decoded, n, YUNET_SCORE, YUNET_NMS, YUNET_TOP_K, y->scratch,
                               y->kept);
    /* The original: rescale = orig_w / detect_w on x, y, w and h alike,
     * each int(max(0, v * rescale)). */
    const float rescale = (float)img->width / (float)work.width;
    const float iw = (float)img->width, ih = (float)img->height;
    const int m = k < capacity ? k : capacity;
    for (int i = 0; i < m; i++) {
        const ft_kps_face *f = &y->kept[i];
        const float v[4] = {f->x0, f->y0, f->width, f->height};
        int b[4];
        for (int j = 0; j < 4; j++) {
            const float s = v[j] * rescale;
            b[j] = (int)(s > 0.0f ? s : 0.0f);
        }
        ft_roi_detection *d = &out[i];
        *d = (ft_roi_detection){.score = f->score, .point_count = FT_KPS_POINTS};
        d->box = (ft_box){(float)b[0] / iw, (float)b[1] / ih, (float)(b[0] + b[2]) / iw,
                          (float)(b[1] + b[3]) / ih};
        for (int p = 0; p < FT_KPS_POINTS; p++) {
            d->points[p][0] = f->points[p][0] * rescale / iw;
            d->points[p][1] = f->points[p][1] * rescale / ih;
        }
    }
    *found = m;
    return FT_OK;
}
