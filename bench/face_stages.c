/* Per-stage cost of the face engine on one frame of a video, one thread:
 * tracking one face (warp, landmark model, projection, blendshapes,
 * matrix, smoothing) and a tiled detection pass (warp, model and decoding
 * per tile, merging) and, given a short-range detector, the whole-frame
 * pass beside the tiles; then the whole engine over the clip's frames
 * (with and without that pass; it finds the model on the search path).
 * Usage: face_stages VIDEO DETECTOR LANDMARKS BLENDSHAPES GEOMETRY [RUNS
 *        [SHORT_RANGE_DETECTOR]] */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "face/blendshapes.h"
#include "face/detect_tiles.h"
#include "face/detector.h"
#include "face/geometry.h"
#include "face/image_to_tensor.h"
#include "face/landmarks.h"
#include "face/one_euro.h"
#include "face/roi.h"
#include "facetrack.h"

static int cmp(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp);
    return n ? v[n / 2] : 0.0;
}

/* Times BODY RUNS times after 10 warm-up runs; the median in ms. */
#define TIME_MEDIAN(out, runs, body)                                                   \
    do {                                                                               \
        for (int w_ = 0; w_ < 10; w_++) { body; }                                      \
        for (int r_ = 0; r_ < (runs); r_++) {                                          \
            const double t0_ = ft_now_ms();                                               \
            body;                                                                      \
            samples[r_] = ft_now_ms() - t0_;                                              \
        }                                                                              \
        (out) = median(samples, (runs));                                               \
    } while (0)

/* The engine's upright detection: tiles, then the whole-frame pass adding
 * the faces they did not find. */
static int tiles_and_whole(ft_face_detector *det, ft_face_detector *whole, const ft_face_image *img,
                           const ft_detect_plan *plan, ft_detect_scratch *scratch,
                           ft_face_detection *out)
{
    static ft_face_detection extra[FT_DETECT_MAX_PER_TILE];
    int n = 0, nw = 0;
    ft_face_detect_tiled(det, img, plan, 0.3f, scratch, out, FT_DETECT_MAX_PER_TILE, &n);
    ft_face_detect(whole, img, NULL, extra, FT_DETECT_MAX_PER_TILE, &nw);
    ft_face_detect_add_unseen(extra, nw, 0.3f, out, FT_DETECT_MAX_PER_TILE, &n);
    return n;
}

static void die(const char *what)
{
    fprintf(stderr, "face_stages: %s\n", what);
    exit(1);
}

