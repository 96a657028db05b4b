/* Time of one eos fit (Surrey Face Model to 68 points, eos's defaults: 5
 * iterations, contour and occluding-edge pairs) on the points the eos
 * engine finds in the first frames of a clip, against the same fit on the
 * fixed points only, and the engine's own time per frame by stage.
 * Usage: eos_fit CLIP [FRAMES] [REPEATS]; the models come from the search
 * path (FACETRACK_MODEL_PATH). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "face/eos_fit.h"
#include "face/mesh_to_ibug68.h"
#include "facetrack.h"
#include "models/model_path.h"

#define MAX_FRAMES 200

static int by_value(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static int find(const char *file, char *path, size_t size)
{
    ft_model_dir dirs[16];
    const int n = ft_model_search_dirs(dirs, 16);
    for (int i = 0; i < n; i++)
        for (int k = 0; k < 2; k++) {
            const int len = snprintf(path, size, "%s/%s%s", dirs[i].path, k ? "eos/" : "", file);
            if (len < 0 || (size_t)len >= size)
                continue;
            FILE *fp = fopen(path, "rb");
            if (fp) {
                fclose(fp);
                return 1;
            }
        }
    fprintf(stderr, "eos_fit: %s not found on the model search path\n", file);
    return 0;
}

static void report(const char *what, double *ms, int n)
{
    qsort(ms, (size_t)n, sizeof *ms, by_value);
    printf("%-34s median %.3f ms  p10 %.3f  p90 %.3f  (%d fits)\n", what, ms[n / 2], ms[n / 10],
           ms[n * 9 / 10], n);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: eos_fit CLIP [FRAMES] [REPEATS]\n");
        return 2;
    }
    const int max_frames = argc > 2 ? atoi(argv[2]) : 50;
    const int repeats = argc > 3 ? atoi(argv[3]) : 5;
    if (max_frames < 1 || max_frames > MAX_FRAMES || repeats < 1) {
        fprintf(stderr, "eos_fit: FRAMES 1..%d, REPEATS >= 1\n", MAX_FRAMES);
        return 2;
    }
    char err[1024];
    ft_face_options o;
    ft_face_options_init(&o);
    o.engine = "eos";
    o.num_faces = 1;
    ft_face_engine *e = NULL;
    if (ft_face_engine_create(&o, &e, err, sizeof err) != FT_OK) {
        fprintf(stderr, "eos_fit: %s\n", err);
        return 1;
    }
    ft_video_options vo;
    ft_video_options_init(&vo);
    ft_video *v = NULL;
    if (ft_video_open(argv[1], &vo, &v, err, sizeof err) != FT_OK) {
        fprintf(stderr, "eos_fit: %s\n", err);
        return 1;
    }
    static float points[MAX_FRAMES][FT_IBUG68_POINTS][2];
    int n = 0, w = 0, h = 0;
    ft_frame fr;
    while (n < max_frames && ft_video_read(v, &fr) == FT_OK) {
        const ft_image im = {fr.data[0], fr.width, fr.height, fr.linesize[0], fr.format};
        const ft_face *faces;
        int count = 0;
        if (ft_face_engine_process(e, &im, (int64_t)fr.index * 40000, &faces, &count) != FT_OK ||
            count < 1)
            continue;
        for (int i = 0; i < FT_IBUG68_POINTS; i++) {
            points[n][i][0] = faces[0].landmarks[i][0];
            points[n][i][1] = faces[0].landmarks[i][1];
        }
        w = fr.width;
        h = fr.height;
        n++;
    }
    ft_face_timings t;
    ft_face_engine_timings(e, &t);
    ft_video_close(v);
    ft_face_engine_free(e);
    if (n == 0) {
        fprintf(stderr, "eos_fit: no face in %s\n", argv[1]);
        return 1;
    }
    printf("%s: %d frames with a face, %dx%d\n", argv[1], n, w, h);
    printf("engine per frame: detection %.2f ms, mesh + 68 points + fit %.2f ms, total %.2f ms\n",
           t.detection_ms / (double)t.frames, t.landmarks_ms / (double)t.frames,
           t.total_ms / (double)t.frames);

    char paths[5][4096];
    const char *files[5] = {"sfm_shape_3448.bin", "expression_blendshapes_3448.bin",
                            "ibug_to_sfm.txt", "sfm_model_contours.json",
                            "sfm_3448_edge_topology.json"};
    for (int i = 0; i < 5; i++)
        if (!find(files[i], paths[i], sizeof paths[i]))
            return 1;
    ft_eos_model m;
    ft_eos_mapper mapper;
    ft_eos_contour contour;
    ft_eos_edges edges;
    ft_eos_fitter *f = NULL;
    const double t0 = ft_now_ms();
    if (ft_eos_model_load(paths[0], paths[1], &m, err, sizeof err) != FT_OK ||
        ft_eos_mapper_load(paths[2], m.vertex_count, &mapper, err, sizeof err) != FT_OK ||
        ft_eos_contour_load(paths[3], m.vertex_count, &contour, err, sizeof err) != FT_OK ||
        ft_eos_edges_load(paths[4], m.vertex_count, m.triangle_count, &edges, err, sizeof err) !=
            FT_OK ||
        ft_eos_fitter_create(&m, &mapper, &contour, &edges, &f, err, sizeof err) != FT_OK) {
        fprintf(stderr, "eos_fit: %s\n", err);
        return 1;
    }
    printf("loading the model files: %.1f ms\n", ft_now_ms() - t0);
    double *ms = malloc(sizeof(double) * (size_t)(n * repeats));
    for (int contours = 1; contours >= 0; contours--) {
        int k = 0;
        double pairs = 0;
        for (int r = 0; r < repeats; r++)
            for (int i = 0; i < n; i++) {
                ft_eos_fit fit;
                const double a = ft_now_ms();
                ft_eos_fitter_fit(f, (const float(*)[2])points[i], w, h, FT_EOS_ITERATIONS,
                                  FT_EOS_LAMBDA_IDENTITY, contours, &fit);
                ms[k++] = ft_now_ms() - a;
                pairs += fit.correspondences;
            }
        printf("%.1f 2D-3D pairs a fit\n", pairs / k);
        report(contours ? "fit (eos defaults, with contours)" : "fit (fixed points only)", ms, k);
    }
    free(ms);
    ft_eos_fitter_free(f);
    ft_eos_model_free(&m);
    ft_eos_edges_free(&edges);
    return 0;
}
