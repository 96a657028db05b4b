/* The STEP4 audio analysis, raw or reduced: the whole file through json-c's
 * tokener (so a parse error can name its line), then two walks over
 * frames_analysis: the first checks every entry and finds the highest frame,
 * the second fills the dense per-frame table. Labels are interned, so each
 * distinct diarisation label is stored once however many frames name it. */
#include "track/audio_track.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "base/file_read.h"
#include "base/format_error.h"

#define MAX_FILE_BYTES ((size_t)1 << 30) /* json-c takes an int length */
#define MAX_FRAME 10000000                /* 111 h at 25 fps; bounds the table */
#define MAX_SPEAKERS 1000000
#define JSON_DEPTH 64

/* 1-based line and column of byte OFFSET. */
static void line_col(const char *data, size_t offset, long *line, long *col)
{
    *line = 1;
    *col = 1;
    for (size_t i = 0; i < offset; i++) {
        if (data[i] == '\n') {
            (*line)++;
            *col = 1;
        } else {
            (*col)++;
        }
    }
}

static int is_blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\n' && s[i] != '\r')
            return 0;
    }
    return 1;
}

static ft_status parse_json(const char *path, const char *data, size_t size,
                            json_object **out, char *err, size_t err_size)
{
    json_tokener *tok = json_tokener_new_ex(JSON_DEPTH);
    if (!tok)
        return ft_format_error(err, err_size, FT_ERR_NOMEM, "%s: out of memory", path);
    /* The length includes the terminating NUL, which tells json-c the input
     * is complete (a bare `null` or number at the very end parses). */
    *out = json_tokener_parse_ex(tok, data, (int)size + 1);
    const enum json_tokener_error jerr = json_tokener_get_error(tok);
    size_t end = json_tokener_get_parse_end(tok);
    json_tokener_free(tok);
    if (!*out && jerr == json_tokener_success) /* the file is just `null` */
        return ft_format_error(err, err_size, FT_ERR_FORMAT,
                               "%s: the top-level value is not an object", path);
    if (!*out) {
        const int at_end = end >= size;
        if (at_end && (jerr == json_tokener_continue || jerr == json_tokener_error_parse_eof))
            return ft_format_error(
                err, err_size, FT_ERR_FORMAT, "%s: %s", path,
                is_blank(data, size) ? "invalid JSON: the file is empty"
                                     : "invalid JSON: the file ends inside a value (truncated?)");
        long line, col;
        line_col(data, at_end ? size : end, &line, &col);
        return ft_format_error(err, err_size, FT_ERR_FORMAT,
                               "%s: invalid JSON at line %ld, column %ld: %s", path, line, col,
                               json_tokener_error_desc(jerr));
    }
    /* One value per file: anything but blanks after it is an error. */
    while (end < size && is_blank(data + end, 1))
        end++;
    if (end < size) {
        long line, col;
        line_col(data, end, &line, &col);
        json_object_put(*out);
        *out = NULL;
        return ft_format_error(err, err_size, FT_ERR_FORMAT,
                               "%s: invalid JSON at line %ld, column %ld: data after the"
                               " top-level value",
                               path, line, col);
    }
    return FT_OK;
}

/* One entry of frames_analysis, checked. */
typedef struct entry {
    int64_t frame;
    int speech, num_speakers;
    json_object *labels; /* an array of strings, or NULL */
} entry;

/* An optional integer field: 1 found (in range), 0 absent or null, -1 bad. */
static int opt_int(json_object *obj, const char *key, int64_t lo, int64_t hi, int64_t *out)
{
    json_object *v;
    if (!json_object_object_get_ex(obj, key, &v) || !v)
        return 0;
    if (!json_object_is_type(v, json_type_int))
        return -1;
    const int64_t x = json_object_get_int64(v); /* saturates, so the range check holds */
    if (x < lo || x > hi)
        return -1;
    *out = x;
    return 1;
}

