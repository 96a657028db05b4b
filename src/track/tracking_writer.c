/* Tracking outputs, raw and reduced (see tracking_writer.h). */
#include "track/tracking_writer.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/xattr.h>

#include "base/atomic_file.h"
#include "base/json_writer.h"
#include "track/blendshape_keys.h"
#include "track/output_complete.h"
#include "track/reduced_format.h"
#include "track/speaking.h"

struct ft_tracking_writer {
    ft_writer_options opt;
    ft_atomic_file file;
    ft_json json;
    ft_speaking_history *history; /* per object ID */
    int history_cap;
    ft_blendshape_key keys[FT_BLENDSHAPE_MAX_KEYS]; /* what the profile exports, in order */
    int key_count;
    int jaw_index;
    int64_t next_frame;
};

static int name_index(const char *name)
{
    for (int i = 0; i < FT_FACE_BLENDSHAPE_COUNT; i++)
        if (strcmp(ft_face_blendshape_name(i), name) == 0)
            return i;
    return -1;
}

static int begin_document(ft_tracking_writer *w)
{
    ft_json *j = &w->json;
    ft_json_object_begin(j);
    if (w->opt.format == FT_TRACK_FORMAT_RAW) {
        ft_json_key(j, "metadata");
        ft_json_object_begin(j);
        ft_json_kv_string(j, "video_path", w->opt.video_path);
        ft_json_kv_int(j, "total_frames", w->opt.total_frames);
        ft_json_key(j, "fps"); /* a float, as the original's CAP_PROP_FPS: 25.0 */
        ft_json_double_repr(j, w->opt.fps);
        ft_json_kv_string(j, "tracking_engine", w->opt.engine);
        ft_json_object_end(j);
        ft_json_key(j, "frames");
    } else {
        ft_json_key(j, "frames_analysis");
    }
    ft_json_array_begin(j);
    return !j->failed;
}

ft_status ft_tracking_writer_open(const char *path, const ft_writer_options *options,
                                  ft_tracking_writer **out, char *err, size_t err_size)
{
    *out = NULL;
    ft_tracking_writer *w = calloc(1, sizeof *w);
    if (!w) {
        snprintf(err, err_size, "%s: out of memory", path);
        return FT_ERR_NOMEM;
    }
    w->opt = *options;
    w->next_frame = 1;
    w->jaw_index = name_index("jawOpen");
    w->key_count = ft_blendshape_keys(options->config, options->engine, w->keys);
    ft_status st = ft_atomic_file_open(&w->file, path, err, err_size);
    if (st != FT_OK) {
        free(w);
        return st;
    }
    /* Which video this is, for the completeness check of later runs (the
     * reduced format has no field for it); best effort, some file systems
     * keep no extended attributes. */
    if (options->video_path)
        (void)fsetxattr(fileno(w->file.fp), FT_OUTPUT_SOURCE_XATTR, options->video_path,
                        strlen(options->video_path), 0);
    if (options->format == FT_TRACK_FORMAT_REDUCED)
        ft_reduced_json_init(&w->json, w->file.fp, options->pretty);
    else
        ft_json_init(&w->json, w->file.fp, options->pretty);
    begin_document(w);
    *out = w;
    return FT_OK;
}

static ft_speaking_history *history_of(ft_tracking_writer *w, int id)
{
    if (id >= w->history_cap) {
        int n = w->history_cap ? w->history_cap : 16;
        while (n <= id)
            n *= 2;
        ft_speaking_history *p = realloc(w->history, (size_t)n * sizeof *p);
        if (!p)
            return NULL;
        memset(p + w->history_cap, 0, (size_t)(n - w->history_cap) * sizeof *p);
        w->history = p;
        w->history_cap = n;
    }
    return &w->history[id];
}

static int clampi(double v, int lo, int hi)
{
    return v < lo ? lo : v > hi ? hi : (int)v;
}

/* The face's box in whole pixels of the frame: the landmarks' bounds,
 * rounded outwards. */
typedef struct int_box {
    int x0, y0, x1, y1;
} int_box;

