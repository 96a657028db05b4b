/* One file through STEP6 (see reduce_file.h). */
#include "track/reduce_file.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>

#include <json-c/json.h>

#include "base/atomic_file.h"
#include "base/json_writer.h"
#include "track/json_stream.h"
#include "track/json_value.h"
#include "track/output_complete.h"
#include "track/reduced_format.h"
#include "track/step6_reduce.h"

#define TRACKING_SUFFIX "_tracking.json"
#define AUDIO_SUFFIX "_audio.json"

enum { GO_ON = 0, STOP = 1, FAILED = -1 };

static int ends_with(const char *s, const char *suffix)
{
    const size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

/* ---- what a file is ---------------------------------------------------- */

typedef struct classify_run {
    ft_reduce_kind kind;
    int decided;
    int undecided_analysis; /* a frames_analysis list that told nothing */
} classify_run;

static int classify_stream_array(void *ctx, const char *key)
{
    (void)ctx;
    return strcmp(key, "frames") == 0 || strcmp(key, "frames_analysis") == 0;
}

static int classify_element(void *ctx, const char *key, json_object *element, char *err,
                            size_t err_size)
{
    (void)err;
    (void)err_size;
    classify_run *c = ctx;
    if (strcmp(key, "frames") == 0) {
        c->kind = FT_REDUCE_RAW_TRACKING;
        c->decided = 1;
        return STOP;
    }
    if (json_object_is_type(element, json_type_object)) {
        if (json_object_object_get_ex(element, "audio_info", NULL)) {
            c->kind = FT_REDUCE_AUDIO;
            c->decided = 1;
            return STOP;
        }
        if (json_object_object_get_ex(element, "tracked_objects", NULL)) {
            c->kind = FT_REDUCE_TRACKING;
            c->decided = 1;
            return STOP;
        }
    }
    return GO_ON;
}

static int classify_array_end(void *ctx, const char *key, char *err, size_t err_size)
{
    (void)err;
    (void)err_size;
    classify_run *c = ctx;
    if (strcmp(key, "frames") == 0) { /* an empty raw file */
        c->kind = FT_REDUCE_RAW_TRACKING;
        c->decided = 1;
        return STOP;
    }
    c->undecided_analysis = 1;
    return GO_ON;
}

ft_status ft_reduce_classify(const char *path, ft_reduce_kind *kind, char *err, size_t err_size)
{
    classify_run c = {0};
    const ft_json_stream_handler h = {classify_stream_array, classify_element,
                                      classify_array_end, NULL, &c};
    char why[512];
    int not_object = 0;
    *kind = FT_REDUCE_OTHER;
    ft_status st = ft_json_stream_read(path, &h, &not_object, why, sizeof why);
    if (st != FT_OK) {
        snprintf(err, err_size, "%s: %s", path, why);
        return st;
    }
    if (c.decided)
        *kind = c.kind;
    else if (c.undecided_analysis)
        *kind = ends_with(path, AUDIO_SUFFIX) ? FT_REDUCE_AUDIO : FT_REDUCE_TRACKING;
    return FT_OK;
}

/* ---- where the output goes ------------------------------------------- */

ft_status ft_reduce_output_path(const char *input, ft_reduce_kind kind, const char *output_dir,
                                char *out, size_t out_size)
{
    if (kind == FT_REDUCE_OTHER)
        return FT_ERR_INVALID_ARG;
    const char *name = base_name(input);
    size_t name_len = strlen(name);
    const char *suffix = "";
    if (kind != FT_REDUCE_AUDIO && !ends_with(name, TRACKING_SUFFIX)) {
        if (ends_with(name, ".json"))
            name_len -= strlen(".json");
        suffix = TRACKING_SUFFIX;
    }
    int n;
    if (output_dir && *output_dir)
        n = snprintf(out, out_size, "%s%s%.*s%s", output_dir,
                     ends_with(output_dir, "/") ? "" : "/", (int)name_len, name, suffix);
    else
        n = snprintf(out, out_size, "%.*s%.*s%s", (int)(name - input), input, (int)name_len, name,
                     suffix);
    return n < 0 || (size_t)n >= out_size ? FT_ERR_INVALID_ARG : FT_OK;
}

/* ---- the reduction ------------------------------------------------------ */

typedef struct reduce_run {
    ft_reduce_kind kind;      /* FT_REDUCE_AUDIO or a tracking kind */
    const char *list_key;     /* the frame list read: "frames" or "frames_analysis" */
    int list_seen;
    ft_json *out;             /* NULL: only check whether the input is reduced already */
    int changed;              /* check: some frame or member is not in the reduced form */
    json_object *fps, *total_frames, *metadata; /* the last of each, as Python keeps */
    int64_t max_frame;
    ft_speaker_counts speakers;
    const atomic_int *stop;
} reduce_run;

static int run_stream_array(void *ctx, const char *key)
{
    reduce_run *r = ctx;
    return strcmp(key, r->list_key) == 0;
}

static int run_element(void *ctx, const char *key, json_object *element, char *err, size_t err_size)
{
    (void)key;
    reduce_run *r = ctx;
    if (r->stop && atomic_load(r->stop)) {
        snprintf(err, err_size, "stopped");
        return FAILED;
    }
    json_object *reduced;
    ft_status st = r->kind == FT_REDUCE_AUDIO
                       ? ft_step6_reduce_audio_frame(element, &reduced, err, err_size)
                       : ft_step6_reduce_tracking_frame(element, &reduced, err, err_size);
    if (st != FT_OK) {
        json_object_put(reduced);
        return FAILED;
    }
    if (!r->out && (!reduced || !json_object_equal(element, reduced)))
        r->changed = 1;
    if (reduced) {
        int64_t frame;
        if (ft_step6_frame_number(reduced, &frame) && frame > r->max_frame)
            r->max_frame = frame;
        if (r->kind == FT_REDUCE_AUDIO && ft_speaker_counts_add(&r->speakers, reduced) != FT_OK) {
            json_object_put(reduced);
            snprintf(err, err_size, "out of memory");
            return FAILED;
        }
        if (r->out)
            ft_json_write_value(r->out, reduced);
        json_object_put(reduced);
    }
    if (r->out && r->out->failed)
        return FAILED; /* the caller names the output and the reason */
    return GO_ON;
}

static int run_array_end(void *ctx, const char *key, char *err, size_t err_size)
{
    reduce_run *r = ctx;
    if (r->list_seen) {
        /* Python keeps the last of repeated keys; a stream cannot take the
         * frames it already wrote back. */
        snprintf(err, err_size, "\"%s\" appears twice", key);
        return FAILED;
    }
    r->list_seen = 1;
    return GO_ON;
}

static void keep(json_object **slot, json_object *value)
{
    json_object_put(*slot);
    *slot = json_object_get(value);
}

static int run_member(void *ctx, const char *key, json_object *value, char *err, size_t err_size)
{
    (void)err;
    (void)err_size;
    reduce_run *r = ctx;
    if (strcmp(key, "fps") == 0)
        keep(&r->fps, value);
    else if (strcmp(key, "total_frames") == 0)
        keep(&r->total_frames, value);
    else if (strcmp(key, "metadata") == 0)
        keep(&r->metadata, value);
    /* The members a reduced file has besides these (recomputed anyway). */
    const char *derived = r->kind == FT_REDUCE_AUDIO ? "speaker_stats" : "temporal_alignment";
    if (strcmp(key, "fps") != 0 && strcmp(key, "total_frames") != 0 && strcmp(key, derived) != 0)
        r->changed = 1;
    return GO_ON;
}

static void run_init(reduce_run *r, ft_reduce_kind kind, ft_json *out, const atomic_int *stop)
{
    memset(r, 0, sizeof *r);
    r->kind = kind;
    r->list_key = kind == FT_REDUCE_RAW_TRACKING ? "frames" : "frames_analysis";
    r->out = out;
    r->stop = stop;
    if (kind == FT_REDUCE_AUDIO)
        ft_speaker_counts_init(&r->speakers);
}

static void run_free(reduce_run *r)
{
    json_object_put(r->fps);
    json_object_put(r->total_frames);
    json_object_put(r->metadata);
    ft_speaker_counts_free(&r->speakers);
}

static ft_status run_read(const char *path, reduce_run *r, char *why, size_t why_size)
{
    const ft_json_stream_handler h = {run_stream_array, run_element, run_array_end, run_member, r};
    return ft_json_stream_read(path, &h, NULL, why, why_size);
}

static ft_reduced_timing run_timing(const reduce_run *r)
{
    return ft_step6_timing(r->fps, r->total_frames, r->metadata, r->max_frame);
}

/* The timing of the audio analysis beside a tracking INPUT, as the
 * original's reduced audio had it; 0 when there is none to compare with. */
static int sibling_audio_timing(const char *input, ft_reduced_timing *timing)
{
    const char *name = base_name(input);
    size_t stem_len = strlen(name);
    if (ends_with(name, TRACKING_SUFFIX))
        stem_len -= strlen(TRACKING_SUFFIX);
    else if (ends_with(name, ".json"))
        stem_len -= strlen(".json");
    char path[4096];
    const int n = snprintf(path, sizeof path, "%.*s%.*s%s", (int)(name - input), input,
                           (int)stem_len, name, AUDIO_SUFFIX);
    struct stat st;
    if (n < 0 || (size_t)n >= sizeof path || stat(path, &st) != 0 || !S_ISREG(st.st_mode))
        return 0;
    reduce_run r;
    run_init(&r, FT_REDUCE_AUDIO, NULL, NULL);
    char why[512];
    const ft_status status = run_read(path, &r, why, sizeof why);
    const int found = status == FT_OK && r.list_seen;
    if (status != FT_OK)
        ft_log(FT_LOG_WARN, "%s: ignored for the temporal alignment: %s", path, why);
    if (found)
        *timing = run_timing(&r);
    run_free(&r);
    return found;
}

/* The tracking output records the video it came from, as the tracking
 * writer does (output_complete.h): the raw file's metadata.video_path, or
 * what a reduced input recorded. Best effort. */
static void record_source(int fd, const char *input, const reduce_run *r)
{
    json_object *video = NULL;
    if (json_object_is_type(r->metadata, json_type_object) &&
        json_object_object_get_ex(r->metadata, "video_path", &video) &&
        json_object_is_type(video, json_type_string)) {
        const char *path = json_object_get_string(video);
        (void)fsetxattr(fd, FT_OUTPUT_SOURCE_XATTR, path, strlen(path), 0);
        return;
    }
    char recorded[4096];
    const ssize_t n = getxattr(input, FT_OUTPUT_SOURCE_XATTR, recorded, sizeof recorded);
    if (n > 0)
        (void)fsetxattr(fd, FT_OUTPUT_SOURCE_XATTR, recorded, (size_t)n, 0);
}

ft_status ft_reduce_file(const char *input, ft_reduce_kind kind, const char *output,
                         const ft_reduce_options *options, char *err, size_t err_size)
{
    if (kind == FT_REDUCE_OTHER) {
        snprintf(err, err_size, "%s: neither a tracking file nor an audio analysis", input);
        return FT_ERR_INVALID_ARG;
    }
    ft_reduced_timing audio_timing;
    const int has_audio = kind != FT_REDUCE_AUDIO && sibling_audio_timing(input, &audio_timing);

    const char *const outputs[] = {output};
    ft_atomic_file_remove_stale(outputs, 1);
    ft_atomic_file file;
    ft_status st = ft_atomic_file_open(&file, output, err, err_size);
    if (st != FT_OK)
        return st;
    ft_json j;
    ft_reduced_json_init(&j, file.fp, options && options->pretty);
    reduce_run r;
    run_init(&r, kind, &j, options ? options->stop : NULL);
    ft_json_object_begin(&j);
    ft_json_key(&j, "frames_analysis");
    ft_json_array_begin(&j);
    char why[512];
    st = run_read(input, &r, why, sizeof why);
    if (st == FT_OK && !j.failed) {
        ft_json_array_end(&j);
        const ft_reduced_timing timing = run_timing(&r);
        ft_reduced_write_timing(&j, &timing);
        if (kind == FT_REDUCE_AUDIO)
            ft_speaker_counts_write(&j, &r.speakers);
        else
            ft_reduced_write_alignment(&j, &timing, has_audio ? &audio_timing : NULL);
        ft_json_object_end(&j);
        if (kind != FT_REDUCE_AUDIO)
            record_source(fileno(file.fp), input, &r);
    }
    const int write_failed = j.failed == FT_ERR_IO || (st == FT_OK && ft_json_finish(&j) != FT_OK);
    if (write_failed) {
        snprintf(err, err_size, "%s: cannot write: %s", output,
                 strerror(j.errnum ? j.errnum : EIO));
        st = FT_ERR_IO;
    } else if (st != FT_OK) {
        snprintf(err, err_size, "%s: %s", input, why);
    }
    run_free(&r);
    if (st != FT_OK) {
        ft_atomic_file_abort(&file);
        return st;
    }
    return ft_atomic_file_commit(&file, err, err_size);
}

/* ---- whether it is done already ------------------------------------------ */

static int same_file(const struct stat *a, const struct stat *b)
{
    return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

static int older(const struct stat *a, const struct stat *b)
{
    return a->st_mtim.tv_sec < b->st_mtim.tv_sec ||
           (a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec < b->st_mtim.tv_nsec);
}

int ft_reduce_output_complete(const char *input, ft_reduce_kind kind, const char *output)
{
    struct stat in, out;
    if (kind == FT_REDUCE_OTHER || stat(output, &out) != 0 || !S_ISREG(out.st_mode) ||
        stat(input, &in) != 0)
        return 0;
    if (!same_file(&in, &out) && older(&out, &in))
        return 0;
    reduce_run r;
    run_init(&r, kind == FT_REDUCE_AUDIO ? FT_REDUCE_AUDIO : FT_REDUCE_TRACKING, NULL, NULL);
    char why[512];
    int complete = run_read(output, &r, why, sizeof why) == FT_OK && r.list_seen && !r.changed;
    if (complete) {
        /* fps and total_frames where the reduced form has them, and the
         * speaker statistics when there are speakers. */
        const ft_reduced_timing t = run_timing(&r);
        complete = (!t.has_fps || r.fps) && (!t.has_total_frames || r.total_frames);
    }
    run_free(&r);
    return complete;
}