int main(int argc, char **argv)
{
    if (argc < 6)
        die("usage: face_stages VIDEO DETECTOR LANDMARKS BLENDSHAPES GEOMETRY [RUNS "
            "[SHORT_RANGE_DETECTOR]]");
    const int runs = argc > 6 ? atoi(argv[6]) : 200;
    if (runs < 1 || runs > 100000)
        die("RUNS must be between 1 and 100000");
    double *samples = malloc(sizeof(double) * (size_t)runs);
    char err[1024];
    ft_video_options vo;
    ft_video_options_init(&vo);
    vo.decode_threads = 1;
    ft_video *video;
    ft_frame fr;
    if (ft_video_open(argv[1], &vo, &video, err, sizeof err) != FT_OK || ft_video_read(video, &fr) != FT_OK)
        die(err);
    const ft_face_image img = {fr.data[0], fr.width, fr.height, fr.linesize[0], 3, NULL};
    ft_face_detector *det;
    ft_face_landmarker *lm;
    ft_face_blendshaper *bs;
    ft_face_geometry *geo;
    if (ft_face_detector_create(argv[2], FT_FACE_DETECTOR_FULL_RANGE, NULL, 1, &det, err, sizeof err) != FT_OK ||
        ft_face_landmarker_create(argv[3], 1, &lm, err, sizeof err) != FT_OK ||
        ft_face_blendshaper_create(argv[4], 1, &bs, err, sizeof err) != FT_OK ||
        ft_face_geometry_load(argv[5], &geo, err, sizeof err) != FT_OK)
        die(err);

    /* Detection pass. */
    ft_detect_plan plan;
    ft_detect_plan_tiles(fr.width, fr.height, 1088, &plan);
    static ft_detect_scratch scratch;
    ft_face_detection dets[FT_DETECT_MAX_PER_TILE];
    int nd = 0;
    double t_pass, t_tile_warp, t_tile_total;
    TIME_MEDIAN(t_pass, runs, ft_face_detect_tiled(det, &img, &plan, 0.3f, &scratch, dets, FT_DETECT_MAX_PER_TILE, &nd));
    static float tensor[256 * 256 * 3];
    const ft_tensor_spec det_spec = {192, 192, -1.0f, 1.0f, 1, FT_BORDER_ZERO};
    TIME_MEDIAN(t_tile_warp, runs, ft_image_to_tensor(&img, &plan.tiles[0], &det_spec, tensor, NULL, NULL));
    double t_tile_warp_naive;
    TIME_MEDIAN(t_tile_warp_naive, runs, ft_image_to_tensor_naive(&img, &plan.tiles[0], &det_spec, tensor, NULL));
    ft_face_detection one[FT_DETECT_MAX_PER_TILE];
    int n1;
    TIME_MEDIAN(t_tile_total, runs, ft_face_detect(det, &img, &plan.tiles[0], one, FT_DETECT_MAX_PER_TILE, &n1));
    printf("frame %dx%d, %d faces found, widths:", fr.width, fr.height, nd);
    for (int i = 0; i < nd; i++)
        printf(" %.0f", dets[i].width);
    printf(" px\n");
    printf("detection pass (%d tiles of %.0f px, full-range 192): %.3f ms\n", plan.count,
           plan.tiles[0].width * fr.width, t_pass);
    printf("  per tile: warp %.3f ms (a pixel at a time: %.3f ms, %.1fx), model + decoding + NMS "
           "%.3f ms; merging %.3f ms\n", t_tile_warp, t_tile_warp_naive,
           t_tile_warp_naive / t_tile_warp, t_tile_total - t_tile_warp,
           t_pass - plan.count * t_tile_total);
    ft_face_detector *whole = NULL;
    if (argc > 7) {
        if (ft_face_detector_create(argv[7], FT_FACE_DETECTOR_SHORT_RANGE, NULL, 1, &whole, err,
                                    sizeof err) != FT_OK)
            die(err);
        double t_whole, t_both;
        TIME_MEDIAN(t_whole, runs, ft_face_detect(whole, &img, NULL, one, FT_DETECT_MAX_PER_TILE, &n1));
        TIME_MEDIAN(t_both, runs, nd = tiles_and_whole(det, whole, &img, &plan, &scratch, dets));
        printf("whole-frame pass (short-range 128): %.3f ms; tiles + whole frame: %.3f ms "
               "(+%.0f %%), %d faces\n", t_whole, t_both, 100.0 * (t_both - t_pass) / t_pass, nd);
    }
    if (nd == 0)
        die("no face found to track");

    /* Tracking one face: the ROI from its landmarks, as on the next frame. */
    ft_rect_transform t;
    ft_rect_transform_from_detection(&t);
    ft_norm_rect roi = ft_roi_from_detection(&dets[0].rel, fr.width, fr.height, &t);
    static ft_face_landmarks marks;
    ft_face_landmarks_detect(lm, &img, &roi, &marks);
    roi = ft_face_roi_from_landmarks(&marks, fr.width, fr.height);
    const int size = ft_face_landmarker_input_size(lm);
    const ft_tensor_spec lm_spec = {size, size, 0.0f, 1.0f, 0, FT_BORDER_REPLICATE};
    static float raw[478][3];
    float logit, scores[52], matrix[16], yaw, pitch, roll;
    double t_warp, t_model, t_project, t_blend, t_matrix, t_smooth, t_track;
    TIME_MEDIAN(t_warp, runs, ft_image_to_tensor(&img, &roi, &lm_spec, tensor, NULL, NULL));
    double t_warp_naive;
    TIME_MEDIAN(t_warp_naive, runs, ft_image_to_tensor_naive(&img, &roi, &lm_spec, tensor, NULL));
    TIME_MEDIAN(t_model, runs, ft_face_landmarker_run_tensor(lm, tensor, raw, &logit));
    TIME_MEDIAN(t_project, runs, ft_face_landmarks_project((const float(*)[3])raw, marks.count, size, &roi, fr.width, fr.height, &marks));
    TIME_MEDIAN(t_blend, runs, ft_face_blendshapes_compute(bs, (const float(*)[3])marks.norm, marks.count, fr.width, fr.height, scores));
    TIME_MEDIAN(t_matrix, runs, (ft_face_geometry_pose(geo, (const float(*)[3])marks.norm, marks.count, fr.width, fr.height, matrix, NULL), ft_face_pose_angles(matrix, &yaw, &pitch, &roll)));
    static ft_one_euro filters[478 * 3];
    ft_one_euro_params p;
    ft_one_euro_params_init(&p);
    for (int i = 0; i < 478 * 3; i++)
        ft_one_euro_reset(&filters[i], &p);
    static float pts[478][3];
    int64_t ts = 0;
    TIME_MEDIAN(t_smooth, runs, (memcpy(pts, marks.points, sizeof pts), ft_one_euro_apply_points(filters, &p, pts, marks.count, ts += 40000000)));
    TIME_MEDIAN(t_track, runs, (ft_face_landmarks_detect(lm, &img, &roi, &marks),
                                ft_face_blendshapes_compute(bs, (const float(*)[3])marks.norm, marks.count, fr.width, fr.height, scores),
                                ft_face_geometry_pose(geo, (const float(*)[3])marks.norm, marks.count, fr.width, fr.height, matrix, NULL),
                                ft_face_pose_angles(matrix, &yaw, &pitch, &roll)));
    printf("tracking one face (%s, %d px crop): %.3f ms\n", argv[3], size, t_track);
    printf("  warp %.3f (a pixel at a time: %.3f, %.1fx), landmark model %.3f, projection %.3f, "
           "blendshapes %.3f, matrix + angles %.3f, smoothing %.3f ms\n", t_warp, t_warp_naive,
           t_warp_naive / t_warp, t_model, t_project, t_blend, t_matrix, t_smooth);

    double *track_ms = malloc(sizeof(double) * 100000), *detect_ms = malloc(sizeof(double) * 100000);
    /* The whole engine over the clip: frames with and without detection;
     * with the whole-frame pass when a short-range model was given, and
     * without. */
    for (int pass = argc > 7; pass >= 0; pass--) {
        ft_face_options o;
        ft_face_options_init(&o);
        o.detector_model = argv[2];
        o.landmark_model = argv[3];
        o.blendshape_model = argv[4];
        o.geometry_model = argv[5];
        o.whole_frame_pass = pass;
        ft_face_engine *e;
        if (ft_face_engine_create(&o, &e, err, sizeof err) != FT_OK)
            die(err);
        int nt = 0, ndf = 0, frames = 0;
        long faces_total = 0;
        ft_video_seek(video, 0);
        while (frames < 100000 && ft_video_read(video, &fr) == FT_OK) {
            const ft_image im = {fr.data[0], fr.width, fr.height, fr.linesize[0], FT_PIXFMT_RGB24};
            const ft_face *faces;
            int n;
            const double t0 = ft_now_ms();
            if (ft_face_engine_process(e, &im, (int64_t)llround(fr.time * 1e6), &faces, &n) != FT_OK)
                die(ft_face_engine_error(e));
            const double dt = ft_now_ms() - t0;
            int detected = 0;
            for (int i = 0; i < n; i++)
                detected |= faces[i].detected;
            faces_total += n;
            frames++;
            if (detected || n == 0)
                detect_ms[ndf++] = dt;
            else
                track_ms[nt++] = dt / n;
        }
        printf("engine%s over %d frames (%.2f faces per frame): tracking frames %.3f ms per face "
               "(median of %d), frames with detection %.3f ms (median of %d)\n",
               pass ? "" : " without the whole-frame pass", frames, (double)faces_total / frames,
               median(track_ms, nt), nt, median(detect_ms, ndf), ndf);
        ft_face_engine_free(e);
    }
    ft_face_detector_free(det);
    ft_face_detector_free(whole);
    ft_face_landmarker_free(lm);
    ft_face_blendshaper_free(bs);
    ft_face_geometry_free(geo);
    ft_video_close(video);
    free(samples);
    free(track_ms);
    free(detect_ms);
    return 0;
}
