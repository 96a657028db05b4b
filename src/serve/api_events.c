/* GET /api/events[?job=ID]: the jobs' changes as Server-Sent Events. Each
 * message is one job: "id: SEQ", "event: job", "data: {...}"; whole on
 * the stream of one job, a summary (its first videos, counts of all) on
 * the stream of every job, so that a job of 10,000 videos does not send
 * megabytes per change to every client. On
 * connecting, a client gets every job (or job ID) changed after the SEQ it
 * names in Last-Event-ID (or ?last_event_id=), all of them when it names
 * none: a browser that reconnects misses nothing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "serve/job_store.h"
#include "serve/request.h"

#define WAIT_SLICE_MS 1000    /* how often a waiting stream checks for a stop */
#define KEEPALIVE_SLICES 15   /* a comment line after this many quiet slices */
#define MAX_BATCH_JOBS 1000
#define RETRY_MS 2000

typedef struct stream {
    ft_job_store *store;
    const atomic_int *stopping;
    int64_t job;      /* 0: every job */
    int64_t last_seq; /* what the client has */
    int quiet_slices;
    char *pending;    /* text not yet handed to the server */
    size_t pending_size, pending_used;
} stream;

static int by_seq(const void *a, const void *b)
{
    const ft_job *x = *(ft_job *const *)a, *y = *(ft_job *const *)b;
    return (x->seq > y->seq) - (x->seq < y->seq);
}

/* The jobs changed after s->last_seq, as event text into s->pending. */
static void collect(stream *s)
{
    const int64_t now = ft_job_store_seq(s->store); /* before reading: nothing is missed */
    int64_t *ids = malloc(MAX_BATCH_JOBS * sizeof *ids);
    ft_job **jobs = malloc(MAX_BATCH_JOBS * sizeof *jobs);
    size_t count = 0;
    const size_t n = ids && jobs ? ft_job_store_ids(s->store, s->last_seq, ids, MAX_BATCH_JOBS) : 0;
    for (size_t i = 0; i < n; i++)
        if ((!s->job || ids[i] == s->job) &&
            (jobs[count] = s->job ? ft_job_store_load(s->store, ids[i])
                                  : ft_job_store_load_summary(s->store, ids[i],
                                                              FT_JOB_SUMMARY_VIDEOS)))
            count++;
    qsort(jobs, count, sizeof *jobs, by_seq);
    FILE *out = open_memstream(&s->pending, &s->pending_size);
    for (size_t i = 0; out && i < count; i++) {
        fprintf(out, "id: %lld\nevent: job\ndata: ", (long long)now);
        ft_json j;
        ft_json_init(&j, out, 0); /* one line: no newline inside the data */
        ft_job_write_json(jobs[i], &j);
        ft_json_finish(&j); /* ends the line */
        fputc('\n', out);
    }
    for (size_t i = 0; i < count; i++)
        ft_job_free(jobs[i]);
    if (out)
        fclose(out);
    free(ids);
    free(jobs);
    s->pending_used = 0;
    s->last_seq = now;
}

static ssize_t read_stream(void *cls, uint64_t pos, char *buf, size_t max)
{
    (void)pos;
    stream *s = cls;
    while (!s->pending || s->pending_used == s->pending_size) {
        free(s->pending);
        s->pending = NULL;
        if (atomic_load(s->stopping))
            return MHD_CONTENT_READER_END_OF_STREAM;
        if (ft_job_store_seq(s->store) > s->last_seq) {
            collect(s);
            s->quiet_slices = 0;
            continue;
        }
        if (++s->quiet_slices > KEEPALIVE_SLICES) {
            s->quiet_slices = 0;
            memcpy(buf, ": keep-alive\n\n", 14);
            return 14;
        }
        ft_job_store_wait(s->store, s->last_seq, WAIT_SLICE_MS);
    }
    const size_t n = s->pending_size - s->pending_used < max ? s->pending_size - s->pending_used : max;
    memcpy(buf, s->pending + s->pending_used, n);
    s->pending_used += n;
    return (ssize_t)n;
}

static void free_stream(void *cls)
{
    stream *s = cls;
    free(s->pending);
    free(s);
}

/* A non-negative number, or -1. */
static int64_t number(const char *text)
{
    if (!text || !*text)
        return -1;
    char *end;
    const long long v = strtoll(text, &end, 10);
    return *end || v < 0 ? -1 : v;
}

enum MHD_Result ft_api_events(const ft_request *r)
{
    const char *job_arg = ft_request_arg(r, "job");
    const int64_t job = job_arg ? number(job_arg) : 0;
    if (job < 0)
        return ft_reply_error(r, MHD_HTTP_BAD_REQUEST, "job must be a job number");
    if (job) {
        ft_job *known = ft_job_store_load(r->options->jobs, job);
        ft_job_free(known);
        if (!known)
            return ft_reply_error(r, MHD_HTTP_NOT_FOUND, "no job %lld", (long long)job);
    }
    const char *last = MHD_lookup_connection_value(r->connection, MHD_HEADER_KIND, "Last-Event-ID");
    if (!last)
        last = ft_request_arg(r, "last_event_id");
    stream *s = calloc(1, sizeof *s);
    if (!s)
        return ft_reply_error(r, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory");
    *s = (stream){.store = r->options->jobs, .stopping = r->stopping, .job = job,
                  .last_seq = number(last)};
    /* The first message tells the browser how soon to reconnect. */
    FILE *out = open_memstream(&s->pending, &s->pending_size);
    if (out) {
        fprintf(out, "retry: %d\n\n", RETRY_MS);
        fclose(out);
    }
    struct MHD_Response *response =
        MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 16384, read_stream, s, free_stream);
    if (!response) {
        free_stream(s);
        return MHD_NO;
    }
    MHD_add_response_header(response, MHD_HTTP_HEADER_CONTENT_TYPE, "text/event-stream");
    MHD_add_response_header(response, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    MHD_add_response_header(response, "X-Accel-Buffering", "no");
    const enum MHD_Result ok = MHD_queue_response(r->connection, MHD_HTTP_OK, response);
    MHD_destroy_response(response);
    return ok;
}
