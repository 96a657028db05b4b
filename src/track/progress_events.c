/* The progress protocol's writer and reader (see progress_events.h). */
#include "track/progress_events.h"

#include <string.h>

#include <json-c/json.h>

#include "base/json_writer.h"

static const char *const event_names[FT_EVENT_TYPE_COUNT] = {
    [FT_EVENT_START] = "start",
    [FT_EVENT_SKIPPED] = "skipped",
    [FT_EVENT_VIDEO_STARTED] = "video_started",
    [FT_EVENT_PROGRESS] = "progress",
    [FT_EVENT_DONE] = "done",
    [FT_EVENT_FAILED] = "failed",
    [FT_EVENT_SUMMARY] = "summary",
};

const char *ft_progress_event_name(ft_progress_event_type type)
{
    return (unsigned)type < FT_EVENT_TYPE_COUNT ? event_names[type] : NULL;
}

ft_progress_event_type ft_progress_event_type_of(const char *name)
{
    for (int t = 1; name && t < FT_EVENT_TYPE_COUNT; t++)
        if (strcmp(event_names[t], name) == 0)
            return (ft_progress_event_type)t;
    return FT_EVENT_UNKNOWN;
}

void ft_progress_event_init(ft_progress_event *e, ft_progress_event_type type)
{
    /* Absent: negative numbers, NULL pointers. */
    *e = (ft_progress_event){.type = type, .index = -1, .percent = -1, .frames_done = -1,
                             .frames = -1, .scenes = -1, .seconds = -1, .fps = -1, .bytes = -1,
                             .videos = -1, .succeeded = -1, .failed = -1, .skipped = -1,
                             .interrupted = -1, .run_percent = -1, .run_frames_done = -1,
                             .run_frames = -1, .elapsed = -1, .eta = -1};
}

/* ------------------------------------------------------------- writing */

static void put_int(ft_json *j, const char *key, int64_t v)
{
    if (v >= 0)
        ft_json_kv_int(j, key, v);
}

static void put_string(ft_json *j, const char *key, const char *s)
{
    if (s)
        ft_json_kv_string(j, key, s);
}

static void put_double(ft_json *j, const char *key, double v, int places)
{
    if (v >= 0) {
        ft_json_key(j, key);
        ft_json_double_places(j, v, places);
    }
}

ft_status ft_progress_event_write(FILE *out, const ft_progress_event *e)
{
    const char *name = ft_progress_event_name(e->type);
    if (!name)
        return FT_ERR_INVALID_ARG;
    ft_json j;
    ft_json_init(&j, out, 0);
    ft_json_object_begin(&j);
    ft_json_kv_string(&j, "event", name);
    put_int(&j, "videos", e->videos);
    put_int(&j, "succeeded", e->succeeded);
    put_int(&j, "failed", e->failed);
    put_int(&j, "skipped", e->skipped);
    if (e->interrupted >= 0)
        ft_json_kv_bool(&j, "interrupted", e->interrupted);
    put_string(&j, "video", e->video);
    put_int(&j, "index", e->index);
    put_string(&j, "output", e->output);
    put_string(&j, "reason", e->reason);
    put_int(&j, "percent", e->percent);
    put_int(&j, "frames_done", e->frames_done);
    put_int(&j, "frames", e->frames);
    put_int(&j, "scenes", e->scenes);
    put_double(&j, "seconds", e->seconds, 3);
    put_double(&j, "fps", e->fps, 1);
    put_int(&j, "bytes", e->bytes);
    put_int(&j, "run_percent", e->run_percent);
    put_int(&j, "run_frames_done", e->run_frames_done);
    put_int(&j, "run_frames", e->run_frames);
    put_double(&j, "elapsed", e->elapsed, 1);
    put_double(&j, "eta", e->eta, 1);
    if (e->failures) {
        ft_json_key(&j, "failures");
        ft_json_array_begin(&j);
        for (size_t i = 0; i < e->failure_count; i++) {
            ft_json_object_begin(&j);
            ft_json_kv_string(&j, "video", e->failures[i].video);
            ft_json_kv_string(&j, "reason", e->failures[i].reason);
            ft_json_object_end(&j);
        }
        ft_json_array_end(&j);
    }
    ft_json_object_end(&j);
    const ft_status st = ft_json_finish(&j);
    fflush(out);
    return st;
}

/* ------------------------------------------------------------- reading */

static int64_t get_int(json_object *obj, const char *key)
{
    json_object *v;
    return json_object_object_get_ex(obj, key, &v) ? json_object_get_int64(v) : -1;
}

static double get_double(json_object *obj, const char *key)
{
    json_object *v;
    return json_object_object_get_ex(obj, key, &v) ? json_object_get_double(v) : -1;
}

static const char *get_string(json_object *obj, const char *key)
{
    json_object *v;
    return json_object_object_get_ex(obj, key, &v) && json_object_is_type(v, json_type_string)
               ? json_object_get_string(v)
               : NULL;
}

ft_status ft_progress_event_parse(const char *line, ft_progress_event *e)
{
    ft_progress_event_init(e, FT_EVENT_UNKNOWN);
    json_object *obj = line ? json_tokener_parse(line) : NULL;
    e->parsed = obj;
    const char *name = json_object_is_type(obj, json_type_object) ? get_string(obj, "event") : NULL;
    if (!name)
        return FT_ERR_FORMAT;
    e->type = ft_progress_event_type_of(name);
    e->video = get_string(obj, "video");
    e->output = get_string(obj, "output");
    e->reason = get_string(obj, "reason");
    e->index = get_int(obj, "index");
    e->percent = get_int(obj, "percent");
    e->frames_done = get_int(obj, "frames_done");
    e->frames = get_int(obj, "frames");
    e->scenes = get_int(obj, "scenes");
    e->seconds = get_double(obj, "seconds");
    e->fps = get_double(obj, "fps");
    e->bytes = get_int(obj, "bytes");
    e->run_percent = get_int(obj, "run_percent");
    e->run_frames_done = get_int(obj, "run_frames_done");
    e->run_frames = get_int(obj, "run_frames");
    e->elapsed = get_double(obj, "elapsed");
    e->eta = get_double(obj, "eta");
    e->videos = get_int(obj, "videos");
    e->succeeded = get_int(obj, "succeeded");
    e->failed = get_int(obj, "failed");
    e->skipped = get_int(obj, "skipped");
    json_object *interrupted;
    if (json_object_object_get_ex(obj, "interrupted", &interrupted))
        e->interrupted = json_object_get_boolean(interrupted);
    return FT_OK;
}

void ft_progress_event_clear(ft_progress_event *e)
{
    json_object_put(e->parsed);
    e->parsed = NULL;
}
