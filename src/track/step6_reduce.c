/* STEP6's reduction rules (see step6_reduce.h). */
#include "track/step6_reduce.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "track/json_value.h"

/* obj.get(key): the member, or NULL (JSON null) when absent. */
static json_object *get(json_object *obj, const char *key)
{
    json_object *v = NULL;
    return json_object_object_get_ex(obj, key, &v) ? v : NULL;
}

static int has(json_object *obj, const char *key)
{
    return json_object_object_get_ex(obj, key, NULL);
}

/* Adds a copy of V (a new reference; NULL stays null) under KEY. */
static int add(json_object *to, const char *key, json_object *v)
{
    return json_object_object_add(to, key, json_object_get(v));
}

/* "frame N: WHAT", N as the file writes it. */
static ft_status bad(char *err, size_t err_size, json_object *frame_number, const char *what)
{
    snprintf(err, err_size, "frame %.40s: %s",
             frame_number ? json_object_to_json_string_ext(frame_number, JSON_C_TO_STRING_PLAIN)
                          : "null",
             what);
    return FT_ERR_FORMAT;
}

static json_object *reduce_object(json_object *obj)
{
    json_object *r = json_object_new_object();
    if (!r)
        return NULL;
    add(r, "id", get(obj, "id"));
    add(r, "centroid_x", get(obj, "centroid_x"));
    add(r, "source", get(obj, "source"));
    add(r, "label", get(obj, "label"));
    add(r, "confidence", get(obj, "confidence"));
    /* Its place in the key order is taken now; the value may change below. */
    json_object_object_add(r, "active_speakers", json_object_new_array());
    json_object *w = get(obj, "bbox_width"), *h = get(obj, "bbox_height");
    if (w && h) {
        add(r, "bbox_width", w);
        add(r, "bbox_height", h);
    }
    json_object *own = get(obj, "active_speakers");
    if (json_object_is_type(own, json_type_array))
        add(r, "active_speakers", own);
    json_object *sources = get(obj, "speaking_sources");
    if (json_object_is_type(sources, json_type_object) && ft_py_truthy(sources)) {
        json_object *audio = get(sources, "audio");
        if (json_object_is_type(audio, json_type_object) && ft_py_truthy(audio)) {
            /* .get("active_speakers", []): a null that is there stays null */
            if (has(audio, "active_speakers"))
                add(r, "active_speakers", get(audio, "active_speakers"));
            else
                json_object_object_add(r, "active_speakers", json_object_new_array());
        }
    }
    return r;
}

ft_status ft_step6_reduce_tracking_frame(json_object *frame, json_object **out, char *err,
                                         size_t err_size)
{
    *out = NULL;
    if (!json_object_is_type(frame, json_type_object)) {
        snprintf(err, err_size, "a frame is not an object");
        return FT_ERR_FORMAT;
    }
    json_object *number = get(frame, "frame");
    json_object *objects = get(frame, "tracked_objects");
    json_object *reduced_objects = json_object_new_array();
    json_object *r = json_object_new_object();
    if (!r || !reduced_objects) {
        json_object_put(r);
        json_object_put(reduced_objects);
        snprintf(err, err_size, "out of memory");
        return FT_ERR_NOMEM;
    }
    add(r, "frame", number);
    json_object_object_add(r, "tracked_objects", reduced_objects);
    *out = r;
    if (!objects) /* absent or null */
        return FT_OK;
    if (!json_object_is_type(objects, json_type_array)) {
        /* Iterating an empty {} or "" yields nothing; any other non-list
         * cannot be iterated into objects. */
        if ((json_object_is_type(objects, json_type_object) ||
             json_object_is_type(objects, json_type_string)) &&
            !ft_py_truthy(objects))
            return FT_OK;
        return bad(err, err_size, number, "tracked_objects is not a list");
    }
    const size_t n = json_object_array_length(objects);
    for (size_t i = 0; i < n; i++) {
        json_object *obj = json_object_array_get_idx(objects, i);
        if (!json_object_is_type(obj, json_type_object))
            return bad(err, err_size, number, "a tracked object is not an object");
        json_object *reduced = reduce_object(obj);
        if (!reduced || json_object_array_add(reduced_objects, reduced) != 0) {
            json_object_put(reduced);
            snprintf(err, err_size, "out of memory");
            return FT_ERR_NOMEM;
        }
    }
    return FT_OK;
}

