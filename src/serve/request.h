/* One API request as the routes see it, and the replies they make. */
#ifndef FT_SERVE_REQUEST_H
#define FT_SERVE_REQUEST_H

#include <microhttpd.h>
#include <stdatomic.h>
#include <stddef.h>

#include "base/json_writer.h"
#include "serve/server.h"

typedef struct ft_request {
    struct MHD_Connection *connection;
    const char *method;
    const char *path;   /* without the query */
    const char *body;   /* POST body, NUL-terminated; NULL without one */
    size_t body_size;
    const ft_server_options *options;
    const atomic_int *stopping; /* set when the server stops: long replies end */
} ft_request;

/* A query argument, or NULL. */
const char *ft_request_arg(const ft_request *r, const char *name);

/* A JSON reply being written: begin, write with ft_json_* on .json, send. */
typedef struct ft_reply {
    ft_json json;
    FILE *stream;
    char *text;
    size_t size;
} ft_reply;

void ft_reply_begin(ft_reply *reply);
/* Begins a reply about one media path, the object left open:
 * {"root": ROOT, "path": RELATIVE, ... */
void ft_reply_begin_media(ft_reply *reply, int root, const char *relative);
enum MHD_Result ft_reply_send(const ft_request *r, ft_reply *reply, unsigned status);

/* {"error": {"status": STATUS, "message": ...}} */
enum MHD_Result ft_reply_error(const ft_request *r, unsigned status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The file REAL (already confined), with its media type and Range support. */
enum MHD_Result ft_reply_file(const ft_request *r, const char *real);

/* ?root=N and PATH, resolved inside the media roots into REAL (PATH_MAX
 * bytes); on failure replies with the error itself (*FAILED) and returns 0. */
int ft_request_media_path(const ft_request *r, const char *path, char *real, int *root,
                          enum MHD_Result *failed);

/* The routes: each returns the result of queueing its reply. */
enum MHD_Result ft_api_health(const ft_request *r);
enum MHD_Result ft_api_version(const ft_request *r);
enum MHD_Result ft_api_system(const ft_request *r);
enum MHD_Result ft_api_roots(const ft_request *r);
enum MHD_Result ft_api_browse(const ft_request *r);
/* GET /media/ROOT/PATH: the file, with Range support. */
enum MHD_Result ft_api_media(const ft_request *r);
enum MHD_Result ft_api_engines(const ft_request *r);
enum MHD_Result ft_api_jobs_create(const ft_request *r);
enum MHD_Result ft_api_jobs_list(const ft_request *r);
/* GET /api/jobs/ID and /api/jobs/ID/log */
enum MHD_Result ft_api_job_get(const ft_request *r);
/* POST /api/jobs/ID/cancel and /api/jobs/ID/retry */
enum MHD_Result ft_api_job_action(const ft_request *r);
/* GET /api/events: Server-Sent Events of the jobs' changes. */
enum MHD_Result ft_api_events(const ft_request *r);
/* GET /api/results and /api/results/KIND */
enum MHD_Result ft_api_results(const ft_request *r);
/* GET /api/live, GET /api/live/N and /api/live/N/snapshot, POST
 * /api/live/N/start and /api/live/N/stop (api_live.c). */
enum MHD_Result ft_api_live_list(const ft_request *r);
enum MHD_Result ft_api_live_get(const ft_request *r);
enum MHD_Result ft_api_live_action(const ft_request *r);
/* GET /api/live/N/stream: the preview as MJPEG (api_live_stream.c). */
enum MHD_Result ft_api_live_stream(const ft_request *r);
/* GET / and /ui/NAME: the web UI's files (no token needed). */
enum MHD_Result ft_api_static(const ft_request *r);

/* The original Flask app's routes, in its JSON shapes (api_original.c). */
enum MHD_Result ft_api_original_run(const ft_request *r);          /* POST /run/STEP */
enum MHD_Result ft_api_original_stop(const ft_request *r);         /* POST /stop|cancel/STEP */
enum MHD_Result ft_api_original_status(const ft_request *r);       /* GET /status/STEP */
enum MHD_Result ft_api_original_step_status(const ft_request *r);  /* GET /api/step_status/STEP */
enum MHD_Result ft_api_original_sequence(const ft_request *r);     /* GET /sequence/status */
enum MHD_Result ft_api_original_run_sequence(const ft_request *r); /* POST /run_custom_sequence */
enum MHD_Result ft_api_original_stop_sequence(const ft_request *r); /* POST /sequence/stop */
enum MHD_Result ft_api_original_system_monitor(const ft_request *r); /* GET /api/system_monitor */
enum MHD_Result ft_api_original_specific_log(const ft_request *r); /* GET /get_specific_log/STEP/N */

struct ft_job;
struct ft_job_input;
/* Adds the videos of one input (a video, or a folder searched recursively)
 * of the media roots to JOB. Returns an HTTP status: 200, or the error's
 * (ERR set). */
unsigned ft_api_add_job_input(const ft_request *r, const struct ft_job_input *input,
                              struct ft_job *job, char *err, size_t err_size);

#endif
