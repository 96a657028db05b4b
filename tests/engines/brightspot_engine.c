/* test_brightspot: a face engine that exists only in the tests, to show
 * that an engine plugs in through the registry alone. It "detects" the
 * brightest spot of the frame and gives it 5 landmarks (the corners and the
 * centre of a square around it); the shared tracker gives it IDs, lost-face
 * survival and smoothing like any engine. It registers itself at start-up,
 * so the program it is linked into runs it under track, detect and serve. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "engines/tracker_engine.h"

#define CELL 8             /* brightness is averaged over CELL x CELL blocks */
#define MIN_BRIGHTNESS 200 /* a spot dimmer than this is no detection */

typedef struct brightspot {
    ft_face_tracker *tracker; /* first: the class's calls are the tracker's */
    char error[128];
} brightspot;

/* The brightest CELL-sized block's centre, normalised; 0 when too dim. */
static int brightest(const ft_face_image *img, float *cx, float *cy)
{
    int best = -1, bx = 0, by = 0;
    for (int y = 0; y + CELL <= img->height; y += CELL)
        for (int x = 0; x + CELL <= img->width; x += CELL) {
            int sum = 0;
            for (int j = 0; j < CELL; j++) {
                const uint8_t *p = img->data + (size_t)(y + j) * (size_t)img->stride +
                                   (size_t)x * (size_t)img->channels;
                for (int i = 0; i < CELL; i++, p += img->channels)
                    sum += p[0] + p[1] + p[2];
            }
            if (sum > best) {
                best = sum;
                bx = x;
                by = y;
            }
        }
    if (best < 0 || best / (3 * CELL * CELL) < MIN_BRIGHTNESS)
        return 0;
    *cx = ((float)bx + CELL / 2.0f) / (float)img->width;
    *cy = ((float)by + CELL / 2.0f) / (float)img->height;
    return 1;
}

static ft_norm_rect square_at(float cx, float cy, const ft_face_image *img)
{
    const float side = 0.25f * (float)(img->width < img->height ? img->width : img->height);
    return (ft_norm_rect){cx, cy, side / (float)img->width, side / (float)img->height, 0.0f};
}

static ft_status detect(void *ctx, const ft_face_image *img, int tracked, int64_t frame,
                        ft_roi_detection *out, int capacity, int *found)
{
    (void)ctx, (void)tracked, (void)frame, (void)capacity;
    float cx, cy;
    *found = brightest(img, &cx, &cy);
    if (*found)
        out[0] = (ft_roi_detection){.roi = square_at(cx, cy, img), .score = 0.9f};
    return FT_OK;
}

/* Present while the ROI still holds the brightest spot. */
static ft_status landmarks(void *ctx, const ft_face_image *img, const ft_norm_rect *rois, int n,
                           ft_face_landmarks *out)
{
    (void)ctx;
    float cx = -1, cy = -1;
    const int lit = brightest(img, &cx, &cy);
    for (int k = 0; k < n; k++) {
        const ft_norm_rect *r = &rois[k];
        const int inside = lit && fabsf(cx - r->x_center) < r->width / 2 &&
                           fabsf(cy - r->y_center) < r->height / 2;
        const ft_norm_rect at = inside ? square_at(cx, cy, img) : *r;
        static const float dx[5] = {-0.5f, 0.5f, 0.0f, -0.5f, 0.5f};
        static const float dy[5] = {-0.5f, -0.5f, 0.0f, 0.5f, 0.5f};
        ft_face_landmarks *lm = &out[k];
        memset(lm, 0, sizeof *lm);
        lm->count = FT_LANDMARKS_5;
        lm->presence = inside ? 1.0f : 0.0f;
        lm->roi = *r;
        for (int i = 0; i < 5; i++) {
            lm->norm[i][0] = at.x_center + dx[i] * at.width;
            lm->norm[i][1] = at.y_center + dy[i] * at.height;
            lm->points[i][0] = lm->norm[i][0] * (float)img->width;
            lm->points[i][1] = lm->norm[i][1] * (float)img->height;
        }
    }
    return FT_OK;
}

static ft_norm_rect next_roi(void *ctx, const ft_face_landmarks *lm, int iw, int ih)
{
    (void)ctx, (void)iw, (void)ih;
    /* twice the square: the spot may move between frames */
    ft_norm_rect r = {lm->norm[2][0], lm->norm[2][1], 2 * (lm->norm[1][0] - lm->norm[0][0]),
                      2 * (lm->norm[3][1] - lm->norm[0][1]), 0.0f};
    return r;
}

static const char *stage_error(const void *ctx)
{
    return ((const brightspot *)ctx)->error;
}

static ft_status create(void *priv, const ft_face_options *o, char *err, size_t n)
{
    brightspot *b = priv;
    const ft_face_stages stages = {.ctx = b,
                                   .detect = detect,
                                   .max_detections = 1,
                                   .landmarks = landmarks,
                                   .next_roi = next_roi,
                                   .error = stage_error,
                                   .scheme = FT_LANDMARKS_5};
    return ft_face_tracker_create(o, &stages, &b->tracker, err, n);
}

static void release(void *priv)
{
    ft_face_tracker_free(((brightspot *)priv)->tracker);
}

static const char *const aliases[] = {"brightspot", NULL};
static const char *const options[] = {"num_faces", "detect_interval", "max_lost_frames",
                                      "smoothing", NULL};

static const ft_engine_class brightspot_class = {
    .info = {.name = "test_brightspot",
             .aliases = aliases,
             .description = "test engine: the brightest spot of the frame, 5 points",
             .source = "object_detector",
             .label = "bright_spot",
             .landmarks = FT_LANDMARKS_5,
             .options = options},
    .priv_size = sizeof(brightspot),
    .create = create,
    FT_TRACKER_ENGINE_CALLS,
    .free = release,
};

__attribute__((constructor)) static void register_brightspot(void)
{
    if (ft_engine_register(&brightspot_class) != FT_OK)
        fprintf(stderr, "test_brightspot: cannot register the engine\n");
}