/* Checks entry I; NULL when fine, else the reason (into BUF). */
static const char *check_entry(json_object *item, size_t i, entry *e, char *buf, size_t n)
{
    memset(e, 0, sizeof *e);
    if (!json_object_is_type(item, json_type_object)) {
        snprintf(buf, n, "frames_analysis[%zu] is not an object", i);
        return buf;
    }
    int64_t v;
    if (opt_int(item, "frame", 1, MAX_FRAME, &v) != 1) {
        snprintf(buf, n, "frames_analysis[%zu]: 'frame' is missing or not an integer in 1..%d", i,
                 MAX_FRAME);
        return buf;
    }
    e->frame = v;
    json_object *info, *x;
    if (!json_object_object_get_ex(item, "audio_info", &info) ||
        !json_object_is_type(info, json_type_object)) {
        snprintf(buf, n, "frames_analysis[%zu] (frame %lld): 'audio_info' is missing or not an object",
                 i, (long long)e->frame);
        return buf;
    }
    if (json_object_object_get_ex(info, "is_speech_present", &x) && x) {
        if (!json_object_is_type(x, json_type_boolean)) {
            snprintf(buf, n, "frame %lld: 'is_speech_present' is not a boolean", (long long)e->frame);
            return buf;
        }
        e->speech = json_object_get_boolean(x) ? 1 : 0;
    }
    if (json_object_object_get_ex(info, "active_speaker_labels", &x) && x) {
        if (!json_object_is_type(x, json_type_array)) {
            snprintf(buf, n, "frame %lld: 'active_speaker_labels' is not an array", (long long)e->frame);
            return buf;
        }
        const size_t count = json_object_array_length(x);
        for (size_t k = 0; k < count; k++) {
            json_object *s = json_object_array_get_idx(x, k);
            if (!json_object_is_type(s, json_type_string) ||
                strlen(json_object_get_string(s)) != (size_t)json_object_get_string_len(s)) {
                snprintf(buf, n, "frame %lld: 'active_speaker_labels' holds a non-string (or a NUL)",
                         (long long)e->frame);
                return buf;
            }
        }
        e->labels = count ? x : NULL;
    }
    /* The speaker count, in the original's order of preference. */
    static const char *const keys[] = {"num_distinct_speakers_audio", "num_speakers"};
    e->num_speakers = e->labels ? (int)json_object_array_length(e->labels) : 0;
    for (int k = 0; k < 2; k++) {
        const int got = opt_int(info, keys[k], 0, MAX_SPEAKERS, &v);
        if (got < 0) {
            snprintf(buf, n, "frame %lld: '%s' is not an integer in 0..%d", (long long)e->frame,
                     keys[k], MAX_SPEAKERS);
            return buf;
        }
        if (got > 0) {
            e->num_speakers = (int)v;
            break;
        }
    }
    return NULL;
}

/* The interned labels: an open-addressing table of indices into strings. */
typedef struct interner {
    ft_audio_track *track;
    size_t *slots; /* index + 1; 0 = empty */
    size_t slot_count, cap;
} interner;

static size_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603u; /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211u;
    return (size_t)h;
}

static int interner_grow(interner *in)
{
    const size_t n = in->slot_count ? 2 * in->slot_count : 64;
    size_t *slots = calloc(n, sizeof *slots);
    char **strings = realloc(in->track->strings, (n / 2) * sizeof *strings);
    if (!slots || !strings) {
        free(slots);
        if (strings)
            in->track->strings = strings;
        return 0;
    }
    in->track->strings = strings;
    for (size_t i = 0; i < in->slot_count; i++) {
        if (!in->slots[i])
            continue;
        size_t j = hash_str(strings[in->slots[i] - 1]) & (n - 1);
        while (slots[j])
            j = (j + 1) & (n - 1);
        slots[j] = in->slots[i];
    }
    free(in->slots);
    in->slots = slots;
    in->slot_count = n;
    in->cap = n / 2; /* at most half full */
    return 1;
}

/* The stored copy of S; NULL when out of memory. */
static const char *intern(interner *in, const char *s)
{
    ft_audio_track *t = in->track;
    if (t->string_count == in->cap && !interner_grow(in))
        return NULL;
    const size_t mask = in->slot_count - 1;
    size_t j = hash_str(s) & mask;
    for (; in->slots[j]; j = (j + 1) & mask) {
        if (strcmp(t->strings[in->slots[j] - 1], s) == 0)
            return t->strings[in->slots[j] - 1];
    }
    char *copy = strdup(s);
    if (!copy)
        return NULL;
    t->strings[t->string_count++] = copy;
    in->slots[j] = t->string_count;
    return copy;
}

static int cmp_label(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Frame E's labels, interned and sorted (the original keeps them sorted;
 * sorting again makes a hand-edited file behave the same). */
static int fill_labels(interner *in, const entry *e, ft_audio_frame *f)
{
    if (!e->labels)
        return 1;
    const size_t count = json_object_array_length(e->labels);
    f->labels = malloc(count * sizeof *f->labels);
    if (!f->labels)
        return 0;
    for (size_t k = 0; k < count; k++) {
        f->labels[k] = intern(in, json_object_get_string(json_object_array_get_idx(e->labels, k)));
        if (!f->labels[k])
            return 0;
        f->label_count = (int)k + 1;
    }
    qsort(f->labels, count, sizeof *f->labels, cmp_label);
    return 1;
}