static int_box box_of(const ft_tracking_writer *w, const ft_tracked_face *f)
{
    return (int_box){clampi(floor(f->x0), 0, w->opt.width), clampi(floor(f->y0), 0, w->opt.height),
                     clampi(ceil(f->x1), 0, w->opt.width), clampi(ceil(f->y1), 0, w->opt.height)};
}

/* Faces carry the engine's source and label; objects the detector's. */
static const char *source_of(const ft_tracking_writer *w, const ft_tracked_face *f)
{
    return f->is_object ? "object_detector" : w->opt.source;
}

static const char *label_of(const ft_tracking_writer *w, const ft_tracked_face *f)
{
    const char *coco = f->is_object ? ft_object_label(f->class_id) : NULL;
    return f->is_object ? (coco ? coco : "object") : w->opt.label;
}

static void write_id(ft_json *j, int id)
{
    char text[32];
    snprintf(text, sizeof text, "obj_%d", id);
    ft_json_kv_string(j, "id", text);
}

static void write_blendshapes(ft_tracking_writer *w, const float *bs)
{
    ft_json *j = &w->json;
    ft_json_key(j, "blendshapes");
    if (!bs || w->opt.config->blendshape_profile == FT_BLENDSHAPES_NONE) {
        ft_json_null(j);
        return;
    }
    ft_json_object_begin(j);
    for (int k = 0; k < w->key_count; k++) {
        ft_json_key(j, w->keys[k].name);
        ft_json_double_places(j, w->keys[k].index >= 0 ? bs[w->keys[k].index] : 0.0, 4);
    }
    ft_json_object_end(j);
}

static void write_labels(ft_json *j, const ft_audio_frame *a)
{
    ft_json_array_begin(j);
    for (int i = 0; a && a->speech && i < a->label_count; i++)
        ft_json_string(j, a->labels[i]);
    ft_json_array_end(j);
}

static void write_speaking(ft_json *j, const ft_speaking *s)
{
    ft_json_kv_bool(j, "is_speaking", s->is_speaking);
    ft_json_key(j, "speaking_confidence");
    ft_json_double_places(j, s->confidence, 4);
    ft_json_kv_string(j, "speaking_method", s->method);
    ft_json_key(j, "speaking_sources");
    ft_json_object_begin(j);
    if (s->has_audio) {
        ft_json_key(j, "audio");
        ft_json_object_begin(j);
        ft_json_kv_bool(j, "is_speech_present", s->audio_speech);
        ft_json_kv_int(j, "num_speakers", s->audio_num_speakers);
        ft_json_key(j, "active_speakers");
        write_labels(j, s->audio);
        ft_json_key(j, "confidence");
        ft_json_double_places(j, s->audio_confidence, 4);
        ft_json_object_end(j);
    }
    if (s->has_visual) {
        ft_json_key(j, "visual");
        ft_json_object_begin(j);
        ft_json_key(j, "jaw_open");
        ft_json_double_places(j, s->jaw_open, 4);
        ft_json_key(j, "jaw_threshold");
        ft_json_double_places(j, FT_SPEAKING_JAW_THRESHOLD, 4);
        ft_json_key(j, "mouth_activity");
        ft_json_double_places(j, s->mouth_activity, 4);
        ft_json_key(j, "confidence");
        ft_json_double_places(j, s->visual_confidence, 4);
        if (!s->has_audio) {
            ft_json_key(j, "mouth_motion");
            ft_json_double_places(j, s->mouth_motion, 4);
        }
        ft_json_object_end(j);
    }
    if (s->segment.present) {
        ft_json_key(j, "segment");
        ft_json_object_begin(j);
        ft_json_kv_int(j, "segment_id", s->segment.segment_id);
        ft_json_key(j, "frame_position");
        ft_json_double_places(j, s->segment.frame_position, 4);
        ft_json_kv_int(j, "segment_duration", s->segment.duration);
        ft_json_kv_bool(j, "is_zero_duration", s->segment.duration == 0);
        ft_json_object_end(j);
    }
    ft_json_object_end(j);
}

static void write_floats(ft_json *j, const char *key, const float *v, int n)
{
    ft_json_key(j, key);
    ft_json_array_begin(j);
    for (int i = 0; i < n; i++)
        ft_json_double_digits(j, v[i], 7);
    ft_json_array_end(j);
}

