/* The original Flask app's routes, answered with its JSON shapes, so that
 * its web UI's calls and its users' scripts keep working: POST
 * /run/<STEP>, GET /status/<STEP> and /api/step_status/<STEP>, POST
 * /stop/<STEP> and /cancel/<STEP>, POST /run_custom_sequence and
 * /sequence/stop, GET
 * /sequence/status, /get_specific_log/<STEP>/<N> and /api/system_monitor.
 * STEP3 (shot detection) and STEP5 (tracking) run as this server's jobs,
 * over every video of the media roots (a sequence: one job of both): a
 * step's status is that of the newest job running that step. The original's other steps
 * answer 501, naming the step; an unknown step 404, as the original did.
 * The server's guards (host, origin, token) apply to these routes as to
 * every other. */
#include <stdarg.h>
#include <dirent.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include "base/meminfo.h"
#include "gpu/device_info.h"
#include "gpu/nvml_probe.h"
#include "serve/job_request.h"
#include "serve/job_runner.h"
#include "serve/job_store.h"
#include "serve/request.h"

#define LOG_LINES 300         /* the original's deque(maxlen=300) */
#define LOG_TAIL_BYTES 65536  /* read from the end of a job's log for them */
#define STATUS_VIDEOS 10000   /* videos loaded for a status */

typedef struct original_step {
    const char *key, *display_name;
    int job_step; /* 0: not run by this server */
    const char *instead; /* what to do instead, for the 501 */
} original_step;

static const original_step original_steps[] = {
    {"STEP1", "1. Extraction des archives", 0, "extract the archives before serving their folder"},
    {"STEP2", "2. Conversion des vidéos", 0,
     "facetrack reads every frame rate and numbers frames exactly; convert with ffmpeg if needed"},
    {"STEP3", "3. Analyse des transitions", FT_STEP_SCENES, NULL},
    {"STEP4", "4. Analyse audio", 0,
     "run the original's STEP4; its <stem>_audio.json beside a video fills the speaking fields"},
    {"STEP5", "5. Analyse du tracking", FT_STEP_TRACK, NULL},
    {"STEP6", "6. Réduction JSON", 0,
     "run `facetrack reduce` on the files, or a track job with the option format=reduced"},
    {"STEP7", "7. Finalisation", 0, "copy the outputs with the tools of your choice"},
};
#define STEP_COUNT (sizeof original_steps / sizeof original_steps[0])

static const original_step *find_step(const char *key)
{
    for (size_t i = 0; i < STEP_COUNT; i++)
        if (strcmp(original_steps[i].key, key) == 0)
            return &original_steps[i];
    return NULL;
}

