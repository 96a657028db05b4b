/* The jobs: create, list, get, cancel, retry, and their logs. */
#include <fcntl.h>
#include <json-c/json.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engines/engine_json.h"
#include "serve/job_options.h"
#include "serve/job_request.h"
#include "serve/job_runner.h"
#include "serve/job_store.h"
#include "serve/request.h"
#include "track/track_config.h"
#include "track/video_list.h"

#define MAX_JOB_VIDEOS 10000
#define DEFAULT_LISTED_JOBS 100
#define MAX_LISTED_JOBS 1000
#define LOG_CHUNK_BYTES 65536

static enum MHD_Result reply_job(const ft_request *r, const ft_job *job, unsigned status)
{
    ft_reply reply;
    ft_reply_begin(&reply);
    ft_job_write_json(job, &reply.json);
    return ft_reply_send(r, &reply, status);
}

enum MHD_Result ft_api_engines(const ft_request *r)
{
    ft_reply reply;
    ft_reply_begin(&reply);
    ft_json *j = &reply.json;
    ft_json_object_begin(j);
    ft_json_key(j, "engines");
    ft_json_array_begin(j);
    for (int i = 0; i < ft_engine_count(); i++)
        ft_engine_write_json(j, ft_engine_at(i));
    ft_json_array_end(j);
    ft_json_key(j, "scene_detectors");
    ft_json_array_begin(j);
    ft_json_string(j, "content");
    ft_json_string(j, "transnetv2");
    ft_json_array_end(j);
    ft_json_key(j, "steps");
    ft_json_array_begin(j);
    for (int step = FT_STEP_SCENES; step <= FT_STEP_TRACK; step <<= 1)
        ft_json_string(j, ft_job_step_name(step));
    ft_json_array_end(j);
    ft_json_object_end(j);
    return ft_reply_send(r, &reply, MHD_HTTP_OK);
}

/* ------------------------------------------------------------ create */

/* Adds the videos of one input (a video, or a folder searched
 * recursively) to JOB. Returns an HTTP status: 200, or the error's (ERR
 * set). */
static unsigned add_input(const ft_request *r, const ft_job_input *input, ft_job *job, char *err,
                          size_t err_size)
{
    const int root = input->root;
    const char *path = input->path;
    char real[PATH_MAX];
    if (ft_media_resolve(&r->options->roots, root, path, real) != FT_OK) {
        snprintf(err, err_size, "no such file or folder in root %d: %.200s", root, path);
        return MHD_HTTP_NOT_FOUND;
    }
    ft_video_list list = {0};
    if (ft_video_list_add(&list, real, err, err_size) != FT_OK) {
        ft_video_list_free(&list);
        return MHD_HTTP_BAD_REQUEST;
    }
    unsigned status = MHD_HTTP_OK;
    for (size_t i = 0; i < list.count && status == MHD_HTTP_OK; i++) {
        char file[PATH_MAX];
        struct stat sb;
        /* Only files a folder scan found inside the root: no link out, no
         * hidden file, nothing of the data folder, and nothing a reader
         * could block on (a FIFO, a device). */
        const char *relative = realpath(list.paths[i], file) &&
                                       ft_media_visible(&r->options->roots, root, file)
                                   ? ft_media_relative(&r->options->roots, root, file)
                                   : NULL;
        if (!relative || !*relative || stat(file, &sb) != 0 || !S_ISREG(sb.st_mode))
            continue;
        int duplicate = 0;
        for (size_t k = 0; k < job->video_count && !duplicate; k++)
            duplicate = strcmp(job->videos[k].file, file) == 0;
        if (duplicate)
            continue;
        if (job->video_count == MAX_JOB_VIDEOS) {
            snprintf(err, err_size, "a job holds at most %d videos", MAX_JOB_VIDEOS);
            status = MHD_HTTP_BAD_REQUEST;
            break;
        }
        if (job->video_count % 64 == 0) {
            ft_job_video *grown =
                realloc(job->videos, (job->video_count + 64) * sizeof *job->videos);
            if (!grown) {
                snprintf(err, err_size, "out of memory");
                status = MHD_HTTP_INTERNAL_SERVER_ERROR;
                break;
            }
            job->videos = grown;
        }
        ft_job_video *v = &job->videos[job->video_count++];
        memset(v, 0, sizeof *v);
        v->root = root;
        v->file = strdup(file);
        v->path = strdup(relative);
        if (!v->file || !v->path) {
            snprintf(err, err_size, "out of memory");
            status = MHD_HTTP_INTERNAL_SERVER_ERROR;
        }
    }
    ft_video_list_free(&list);
    return status;
}

unsigned ft_api_add_job_input(const ft_request *r, const ft_job_input *input, ft_job *job,
                              char *err, size_t err_size)
{
    return add_input(r, input, job, err, err_size);
}

