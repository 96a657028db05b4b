/* Writes what our runtime computes for one frame through a YuNet or SCRFD
 * detector, for comparison with another runtime: the frame letterboxed into
 * the model's 640x640 input as the engine prepares it (input.bin) and every
 * output (NAME.bin), raw float32.
 * usage: dump_detector_outputs MODEL FRAME.rgb WIDTH HEIGHT yunet|scrfd DIR */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "face/detector_input.h"
#include "face/scrfd_decode.h"
#include "nn/backend.h"
#include "nn/graph_cache.h"
#include "nn/session.h"

#define SIDE 640

static int write_floats(const char *dir, const char *name, const float *data, size_t count)
{
    char path[2048];
    snprintf(path, sizeof path, "%s/%s.bin", dir, name);
    FILE *f = fopen(path, "wb");
    const int ok = f && fwrite(data, sizeof *data, count, f) == count;
    if (f)
        fclose(f);
    if (!ok)
        fprintf(stderr, "%s: cannot write\n", path);
    return ok;
}

int main(int argc, char **argv)
{
    if (argc != 7) {
        fprintf(stderr, "usage: dump_detector_outputs MODEL FRAME.rgb WIDTH HEIGHT yunet|scrfd DIR\n");
        return 2;
    }
    const int w = atoi(argv[3]), h = atoi(argv[4]), yunet = strcmp(argv[5], "yunet") == 0;
    if (w < 1 || h < 1)
        return 2;
    const size_t bytes = (size_t)w * (size_t)h * 3;
    uint8_t *rgb = malloc(bytes), *boxed = malloc((size_t)SIDE * SIDE * 3);
    FILE *f = fopen(argv[2], "rb");
    if (!rgb || !boxed || !f || fread(rgb, 1, bytes, f) != bytes) {
        fprintf(stderr, "%s: cannot read %dx%d RGB\n", argv[2], w, h);
        return 1;
    }
    fclose(f);
    const ft_face_image frame = {rgb, w, h, w * 3, 3, NULL};
    int bw, bh;
    float scale;
    ft_scrfd_letterbox(w, h, SIDE, &bw, &bh, &scale);
    ft_resize_bilinear(&frame, bw, bh, boxed);
    const ft_face_image image = {boxed, bw, bh, bw * 3, 3, NULL};
    const ft_blob_format format = yunet ? (ft_blob_format){1, 0.0f, 1.0f}
                                        : (ft_blob_format){0, 127.5f, 1.0f / 128.0f};
    const ft_nn_graph *g = NULL;
    ft_nn_session *s = NULL;
    char err[512];
    const ft_nn_session_options opt = {0};
    if (ft_nn_graph_acquire(argv[1], NULL, &g, err, sizeof err) != FT_OK ||
        ft_nn_session_create(g, &ft_nn_backend_xnnpack, &opt, &s, err, sizeof err) != FT_OK) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    float *input = ft_nn_session_input(s, 0);
    if (ft_blob_from_image(&image, &format, SIDE, SIDE, input) != FT_OK ||
        !write_floats(argv[6], "input", input, (size_t)3 * SIDE * SIDE))
        return 1;
    if (ft_nn_session_run(s) != FT_OK) {
        fprintf(stderr, "%s\n", ft_nn_session_error(s));
        return 1;
    }
    for (int i = 0; i < g->output_count; i++) {
        const ft_nn_tensor *t = &g->tensors[g->outputs[i]];
        size_t count = 1;
        for (int d = 0; d < t->rank; d++)
            count *= (size_t)t->shape[d];
        if (!write_floats(argv[6], t->name, ft_nn_session_output(s, i), count))
            return 1;
    }
    ft_nn_session_free(s);
    ft_nn_graph_release(g);
    free(rgb);
    free(boxed);
    return 0;
}