/* The original's verbose "eos": {"shape_coeffs": [...], "expression_coeffs": [...]}. */
static void write_eos(ft_json *j, const ft_tracked_face *f)
{
    ft_json_key(j, "eos");
    ft_json_object_begin(j);
    write_floats(j, "shape_coeffs", f->coeffs, f->shape_count);
    write_floats(j, "expression_coeffs", f->coeffs + f->shape_count, f->expression_count);
    ft_json_object_end(j);
}

static void write_raw_object(ft_tracking_writer *w, int64_t frame, const ft_output_face *o)
{
    ft_json *j = &w->json;
    const ft_tracked_face *f = o->face;
    float bs[FT_FACE_BLENDSHAPE_COUNT];
    const float *blend = NULL;
    if (f->has_blendshapes) {
        memcpy(bs, f->blendshapes, sizeof bs);
        if (w->jaw_index >= 0) { /* STEP5_MEDIAPIPE_JAWOPEN_SCALE: scaled, then clipped */
            const float v = bs[w->jaw_index] * w->opt.config->jawopen_scale;
            bs[w->jaw_index] = v < 0 ? 0 : v > 1 ? 1 : v;
        }
        blend = bs;
    }
    const int_box b = box_of(w, f);
    ft_json_object_begin(j);
    write_id(j, o->id);
    ft_json_kv_int(j, "centroid_x", lround(f->cx));
    ft_json_kv_int(j, "centroid_y", lround(f->cy));
    ft_json_kv_int(j, "bbox_xmin", b.x0);
    ft_json_kv_int(j, "bbox_xmax", b.x1);
    ft_json_kv_string(j, "source", source_of(w, f));
    ft_json_kv_string(j, "label", label_of(w, f));
    ft_json_key(j, "confidence"); /* round(x, 3), a float: 0.0, 0.927, 1.0 */
    ft_json_double_repr_places(j, f->confidence, 3);
    write_blendshapes(w, blend);
    ft_json_kv_int(j, "bbox_ymin", b.y0);
    ft_json_kv_int(j, "bbox_ymax", b.y1);
    ft_json_kv_int(j, "bbox_width", b.x1 - b.x0);
    ft_json_kv_int(j, "bbox_height", b.y1 - b.y0);
    ft_speaking s;
    ft_speaking_compute(frame, !f->is_object, blend, w->opt.audio, w->opt.scenes,
                        history_of(w, o->id), &s);
    write_speaking(j, &s);
    if (f->has_pose) {
        ft_json_key(j, "head_pose");
        ft_json_object_begin(j);
        ft_json_key(j, "yaw");
        ft_json_double_places(j, f->yaw, 2);
        ft_json_key(j, "pitch");
        ft_json_double_places(j, f->pitch, 2);
        ft_json_key(j, "roll");
        ft_json_double_places(j, f->roll, 2);
        ft_json_object_end(j);
    }
    if (w->opt.verbose_fields && f->landmarks) {
        ft_json_key(j, "landmarks");
        ft_json_array_begin(j);
        for (int i = 0; i < f->landmark_count; i++) {
            ft_json_array_begin(j);
            for (int k = 0; k < 3; k++)
                ft_json_double_places(j, f->landmarks[i][k], 2);
            ft_json_array_end(j);
        }
        ft_json_array_end(j);
        /* a scheme's point count names it */
        const ft_landmark_scheme scheme = (ft_landmark_scheme)f->landmark_count;
        if (ft_landmark_name(scheme, 0)) {
            ft_json_key(j, "landmark_names");
            ft_json_array_begin(j);
            for (int i = 0; i < f->landmark_count; i++)
                ft_json_string(j, ft_landmark_name(scheme, i));
            ft_json_array_end(j);
        }
    }
    if (w->opt.verbose_fields && f->coeffs)
        write_eos(j, f);
    ft_json_object_end(j);
}