enum MHD_Result ft_api_jobs_create(const ft_request *r)
{
    char err[512];
    ft_job_request request;
    if (ft_job_request_parse(r->body, r->body_size, &request, err, sizeof err) != FT_OK)
        return ft_reply_error(r, MHD_HTTP_BAD_REQUEST, "%s", err);
    ft_job *job = calloc(1, sizeof *job);
    unsigned status = job ? MHD_HTTP_OK : MHD_HTTP_INTERNAL_SERVER_ERROR;
    snprintf(err, sizeof err, "out of memory");
    if (job) {
        job->steps = request.steps;
        job->options = request.options;
        request.options = NULL;
    }
    for (size_t i = 0; i < request.input_count && status == MHD_HTTP_OK; i++)
        status = add_input(r, &request.inputs[i], job, err, sizeof err);
    if (status == MHD_HTTP_OK && job->video_count == 0) {
        snprintf(err, sizeof err, "the inputs hold no video");
        status = MHD_HTTP_BAD_REQUEST;
    }
    ft_job_request_free(&request);
    if (status == MHD_HTTP_OK && ft_job_store_create(r->options->jobs, job) != FT_OK) {
        snprintf(err, sizeof err, "cannot save the job: the job database refused the write "
                                  "(the server's log says why)");
        status = MHD_HTTP_INTERNAL_SERVER_ERROR;
    }
    if (status != MHD_HTTP_OK) {
        ft_job_free(job);
        return ft_reply_error(r, status, "%s", err);
    }
    const int64_t id = job->id;
    ft_job_free(job);
    ft_job_runner_wake(r->options->runner);
    job = ft_job_store_load(r->options->jobs, id);
    if (!job)
        return ft_reply_error(r, MHD_HTTP_INTERNAL_SERVER_ERROR, "cannot read the job back");
    const enum MHD_Result ok = reply_job(r, job, MHD_HTTP_CREATED);
    ft_job_free(job);
    return ok;
}

/* ------------------------------------------------------------ the others */

/* A query argument that must be a whole number from LOW to HIGH; DEFAULT
 * when absent. 0 when it is not one. */
static int count_arg(const ft_request *r, const char *name, long long low, long long high,
                     long long fallback, long long *out)
{
    const char *text = ft_request_arg(r, name);
    char *end = NULL;
    const long long n = text ? strtoll(text, &end, 10) : fallback;
    if (text && (end == text || *end || n < low || n > high))
        return 0;
    *out = n;
    return 1;
}

/* GET /api/jobs?limit=N&before=ID: a page of job summaries, newest first,
 * and the cursor of the next page (null on the last). */