/* {"status": STATUS, "message": MESSAGE}, the original's answer to actions. */
static enum MHD_Result reply_message(const ft_request *r, unsigned code, const char *status,
                                     const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static enum MHD_Result reply_message(const ft_request *r, unsigned code, const char *status,
                                     const char *fmt, ...)
{
    char message[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    ft_reply reply;
    ft_reply_begin(&reply);
    ft_json_object_begin(&reply.json);
    ft_json_kv_string(&reply.json, "status", status);
    ft_json_kv_string(&reply.json, "message", message);
    ft_json_object_end(&reply.json);
    return ft_reply_send(r, &reply, code);
}

/* The step named after PREFIX in the path; replies itself (404 unknown,
 * 501 not run here) and returns NULL when there is none to act on. */
static const original_step *step_of(const ft_request *r, const char *prefix,
                                    enum MHD_Result *replied)
{
    const char *key = r->path + strlen(prefix);
    const original_step *step = find_step(key);
    if (!step) {
        /* the original's message for a step it does not know */
        *replied = reply_message(r, MHD_HTTP_NOT_FOUND, "error", "Étape inconnue: %.40s", key);
        return NULL;
    }
    if (!step->job_step) {
        *replied = reply_message(r, MHD_HTTP_NOT_IMPLEMENTED, "error",
                                 "%s (%s) is not run by facetrack serve: %s", step->key,
                                 step->display_name, step->instead);
        return NULL;
    }
    return step;
}

/* The newest job that runs STEP (a summary of at most MAX videos), or NULL. */
static ft_job *newest_job(const ft_request *r, int step, size_t max)
{
    int64_t ids[64];
    int64_t before = 0;
    for (;;) {
        const size_t n = ft_job_store_page(r->options->jobs, before, ids, 64);
        for (size_t i = 0; i < n; i++) {
            ft_job *job = ft_job_store_load_summary(r->options->jobs, ids[i], max);
            if (job && (job->steps & step))
                return job;
            ft_job_free(job);
        }
        if (n < 64)
            return NULL;
        before = ids[n - 1];
    }
}

/* ------------------------------------------------------------ run, stop */

/* A queued job of STEPS over every video of the media roots. 200 when
 * made, 204 when the roots hold no video, else the error's status (ERR). */
static unsigned create_job(const ft_request *r, int steps, char *err, size_t err_size)
{
    ft_job *job = calloc(1, sizeof *job);
    snprintf(err, err_size, "out of memory");
    unsigned status = job ? MHD_HTTP_OK : MHD_HTTP_INTERNAL_SERVER_ERROR;
    if (job) {
        job->steps = steps;
        job->options = strdup("{}");
        status = job->options ? MHD_HTTP_OK : MHD_HTTP_INTERNAL_SERVER_ERROR;
    }
    for (int root = 0; root < r->options->roots.count && status == MHD_HTTP_OK; root++) {
        const ft_job_input input = {root, (char *)""};
        status = ft_api_add_job_input(r, &input, job, err, err_size);
    }
    if (status == MHD_HTTP_OK && job->video_count == 0)
        status = MHD_HTTP_NO_CONTENT;
    if (status == MHD_HTTP_OK && ft_job_store_create(r->options->jobs, job) != FT_OK) {
        snprintf(err, err_size, "the job database refused the write");
        status = MHD_HTTP_INTERNAL_SERVER_ERROR;
    }
    ft_job_free(job);
    if (status == MHD_HTTP_OK)
        ft_job_runner_wake(r->options->runner);
    return status;
}

/* POST /run/<STEP>: a job of that step over every video of the media roots
 * (complete outputs are skipped, as the original skipped done videos). */
enum MHD_Result ft_api_original_run(const ft_request *r)
{
    enum MHD_Result replied;
    const original_step *step = step_of(r, "/run/", &replied);
    if (!step)
        return replied;
    ft_job *last = newest_job(r, step->job_step, 0);
    const int busy = last && !ft_job_state_ended(last->state);
    ft_job_free(last);
    if (busy)
        return reply_message(r, MHD_HTTP_CONFLICT, "error", "'%s' est déjà en cours.",
                             step->display_name);
    char err[512];
    const unsigned status = create_job(r, step->job_step, err, sizeof err);
    if (status == MHD_HTTP_NO_CONTENT) /* the original marked the step completed at once */
        return reply_message(r, MHD_HTTP_OK, "initiated", "Aucune vidéo à traiter pour: %s",
                             step->display_name);
    if (status != MHD_HTTP_OK)
        return reply_message(r, status, "error", "%s: %s", step->display_name, err);
    return reply_message(r, MHD_HTTP_ACCEPTED, "initiated", "Lancement de: %s",
                         step->display_name);
}

/* POST /stop/<STEP> and /cancel/<STEP>: stops the step's running job. The
 * original answered 200 to a stop of a step not running, 400 to a cancel. */
enum MHD_Result ft_api_original_stop(const ft_request *r)
{
    const int cancel = strncmp(r->path, "/cancel/", 8) == 0;
    enum MHD_Result replied;
    const original_step *step = step_of(r, cancel ? "/cancel/" : "/stop/", &replied);
    if (!step)
        return replied;
    ft_job *job = newest_job(r, step->job_step, 0);
    const int running = job && !ft_job_state_ended(job->state);
    const int64_t id = job ? job->id : 0;
    ft_job_free(job);
    if (!running || ft_job_runner_cancel(r->options->runner, id) != FT_OK)
        return reply_message(r, cancel ? MHD_HTTP_BAD_REQUEST : MHD_HTTP_OK, "error",
                             "Step '%s' is not running", step->key);
    return reply_message(r, MHD_HTTP_OK, "success", "Step '%s' stopped successfully", step->key);
}

/* ------------------------------------------------------------ status */

static const char *status_name(const ft_job *job, int step)
{
    if (!job)
        return "idle";
    /* A job of several steps (a sequence) runs them in order. */
    if (job->state == FT_JOB_RUNNING && job->step && job->step != step)
        return step < job->step ? "completed" : "starting";
    switch (job->state) {
    case FT_JOB_QUEUED: return "starting";
    case FT_JOB_RUNNING: return "running";
    case FT_JOB_SUCCEEDED: return "completed";
    case FT_JOB_CANCELLED: return "stopped";
    default: return "failed"; /* failed, interrupted */
    }
}

/* "2m 30s", as the original's calculate_step_duration wrote it. */
static void duration_text(double s, char *buf, size_t size)
{
    if (s < 60)
        snprintf(buf, size, "%ds", (int)s);
    else if (s < 3600)
        snprintf(buf, size, "%dm %ds", (int)(s / 60), (int)s % 60);
    else
        snprintf(buf, size, "%dh %dm", (int)(s / 3600), (int)s % 3600 / 60);
}

/* An ISO 8601 UTC time ("2026-01-02T11:05:17Z") as seconds since the epoch. */
static double parse_utc(const char *text)
{
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    if (!text || sscanf(text, "%d-%d-%dT%d:%d:%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                        &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6)
        return -1;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    return (double)timegm(&tm);
}

/* The lines of the job's log, the last LOG_LINES of them, HTML-escaped as
 * the original escaped its log deque. */
static void write_log(const ft_request *r, const ft_job *job, ft_json *j)
{
    ft_json_key(j, "log");
    ft_json_array_begin(j);
    char path[PATH_MAX + 64];
    ft_job_log_path(r->options->runner, job->id, path, sizeof path);
    const int fd = open(path, O_RDONLY | O_CLOEXEC);
    char *text = fd >= 0 ? malloc(LOG_TAIL_BYTES + 1) : NULL;
    if (text) {
        const off_t end = lseek(fd, 0, SEEK_END);
        const off_t from = end > LOG_TAIL_BYTES ? end - LOG_TAIL_BYTES : 0;
        const ssize_t n = end >= 0 ? pread(fd, text, (size_t)(end - from), from) : -1;
        text[n > 0 ? n : 0] = '\0';
        /* Whole lines only: a cut first line is left out. */
        char *start = from > 0 && strchr(text, '\n') ? strchr(text, '\n') + 1 : text;
        size_t lines = 0;
        for (char *p = start; *p; p++)
            lines += *p == '\n';
        size_t skip = lines > LOG_LINES ? lines - LOG_LINES : 0;
        for (char *line = start; *line;) {
            char *nl = strchr(line, '\n');
            if (nl)
                *nl = '\0';
            if (skip > 0) {
                skip--;
            } else if (*line) {
                char escaped[4096];
                size_t k = 0;
                for (const char *c = line; *c && k + 8 < sizeof escaped; c++) {
                    const char *e = *c == '&'   ? "&amp;"
                                    : *c == '<' ? "&lt;"
                                    : *c == '>' ? "&gt;"
                                    : *c == '"' ? "&quot;"
                                    : *c == '\'' ? "&#x27;"
                                                 : NULL;
                    if (e) {
                        memcpy(escaped + k, e, strlen(e));
                        k += strlen(e);
                    } else {
                        escaped[k++] = *c;
                    }
                }
                escaped[k] = '\0';
                ft_json_string(j, escaped);
            }
            if (!nl)
                break;
            line = nl + 1;
        }
    }
    free(text);
    if (fd >= 0)
        close(fd);
    ft_json_array_end(j);
}

static const char *file_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

/* The original's status object of STEP, with its log when WITH_LOG. */
static enum MHD_Result reply_status(const ft_request *r, const char *prefix, int with_log)
{
    enum MHD_Result replied;
    const char *key = r->path + strlen(prefix);
    const original_step *step = find_step(key);
    if (!step)
        return reply_message(r, MHD_HTTP_NOT_FOUND, "error",
                             "Step '%.40s' not found or not initialized", key);
    ft_job *job = step->job_step ? newest_job(r, step->job_step, STATUS_VIDEOS) : NULL;
    (void)replied;
    ft_reply reply;
    ft_reply_begin(&reply);
    ft_json *j = &reply.json;
    ft_json_object_begin(j);
    ft_json_kv_string(j, "step", step->key);
    ft_json_kv_string(j, "display_name", step->display_name);
    const char *status = status_name(job, step->job_step);
    ft_json_kv_string(j, "status", status);
    ft_json_key(j, "return_code");
    if (strcmp(status, "completed") == 0)
        ft_json_int(j, 0);
    else if (job && job->state == FT_JOB_CANCELLED)
        ft_json_int(j, -1);
    else if (job && ft_job_state_ended(job->state))
        ft_json_int(j, 1);
    else
        ft_json_null(j);
    /* Videos finished count whole; the running ones by their frames, each
     * below one (the original's files_completed + min(0.99, percent)). */
    size_t finished = 0;
    double fraction = 0;
    char text[4096] = "";
    size_t used = 0;
    const int this_step = job && (job->step == step->job_step || job->step == 0);
    for (size_t i = 0; job && this_step && i < job->video_count; i++) {
        const ft_job_video *v = &job->videos[i];
        if (v->state == FT_VIDEO_DONE || v->state == FT_VIDEO_SKIPPED || v->state == FT_VIDEO_FAILED) {
            finished++;
        } else if (v->state == FT_VIDEO_RUNNING) {
            const double f = v->frames > 0 ? (double)v->frames_done / (double)v->frames : 0;
            fraction += f < 0.99 ? f : 0.99;
            const int n = snprintf(text + used, sizeof text - used, "%s%s: %d%%", used ? "\n" : "",
                                   file_name(v->path), (int)(100 * (f < 1 ? f : 1)));
            if (n > 0 && (size_t)n < sizeof text - used)
                used += (size_t)n;
        }
    }
    if (job && job->has_run && job->run.step == step->job_step && this_step) {
        const int n = snprintf(text + used, sizeof text - used,
                               "%sTotal %lld%% (%lld/%lld frames, %.0f fps)", used ? "\n" : "",
                               (long long)job->run.percent, (long long)job->run.frames_done,
                               (long long)job->run.frames, job->run.fps);
        if (n > 0 && (size_t)n < sizeof text - used)
            used += (size_t)n;
    }
    const int64_t total = job ? (int64_t)job->total_videos : 0;
    const int64_t current = strcmp(status, "completed") == 0 ? total
                            : strcmp(status, "starting") == 0 ? 0
                                                              : (int64_t)finished;
    ft_json_kv_int(j, "progress_current", current);
    ft_json_kv_int(j, "progress_total", total);
    ft_json_key(j, "progress_current_fractional");
    if (strcmp(status, "running") == 0)
        ft_json_double_places(j, (double)finished + fraction, 2);
    else
        ft_json_null(j);
    ft_json_kv_string(j, "progress_text", text);
    ft_json_key(j, "duration_str");
    const double started = job ? parse_utc(job->started_at) : -1;
    if (started >= 0) {
        const double finished_at = parse_utc(job->finished_at);
        char d[32];
        duration_text((finished_at >= 0 ? finished_at : (double)time(NULL)) - started, d, sizeof d);
        ft_json_string(j, d);
    } else {
        ft_json_null(j);
    }
    ft_json_kv_bool(j, "is_any_sequence_running", 0);
    if (with_log) {
        if (job) {
            write_log(r, job, j);
        } else {
            ft_json_key(j, "log");
            ft_json_array_begin(j);
            ft_json_array_end(j);
        }
    }
    ft_json_object_end(j);
    ft_job_free(job);
    return ft_reply_send(r, &reply, MHD_HTTP_OK);
}

enum MHD_Result ft_api_original_status(const ft_request *r)
{
    return reply_status(r, "/status/", 1);
}

enum MHD_Result ft_api_original_step_status(const ft_request *r)
{
    return reply_status(r, "/api/step_status/", 0);
}

static int step_count(int steps)
{
    int n = 0;
    for (int b = 1; b <= FT_STEP_TRACK; b <<= 1)
        n += (steps & b) != 0;
    return n;
}

static const char *original_key(int job_step)
{
    for (size_t i = 0; i < STEP_COUNT; i++)
        if (original_steps[i].job_step == job_step)
            return original_steps[i].key;
    return NULL;
}

/* GET /sequence/status: a sequence is a job of several steps; the newest
 * one tells. */
enum MHD_Result ft_api_original_sequence(const ft_request *r)
{
    ft_job *job = newest_job(r, FT_STEP_SCENES | FT_STEP_TRACK, 0);
    if (job && step_count(job->steps) < 2) {
        ft_job_free(job);
        job = NULL;
    }
    const int running = job && !ft_job_state_ended(job->state);
    ft_reply reply;
    ft_reply_begin(&reply);
    ft_json *j = &reply.json;
    ft_json_object_begin(j);
    ft_json_kv_bool(j, "is_running", running);
    ft_json_key(j, "current_step");
    ft_json_string(j, running && job->step ? original_key(job->step) : NULL);
    int done = 0;
    for (int b = 1; job && b <= FT_STEP_TRACK; b <<= 1)
        done += (job->steps & b) && (job->state == FT_JOB_SUCCEEDED || (running && job->step > b));
    ft_json_key(j, "progress");
    ft_json_object_begin(j);
    ft_json_kv_int(j, "current", done);
    ft_json_kv_int(j, "total", job ? step_count(job->steps) : 0);
    ft_json_object_end(j);
    ft_json_key(j, "last_outcome");
    if (job && !running) {
        ft_json_object_begin(j);
        ft_json_kv_string(j, "status", job->state == FT_JOB_SUCCEEDED ? "success"
                                       : job->state == FT_JOB_CANCELLED ? "stopped"
                                                                        : "failed");
        ft_json_object_end(j);
    } else {
        ft_json_null(j);
    }
    ft_json_object_end(j);
    ft_job_free(job);
    return ft_reply_send(r, &reply, MHD_HTTP_OK);
}

/* POST /sequence/stop: cancels the running job of several steps; 409
 * "Aucune séquence en cours d'exécution" when there is none. */
enum MHD_Result ft_api_original_stop_sequence(const ft_request *r)
{
    ft_job *job = newest_job(r, FT_STEP_SCENES | FT_STEP_TRACK, 0);
    const int running = job && step_count(job->steps) >= 2 && !ft_job_state_ended(job->state);
    const int64_t id = job ? job->id : 0;
    const char *current = running && job->step ? original_key(job->step) : NULL;
    char stopped[16];
    snprintf(stopped, sizeof stopped, "%s", current ? current : "none");
    ft_job_free(job);
    if (!running || ft_job_runner_cancel(r->options->runner, id) != FT_OK)
        return reply_message(r, MHD_HTTP_CONFLICT, "error", "Aucune séquence en cours d'exécution");
    return reply_message(r, MHD_HTTP_OK, "success", "Sequence stopped. Stopped steps: %s", stopped);
}

/* POST /run_custom_sequence {"steps": ["STEP3", "STEP5"]}: one job of
 * those steps, run in order. */
enum MHD_Result ft_api_original_run_sequence(const ft_request *r)
{
    json_object *body = r->body ? json_tokener_parse(r->body) : NULL;
    json_object *list = NULL;
    if (!json_object_is_type(body, json_type_object) ||
        !json_object_object_get_ex(body, "steps", &list) ||
        !json_object_is_type(list, json_type_array)) {
        json_object_put(body);
        return reply_message(r, MHD_HTTP_BAD_REQUEST, "error", "Invalid steps list");
    }
    int steps = 0;
    char unsupported[256] = "";
    const size_t n = json_object_array_length(list);
    for (size_t i = 0; i < n; i++) {
        const char *key = json_object_get_string(json_object_array_get_idx(list, i));
        const original_step *step = key ? find_step(key) : NULL;
        if (!step) {
            enum MHD_Result replied = reply_message(r, MHD_HTTP_BAD_REQUEST, "error",
                                                    "Étape inconnue : %.40s", key ? key : "");
            json_object_put(body);
            return replied;
        }
        if (!step->job_step) {
            const size_t used = strlen(unsupported);
            snprintf(unsupported + used, sizeof unsupported - used, "%s%s", used ? ", " : "",
                     step->key);
        }
        steps |= step->job_step;
    }
    json_object_put(body);
    if (unsupported[0])
        return reply_message(r, MHD_HTTP_NOT_IMPLEMENTED, "error",
                             "not run by facetrack serve: %s (only STEP3 and STEP5 are)",
                             unsupported);
    if (!steps)
        return reply_message(r, MHD_HTTP_BAD_REQUEST, "error", "Invalid steps list");
    ft_job *last = newest_job(r, steps, 0);
    const int busy = last && !ft_job_state_ended(last->state);
    ft_job_free(last);
    if (busy)
        return reply_message(r, MHD_HTTP_CONFLICT, "error",
                             "Une autre séquence de workflow est déjà en cours.");
    char err[512];
    const unsigned status = create_job(r, steps, err, sizeof err);
    if (status != MHD_HTTP_OK)
        return reply_message(r, status, "error", "%s", err);
    return reply_message(r, MHD_HTTP_ACCEPTED, "initiated",
                         "Séquence personnalisée lancée avec %zu étapes.", n);
}

/* ------------------------------------------------------------ specific logs */

/* The original's "Logs Spécifiques" of a step: the newest file of a
 * folder matching a pattern, its last lines. */
typedef struct specific_log {
    const char *step, *folder, *prefix, *infix; /* name starts with PREFIX and holds INFIX */
    const char *pattern;                        /* as the original named it */
    int lines;
} specific_log;

static const specific_log specific_logs[] = {
    {"STEP3", "logs/step3", "", ".log", "*.log", 150},
    {"STEP5", "logs/step5", "manager_tracking", ".log", "manager_tracking*.log", 100},
    {"STEP5", "logs/step5", "", "worker_CPU", "*worker_CPU*.log", 100},
    {"STEP5", "logs/step5", "", "worker_GPU", "*worker_GPU*.log", 100},
};

/* The last LINES lines of PATH (at most 256 KiB of it) into a new string. */
static char *read_tail(const char *path, int lines)
{
    const int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    const off_t end = lseek(fd, 0, SEEK_END);
    const off_t from = end > 262144 ? end - 262144 : 0;
    char *text = end >= 0 ? malloc((size_t)(end - from) + 1) : NULL;
    const ssize_t n = text ? pread(fd, text, (size_t)(end - from), from) : -1;
    close(fd);
    if (n < 0) {
        free(text);
        return NULL;
    }
    text[n] = '\0';
    /* Back from the end (past its final newline) to the LINES-th newline. */
    char *start = text + n;
    if (start > text && start[-1] == '\n')
        start--;
    for (int seen = 0; start > text; start--)
        if (start[-1] == '\n' && ++seen == lines)
            break;
    memmove(text, start, strlen(start) + 1);
    return text;
}

/* GET /get_specific_log/STEP/N: {content, error, path, type, lines_requested}. */
enum MHD_Result ft_api_original_specific_log(const ft_request *r)
{
    const char *rest = r->path + strlen("/get_specific_log/");
    char key[16];
    const char *slash = strchr(rest, '/');
    const size_t len = slash ? (size_t)(slash - rest) : strlen(rest);
    snprintf(key, sizeof key, "%.*s", (int)(len < sizeof key ? len : sizeof key - 1), rest);
    const original_step *step = find_step(key);
    char *end = NULL;
    const long index = slash && slash[1] ? strtol(slash + 1, &end, 10) : -1;
    if (!step || !end || *end || index < 0)
        return reply_message(r, MHD_HTTP_NOT_FOUND, "error", "Step not found");
    if (!step->job_step)
        return reply_message(r, MHD_HTTP_NOT_IMPLEMENTED, "error",
                             "%s (%s) is not run by facetrack serve: %s", step->key,
                             step->display_name, step->instead);
    const specific_log *log = NULL;
    long k = index;
    for (size_t i = 0; i < sizeof specific_logs / sizeof *specific_logs && !log; i++)
        if (strcmp(specific_logs[i].step, step->key) == 0 && k-- == 0)
            log = &specific_logs[i];
    if (!log)
        return reply_message(r, MHD_HTTP_NOT_FOUND, "error", "Log index out of range");
    char folder[PATH_MAX], newest[PATH_MAX + 256] = "";
    snprintf(folder, sizeof folder, "%s/%s", r->options->data_dir ? r->options->data_dir : ".",
             log->folder);
    DIR *d = opendir(folder);
    double newest_time = -1;
    for (struct dirent *e; d && (e = readdir(d));) {
        const size_t n = strlen(e->d_name);
        if (strncmp(e->d_name, log->prefix, strlen(log->prefix)) != 0 ||
            !strstr(e->d_name, log->infix) || n < 4 || strcmp(e->d_name + n - 4, ".log") != 0)
            continue;
        char path[PATH_MAX + 256];
        struct stat st;
        snprintf(path, sizeof path, "%s/%s", folder, e->d_name);
        if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
            const double t = (double)st.st_mtim.tv_sec + st.st_mtim.tv_nsec * 1e-9;
            if (t > newest_time) {
                newest_time = t;
                snprintf(newest, sizeof newest, "%s", path);
            }
        }
    }
    if (d)
        closedir(d);
    char *content = NULL, message[2 * PATH_MAX + 512], shown[2 * PATH_MAX + 512];
    const char *error = NULL;
    snprintf(shown, sizeof shown, "%s/%s", folder, log->pattern);
    if (!d) {
        error = "Répertoire non trouvé";
        snprintf(message, sizeof message, "Répertoire non trouvé: %s", folder);
        snprintf(shown, sizeof shown, "%s", folder);
    } else if (!newest[0]) {
        error = "Aucun fichier trouvé";
        snprintf(message, sizeof message, "Aucun fichier correspondant au pattern '%s' dans %s",
                 log->pattern, folder);
    } else if (!(content = read_tail(newest, log->lines))) {
        error = "Erreur de lecture";
        snprintf(message, sizeof message, "Impossible de lire le fichier: %s", newest);
    } else {
        snprintf(shown, sizeof shown, "%s", newest);
    }
    ft_reply reply;
    ft_reply_begin(&reply);
    ft_json *j = &reply.json;
    ft_json_object_begin(j);
    ft_json_kv_string(j, "content", content ? (*content ? content : "Fichier vide.") : message);
    ft_json_key(j, "error");
    ft_json_string(j, error);
    ft_json_kv_string(j, "path", shown);
    ft_json_kv_string(j, "type", "directory_latest");
    ft_json_kv_int(j, "lines_requested", log->lines);
    ft_json_object_end(j);
    free(content);
    return ft_reply_send(r, &reply, MHD_HTTP_OK);
}

/* ------------------------------------------------------------ system monitor */

/* Busy and total jiffies of all CPUs, from /proc/stat; 0 on success. */
static int cpu_times(unsigned long long *busy, unsigned long long *all)
{
    FILE *f = fopen("/proc/stat", "r");
    unsigned long long v[8] = {0};
    const int n = f ? fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2],
                             &v[3], &v[4], &v[5], &v[6], &v[7])
                    : 0;
    if (f)
        fclose(f);
    if (n < 4)
        return -1;
    *all = 0;
    for (int i = 0; i < 8; i++)
        *all += v[i];
    *busy = *all - v[3] - v[4]; /* idle and iowait */
    return 0;
}

/* The CPUs' use over 0.1 s, as psutil.cpu_percent(interval=0.1). */
static double cpu_percent(void)
{
    unsigned long long b0, a0, b1, a1;
    if (cpu_times(&b0, &a0) != 0)
        return 0;
    const struct timespec pause = {0, 100 * 1000 * 1000};
    nanosleep(&pause, NULL);
    if (cpu_times(&b1, &a1) != 0 || a1 <= a0)
        return 0;
    return 100.0 * (double)(b1 - b0) / (double)(a1 - a0);
}

/* KEY of /proc/meminfo in bytes, 0 when absent (the original's psutil
 * figures are never negative). */
static long long meminfo_bytes(const char *key)
{
    const long long v = ft_meminfo_bytes(key);
    return v < 0 ? 0 : v;
}

static void kv_round(ft_json *j, const char *key, double v, int places)
{
    ft_json_key(j, key);
    ft_json_double_places(j, v, places);
}

#define GB (1024.0 * 1024.0 * 1024.0)

/* GET /api/system_monitor: {cpu_percent, memory, gpu, disk, timestamp}, as
 * the original's MonitoringService.get_system_status wrote them. */
enum MHD_Result ft_api_original_system_monitor(const ft_request *r)
{
    ft_reply reply;
    ft_reply_begin(&reply);
    ft_json *j = &reply.json;
    ft_json_object_begin(j);
    kv_round(j, "cpu_percent", cpu_percent(), 1);

    const double total = (double)meminfo_bytes("MemTotal");
    const double available = (double)meminfo_bytes("MemAvailable");
    /* psutil's "used": total - free - buffers - cached (- reclaimable slab) */
    const double used = total - (double)meminfo_bytes("MemFree") - (double)meminfo_bytes("Buffers") -
                        (double)meminfo_bytes("Cached") - (double)meminfo_bytes("SReclaimable");
    ft_json_key(j, "memory");
    ft_json_object_begin(j);
    kv_round(j, "percent", total > 0 ? 100.0 * (total - available) / total : 0, 1);
    kv_round(j, "used_gb", (used > 0 ? used : 0) / GB, 2);
    kv_round(j, "total_gb", total / GB, 2);
    kv_round(j, "available_gb", available / GB, 2);
    ft_json_object_end(j);

    /* The first GPU, as the original's pynvml handle 0; null without one. */
    ft_json_key(j, "gpu");
    ft_gpu_props p;
    ft_nvml_stats s;
    if (ft_gpu_device_count() > 0 && ft_gpu_device_props(0, &p) == 0) {
        const int nvml = ft_nvml_device_stats(p.pci_bus_id, &s) == 0;
        ft_json_object_begin(j);
        ft_json_kv_string(j, "name", p.name);
        ft_json_key(j, "utilization_percent");
        if (nvml && s.utilization_known)
            ft_json_int(j, s.gpu_percent);
        else
            ft_json_null(j);
        const double gtotal = nvml && s.memory_known ? (double)s.total_bytes : (double)p.total_bytes;
        const double gused = nvml && s.memory_known ? (double)s.used_bytes : 0;
        ft_json_key(j, "memory");
        ft_json_object_begin(j);
        kv_round(j, "percent", gtotal > 0 ? 100.0 * gused / gtotal : 0, 1);
        kv_round(j, "used_gb", gused / GB, 2);
        kv_round(j, "total_gb", gtotal / GB, 2);
        ft_json_object_end(j);
        ft_json_key(j, "temperature_c");
        ft_json_null(j); /* not read: NVML's utilisation and memory only */
        ft_json_object_end(j);
    } else {
        ft_json_null(j);
    }

    /* The data folder's disk, as the original measured its base folder's. */
    struct statvfs fs;
    const char *where = r->options->data_dir ? r->options->data_dir : ".";
    const int disk = statvfs(where, &fs) == 0 && fs.f_blocks > 0;
    const double dtotal = disk ? (double)fs.f_blocks * (double)fs.f_frsize : 0;
    const double dfree = disk ? (double)fs.f_bavail * (double)fs.f_frsize : 0;
    const double dused = disk ? (double)(fs.f_blocks - fs.f_bfree) * (double)fs.f_frsize : 0;
    ft_json_key(j, "disk");
    ft_json_object_begin(j);
    kv_round(j, "percent", dtotal > 0 ? 100.0 * dused / dtotal : 0, 1);
    kv_round(j, "used_gb", dused / GB, 2);
    kv_round(j, "total_gb", dtotal / GB, 2);
    kv_round(j, "free_gb", dfree / GB, 2);
    ft_json_object_end(j);

    char stamp[64];
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    struct tm tm;
    gmtime_r(&now.tv_sec, &tm);
    char day[40];
    strftime(day, sizeof day, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(stamp, sizeof stamp, "%s.%06ld+00:00", day, now.tv_nsec / 1000);
    ft_json_kv_string(j, "timestamp", stamp);
    ft_json_object_end(j);
    return ft_reply_send(r, &reply, MHD_HTTP_OK);
}