static void write_reduced_object(ft_tracking_writer *w, int64_t frame, const ft_output_face *o)
{
    ft_json *j = &w->json;
    const ft_tracked_face *f = o->face;
    const int_box b = box_of(w, f);
    ft_json_object_begin(j);
    write_id(j, o->id);
    ft_json_kv_int(j, "centroid_x", lround(f->cx));
    ft_json_kv_string(j, "source", source_of(w, f));
    ft_json_kv_string(j, "label", label_of(w, f));
    ft_json_key(j, "confidence"); /* a float, as STEP6 copied it from STEP5: 0.0, 0.927 */
    ft_json_double_repr_places(j, f->confidence, 3);
    ft_json_key(j, "active_speakers"); /* the frame's diarisation labels, as STEP6 copies them */
    write_labels(j, w->opt.audio ? ft_audio_track_frame(w->opt.audio, frame) : NULL);
    ft_json_kv_int(j, "bbox_width", b.x1 - b.x0);
    ft_json_kv_int(j, "bbox_height", b.y1 - b.y0);
    ft_json_object_end(j);
}

static int by_centroid_x(const void *a, const void *b)
{
    const ft_output_face *fa = a, *fb = b;
    const long xa = lround(fa->face->cx), xb = lround(fb->face->cx);
    if (xa != xb)
        return xa < xb ? -1 : 1;
    return (fa->id > fb->id) - (fa->id < fb->id);
}

ft_status ft_tracking_writer_frame(ft_tracking_writer *w, int64_t frame, ft_output_face *faces,
                                   size_t n)
{
    if (frame != w->next_frame)
        return FT_ERR_INVALID_ARG;
    w->next_frame++;
    qsort(faces, n, sizeof *faces, by_centroid_x);
    ft_json *j = &w->json;
    ft_json_object_begin(j);
    ft_json_kv_int(j, "frame", frame);
    ft_json_key(j, "tracked_objects");
    ft_json_array_begin(j);
    for (size_t i = 0; i < n; i++) {
        if (w->opt.format == FT_TRACK_FORMAT_RAW)
            write_raw_object(w, frame, &faces[i]);
        else
            write_reduced_object(w, frame, &faces[i]);
    }
    ft_json_array_end(j);
    ft_json_object_end(j);
    return j->failed ? FT_ERR_IO : FT_OK;
}

static void free_writer(ft_tracking_writer *w)
{
    free(w->history);
    free(w);
}

ft_status ft_tracking_writer_commit(ft_tracking_writer *w, char *err, size_t err_size)
{
    ft_json *j = &w->json;
    if (w->next_frame != w->opt.total_frames + 1) {
        snprintf(err, err_size, "%s: %lld of %lld frames written", w->file.path,
                 (long long)(w->next_frame - 1), (long long)w->opt.total_frames);
        ft_tracking_writer_abort(w);
        return FT_ERR_INTERNAL;
    }
    ft_json_array_end(j);
    if (w->opt.format == FT_TRACK_FORMAT_REDUCED) {
        const ft_reduced_timing video = {1, w->opt.total_frames, 1, w->opt.fps};
        ft_reduced_write_timing(j, &video);
        if (w->opt.audio) {
            const ft_audio_track *a = w->opt.audio;
            const ft_reduced_timing audio = {1, a->total_frames, a->has_fps, a->fps};
            ft_reduced_write_alignment(j, &video, &audio);
        }
    }
    ft_json_object_end(j);
    if (ft_json_finish(j) != FT_OK) {
        ft_tracking_writer_error(w, err, err_size);
        ft_tracking_writer_abort(w);
        return FT_ERR_IO;
    }
    ft_status st = ft_atomic_file_commit(&w->file, err, err_size);
    free_writer(w);
    return st;
}

void ft_tracking_writer_error(const ft_tracking_writer *w, char *err, size_t err_size)
{
    char why[256];
    snprintf(why, sizeof why, "%s", strerror(w->json.errnum ? w->json.errnum : EIO));
    why[0] = (char)tolower((unsigned char)why[0]);
    snprintf(err, err_size, "%s: cannot write: %s", w->file.path, why);
}

void ft_tracking_writer_abort(ft_tracking_writer *w)
{
    if (!w)
        return;
    ft_atomic_file_abort(&w->file);
    free_writer(w);
}
