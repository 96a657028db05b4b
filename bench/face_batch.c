/* Per-face cost of the landmark and blendshape models at batch 1, 3 and 8
 * on one thread: N faces' ROIs warped into one landmark run, their
 * landmarks into one blendshape run. The batch sizes take turns within
 * every round, so that a busy machine slows them alike; the per-face
 * figure is the median round's time over N.
 * Usage: face_batch LANDMARKS BLENDSHAPES [ROUNDS] */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "face/blendshapes.h"
#include "face/landmarks.h"

#define MAX_FACES 8
#define SIZES 3

static const int batch_sizes[SIZES] = {1, 3, 8};

static int cmp(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: face_batch LANDMARKS BLENDSHAPES [ROUNDS]\n");
        return 2;
    }
    const int rounds = argc > 3 ? atoi(argv[3]) : 60;
    char err[512];
    ft_face_landmarker *lm;
    ft_face_blendshaper *bs;
    if (ft_face_landmarker_create(argv[1], 1, &lm, err, sizeof err) != FT_OK ||
        ft_face_blendshaper_create(argv[2], 1, &bs, err, sizeof err) != FT_OK) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    /* Content does not change the models' cost: a textured 640x480 frame
     * and eight overlapping faces on it. */
    static uint8_t pixels[480][640][3];
    unsigned seed = 1;
    for (int y = 0; y < 480; y++)
        for (int x = 0; x < 640; x++)
            for (int c = 0; c < 3; c++)
                pixels[y][x][c] = (uint8_t)(rand_r(&seed) & 0xff);
    const ft_face_image image = {&pixels[0][0][0], 640, 480, 640 * 3, 3, NULL};
    ft_norm_rect rois[MAX_FACES];
    for (int i = 0; i < MAX_FACES; i++)
        rois[i] = (ft_norm_rect){0.2f + 0.08f * (float)i, 0.5f, 0.3f, 0.4f, 0.05f * (float)i};
    static ft_face_landmarks faces[MAX_FACES];
    static float scores[MAX_FACES][FT_FACE_BLENDSHAPES];
    const float(*norms[MAX_FACES])[3];
    for (int i = 0; i < MAX_FACES; i++)
        norms[i] = (const float(*)[3])faces[i].norm;
    static double ms[SIZES][10000], lm_ms[SIZES][10000];
    const int n_rounds = rounds > 10000 ? 10000 : rounds;
    for (int r = -5; r < n_rounds; r++) /* 5 warm-up rounds build each plan */
        for (int k = 0; k < SIZES; k++) {
            const int n = batch_sizes[k];
            const double t0 = ft_now_ms();
            const ft_status st = ft_face_landmarks_detect_batch(lm, &image, rois, n, faces);
            const double t1 = ft_now_ms();
            if (st != FT_OK || ft_face_blendshapes_compute_batch(bs, norms, faces[0].count, 640,
                                                                 480, n, scores) != FT_OK) {
                fprintf(stderr, "%s%s\n", ft_face_landmarker_error(lm),
                        ft_face_blendshaper_error(bs));
                return 1;
            }
            if (r == -5)
                printf("batch %d: first run %.1f ms (builds both models' plans)\n", n,
                       ft_now_ms() - t0);
            if (r >= 0) {
                ms[k][r] = ft_now_ms() - t0;
                lm_ms[k][r] = t1 - t0;
            }
        }
    double per_face[SIZES];
    printf("landmarks + blendshapes, 1 thread, %d rounds\n", n_rounds);
    for (int k = 0; k < SIZES; k++) {
        /* the blendshape part of each round, before sorting separates them */
        static double bs_ms[10000];
        for (int r = 0; r < n_rounds; r++)
            bs_ms[r] = ms[k][r] - lm_ms[k][r];
        qsort(ms[k], (size_t)n_rounds, sizeof ms[k][0], cmp);
        qsort(lm_ms[k], (size_t)n_rounds, sizeof lm_ms[k][0], cmp);
        qsort(bs_ms, (size_t)n_rounds, sizeof bs_ms[0], cmp);
        const double n = batch_sizes[k];
        per_face[k] = ms[k][n_rounds / 2] / n;
        printf("batch %d: %.3f ms per run, %.3f ms per face (p10 %.3f): landmarks %.3f, "
               "blendshapes %.3f per face\n",
               batch_sizes[k], ms[k][n_rounds / 2], per_face[k], ms[k][n_rounds / 10] / n,
               lm_ms[k][n_rounds / 2] / n, bs_ms[n_rounds / 2] / n);
    }
    printf("per-face ratio batch3/batch1: %.3f, batch8/batch1: %.3f\n", per_face[1] / per_face[0],
           per_face[2] / per_face[0]);
    ft_face_blendshaper_free(bs);
    ft_face_landmarker_free(lm);
    return 0;
}