static ft_status read_top(const char *path, json_object *root, ft_audio_track *out,
                          json_object **frames, char *err, size_t err_size)
{
    if (!json_object_is_type(root, json_type_object))
        return ft_format_error(err, err_size, FT_ERR_FORMAT,
                               "%s: the top-level value is not an object", path);
    if (!json_object_object_get_ex(root, "frames_analysis", frames) ||
        !json_object_is_type(*frames, json_type_array))
        return ft_format_error(err, err_size, FT_ERR_FORMAT,
                               "%s: 'frames_analysis' is missing or not an array", path);
    int64_t v;
    const int got = opt_int(root, "total_frames", 0, INT64_MAX, &v);
    if (got < 0)
        return ft_format_error(err, err_size, FT_ERR_FORMAT,
                               "%s: 'total_frames' is not an integer >= 0", path);
    out->total_frames = got ? v : -1;
    out->fps = 25.0;
    json_object *fps;
    if (json_object_object_get_ex(root, "fps", &fps) && fps) {
        const int number = json_object_is_type(fps, json_type_double) ||
                           json_object_is_type(fps, json_type_int);
        const double x = number ? json_object_get_double(fps) : 0.0;
        if (!number || !isfinite(x) || x <= 0.0)
            return ft_format_error(err, err_size, FT_ERR_FORMAT,
                                   "%s: 'fps' is not a positive number", path);
        out->fps = x;
        out->has_fps = 1;
    }
    return FT_OK;
}

static ft_status read_frames(const char *path, json_object *frames, ft_audio_track *out,
                             char *err, size_t err_size)
{
    const size_t n = json_object_array_length(frames);
    char reason[256];
    entry e;
    for (size_t i = 0; i < n; i++) {
        if (check_entry(json_object_array_get_idx(frames, i), i, &e, reason, sizeof reason))
            return ft_format_error(err, err_size, FT_ERR_FORMAT, "%s: %s", path, reason);
        if (e.frame > out->frame_count)
            out->frame_count = e.frame;
    }
    if (out->frame_count == 0)
        return FT_OK;
    out->frames = calloc((size_t)out->frame_count, sizeof *out->frames);
    unsigned char *seen = calloc((size_t)out->frame_count, 1);
    interner in = {.track = out};
    ft_status st = out->frames && seen ? FT_OK : FT_ERR_NOMEM;
    for (size_t i = 0; st == FT_OK && i < n; i++) {
        check_entry(json_object_array_get_idx(frames, i), i, &e, reason, sizeof reason);
        if (seen[e.frame - 1]) {
            st = ft_format_error(err, err_size, FT_ERR_FORMAT,
                                 "%s: frame %lld appears twice in frames_analysis", path,
                                 (long long)e.frame);
            break;
        }
        seen[e.frame - 1] = 1;
        ft_audio_frame *f = &out->frames[e.frame - 1];
        f->speech = e.speech;
        f->num_speakers = e.num_speakers;
        if (!fill_labels(&in, &e, f))
            st = FT_ERR_NOMEM;
    }
    if (st == FT_ERR_NOMEM)
        ft_format_error(err, err_size, st, "%s: out of memory", path);
    free(seen);
    free(in.slots);
    return st;
}

/* The bytes of an analysis file into OUT (an ft_audio_track). */
static ft_status parse_analysis(const char *path, const char *data, size_t size, void *out,
                                char *err, size_t err_size)
{
    json_object *root = NULL, *frames = NULL;
    ft_status st = parse_json(path, data, size, &root, err, err_size);
    if (st == FT_OK)
        st = read_top(path, root, out, &frames, err, err_size);
    if (st == FT_OK)
        st = read_frames(path, frames, out, err, err_size);
    json_object_put(root);
    return st;
}

ft_status ft_audio_track_load(const char *path, ft_audio_track *out, char *err, size_t err_size)
{
    ft_clear_error(err, err_size);
    if (!out)
        return FT_ERR_INVALID_ARG;
    memset(out, 0, sizeof *out);
    const ft_status st =
        ft_parse_file(path, MAX_FILE_BYTES, "an audio analysis", parse_analysis, out, err, err_size);
    if (st != FT_OK) {
        ft_audio_track_free(out);
        return st;
    }
    if (out->total_frames < 0)
        out->total_frames = out->frame_count;
    return FT_OK;
}

void ft_audio_track_free(ft_audio_track *track)
{
    if (!track)
        return;
    for (int64_t k = 0; track->frames && k < track->frame_count; k++)
        free(track->frames[k].labels);
    free(track->frames);
    for (size_t i = 0; i < track->string_count; i++)
        free(track->strings[i]);
    free(track->strings);
    memset(track, 0, sizeof *track);
}

const ft_audio_frame *ft_audio_track_frame(const ft_audio_track *track, int64_t k)
{
    if (!track || !track->frames || k < 1 || k > track->frame_count)
        return NULL;
    return &track->frames[k - 1];
}