enum MHD_Result ft_api_jobs_list(const ft_request *r)
{
    long long limit, before;
    if (!count_arg(r, "limit", 1, MAX_LISTED_JOBS, DEFAULT_LISTED_JOBS, &limit))
        return ft_reply_error(r, MHD_HTTP_BAD_REQUEST, "limit must be a number from 1 to %d",
                              MAX_LISTED_JOBS);
    if (!count_arg(r, "before", 1, INT64_MAX, 0, &before))
        return ft_reply_error(r, MHD_HTTP_BAD_REQUEST, "before must be a job number");
    /* One more than asked: whether a next page exists. */
    int64_t *ids = malloc((size_t)(limit + 1) * sizeof *ids);
    if (!ids)
        return ft_reply_error(r, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory");
    const size_t found = ft_job_store_page(r->options->jobs, before, ids, (size_t)limit + 1);
    const size_t count = found > (size_t)limit ? (size_t)limit : found;
    ft_reply reply;
    ft_reply_begin(&reply);
    ft_json_object_begin(&reply.json);
    ft_json_key(&reply.json, "jobs");
    ft_json_array_begin(&reply.json);
    for (size_t i = 0; i < count; i++) {
        ft_job *job = ft_job_store_load_summary(r->options->jobs, ids[i], FT_JOB_SUMMARY_VIDEOS);
        if (job)
            ft_job_write_json(job, &reply.json);
        ft_job_free(job);
    }
    ft_json_array_end(&reply.json);
    ft_json_key(&reply.json, "next_before");
    if (found > count)
        ft_json_int(&reply.json, ids[count - 1]);
    else
        ft_json_null(&reply.json);
    ft_json_object_end(&reply.json);
    free(ids);
    return ft_reply_send(r, &reply, MHD_HTTP_OK);
}

/* "/api/jobs/ID[/REST]": the number, and REST ("" when none). 0 when the
 * path names no job number. */
static int64_t job_id(const ft_request *r, const char **rest)
{
    const char *p = r->path + strlen("/api/jobs/");
    int64_t id = 0;
    int digits = 0;
    while (*p >= '0' && *p <= '9' && digits < 15) {
        id = id * 10 + (*p++ - '0');
        digits++;
    }
    *rest = p;
    return digits && (*p == '\0' || *p == '/') ? id : 0;
}

static enum MHD_Result reply_log(const ft_request *r, int64_t id)
{
    const char *offset_arg = ft_request_arg(r, "offset");
    char *end = NULL;
    const long long offset = offset_arg ? strtoll(offset_arg, &end, 10) : 0;
    if (offset_arg && (end == offset_arg || *end || offset < 0))
        return ft_reply_error(r, MHD_HTTP_BAD_REQUEST, "offset must be a byte count");
    char path[PATH_MAX + 32];
    ft_job_log_path(r->options->runner, id, path, sizeof path);
    const int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat sb;
    const long long size = fd >= 0 && fstat(fd, &sb) == 0 ? (long long)sb.st_size : 0;
    const long long from = offset < size ? offset : size;
    const size_t want = size - from < LOG_CHUNK_BYTES ? (size_t)(size - from) : LOG_CHUNK_BYTES;
    char *text = malloc(want + 1);
    ssize_t got = text && fd >= 0 ? pread(fd, text, want, from) : 0;
    if (fd >= 0)
        close(fd);
    if (!text)
        return ft_reply_error(r, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory");
    got = got < 0 ? 0 : got;
    text[got] = '\0';
    ft_reply reply;
    ft_reply_begin(&reply);
    ft_json_object_begin(&reply.json);
    ft_json_kv_int(&reply.json, "offset", from);
    ft_json_kv_int(&reply.json, "next_offset", from + got);
    ft_json_kv_string(&reply.json, "text", text); /* invalid UTF-8 becomes U+FFFD */
    ft_json_kv_bool(&reply.json, "more", from + got < size);
    ft_json_object_end(&reply.json);
    free(text);
    return ft_reply_send(r, &reply, MHD_HTTP_OK);
}

enum MHD_Result ft_api_job_get(const ft_request *r)
{
    const char *rest;
    const int64_t id = job_id(r, &rest);
    if (!id || (*rest && strcmp(rest, "/log") != 0))
        return ft_reply_error(r, MHD_HTTP_NOT_FOUND, "no such resource: %s", r->path);
    ft_job *job = ft_job_store_load(r->options->jobs, id);
    if (!job)
        return ft_reply_error(r, MHD_HTTP_NOT_FOUND, "no job %lld", (long long)id);
    const enum MHD_Result ok = *rest ? reply_log(r, id) : reply_job(r, job, MHD_HTTP_OK);
    ft_job_free(job);
    return ok;
}

enum MHD_Result ft_api_job_action(const ft_request *r)
{
    const char *rest;
    const int64_t id = job_id(r, &rest);
    const int cancel = strcmp(rest, "/cancel") == 0, retry = strcmp(rest, "/retry") == 0;
    if (!id || (!cancel && !retry))
        return ft_reply_error(r, MHD_HTTP_NOT_FOUND, "no such resource: %s", r->path);
    ft_status st;
    if (cancel) {
        st = ft_job_runner_cancel(r->options->runner, id);
    } else {
        const unsigned retryable = FT_JOB_STATE_BIT(FT_JOB_FAILED) |
                                   FT_JOB_STATE_BIT(FT_JOB_CANCELLED) |
                                   FT_JOB_STATE_BIT(FT_JOB_INTERRUPTED);
        st = ft_job_store_set_state(r->options->jobs, id, retryable, FT_JOB_QUEUED, NULL);
        if (st == FT_OK)
            ft_job_runner_wake(r->options->runner);
    }
    if (st == FT_ERR_NOT_FOUND)
        return ft_reply_error(r, MHD_HTTP_NOT_FOUND, "no job %lld", (long long)id);
    ft_job *job = ft_job_store_load(r->options->jobs, id);
    if (!job)
        return ft_reply_error(r, MHD_HTTP_NOT_FOUND, "no job %lld", (long long)id);
    enum MHD_Result ok;
    if (st == FT_ERR_INVALID_ARG)
        ok = ft_reply_error(r, MHD_HTTP_CONFLICT, "job %lld is %s: %s", (long long)id,
                            ft_job_state_name(job->state),
                            cancel ? "only a queued or running job can be cancelled"
                                   : "only a failed, cancelled or interrupted job can be retried");
    else if (st != FT_OK)
        ok = ft_reply_error(r, MHD_HTTP_INTERNAL_SERVER_ERROR,
                            "cannot %s job %lld: the job database refused the write "
                            "(the server's log says why)",
                            cancel ? "cancel" : "retry", (long long)id);
    else
        ok = reply_job(r, job, MHD_HTTP_OK);
    ft_job_free(job);
    return ok;
}