ft_status ft_step6_reduce_audio_frame(json_object *frame, json_object **out, char *err,
                                      size_t err_size)
{
    *out = NULL;
    if (!json_object_is_type(frame, json_type_object)) {
        snprintf(err, err_size, "a frame is not an object");
        return FT_ERR_FORMAT;
    }
    json_object *number = get(frame, "frame");
    json_object *info = get(frame, "audio_info");
    if (!info)
        return FT_OK; /* dropped */
    if (!json_object_is_type(info, json_type_object))
        return bad(err, err_size, number, "audio_info is not an object");
    json_object *r = json_object_new_object(), *ri = json_object_new_object();
    if (!r || !ri) {
        json_object_put(r);
        json_object_put(ri);
        snprintf(err, err_size, "out of memory");
        return FT_ERR_NOMEM;
    }
    if (has(info, "is_speech_present"))
        add(ri, "is_speech_present", get(info, "is_speech_present"));
    else
        json_object_object_add(ri, "is_speech_present", json_object_new_boolean(0));
    if (has(info, "active_speaker_labels"))
        add(ri, "active_speaker_labels", get(info, "active_speaker_labels"));
    else
        json_object_object_add(ri, "active_speaker_labels", json_object_new_array());
    if (get(info, "timecode_sec"))
        add(ri, "timecode_sec", get(info, "timecode_sec"));
    add(r, "frame", number);
    json_object_object_add(r, "audio_info", ri);
    *out = r;
    return FT_OK;
}

int ft_step6_frame_number(json_object *reduced_frame, int64_t *out)
{
    json_object *number = get(reduced_frame, "frame");
    return number && ft_py_int(number, out);
}

ft_reduced_timing ft_step6_timing(json_object *top_fps, json_object *top_total,
                                  json_object *metadata, int64_t max_frame)
{
    ft_reduced_timing t = {0};
    if (top_fps)
        t.has_fps = ft_py_float(top_fps, &t.fps);
    if (top_total)
        t.has_total_frames = ft_py_int(top_total, &t.total_frames);
    if (json_object_is_type(metadata, json_type_object)) {
        json_object *v;
        if (!t.has_fps && (v = get(metadata, "fps")) != NULL)
            t.has_fps = ft_py_float(v, &t.fps);
        if (!t.has_total_frames && (v = get(metadata, "total_frames")) != NULL)
            t.has_total_frames = ft_py_int(v, &t.total_frames);
    }
    if (!t.has_total_frames && max_frame > 0) {
        t.has_total_frames = 1;
        t.total_frames = max_frame;
    }
    return t;
}

void ft_speaker_counts_init(ft_speaker_counts *c)
{
    c->counts = json_object_new_object();
}

void ft_speaker_counts_free(ft_speaker_counts *c)
{
    json_object_put(c->counts);
    c->counts = NULL;
}

ft_status ft_speaker_counts_add(ft_speaker_counts *c, json_object *reduced_frame)
{
    if (!c->counts)
        return FT_ERR_NOMEM;
    json_object *labels = get(get(reduced_frame, "audio_info"), "active_speaker_labels");
    if (!json_object_is_type(labels, json_type_array))
        return FT_OK;
    const size_t n = json_object_array_length(labels);
    for (size_t i = 0; i < n; i++) {
        json_object *label = json_object_array_get_idx(labels, i);
        if (!json_object_is_type(label, json_type_string) || json_object_get_string_len(label) == 0)
            continue;
        const char *name = json_object_get_string(label);
        json_object *count = get(c->counts, name);
        if (count) {
            json_object_set_int64(count, json_object_get_int64(count) + 1);
        } else if (json_object_object_add(c->counts, name, json_object_new_int64(1)) != 0) {
            return FT_ERR_NOMEM;
        }
    }
    return FT_OK;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

void ft_speaker_counts_write(ft_json *j, const ft_speaker_counts *c)
{
    const int n = c->counts ? json_object_object_length(c->counts) : 0;
    if (n == 0)
        return;
    const char **names = malloc((size_t)n * sizeof *names);
    if (!names) {
        j->failed = FT_ERR_NOMEM;
        return;
    }
    int k = 0;
    json_object_object_foreach(c->counts, name, count)
    {
        (void)count;
        names[k++] = name;
    }
    qsort(names, (size_t)n, sizeof *names, by_name); /* code point order, as Python sorts */
    ft_json_key(j, "speaker_stats");
    ft_json_object_begin(j);
    ft_json_key(j, "unique_speakers");
    ft_json_array_begin(j);
    for (int i = 0; i < n; i++)
        ft_json_string(j, names[i]);
    ft_json_array_end(j);
    ft_json_key(j, "speaker_frame_counts");
    ft_json_write_value(j, c->counts);
    ft_json_object_end(j);
    free(names);
}
