/* The job runner (see job_runner.h). A scheduler thread claims queued jobs
 * while a slot is free; each job runs in a thread of its own that starts
 * the steps' child processes and reads their output. */
#define _GNU_SOURCE /* close_range, pipe2 */
#include "serve/job_runner.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/atomic_file.h"
#include "base/clock.h"
#include "base/rotating_log.h"
#include "serve/job_options.h"
#include "track/outputs.h"
#include "track/progress_events.h"

#define KILL_GRACE_S 5.0     /* SIGTERM, then SIGKILL after this long */
#define SAVE_INTERVAL_S 0.25 /* progress written at most this often per video */
#define LINE_MAX_BYTES 65536
#define MAX_FLAGS 32

typedef struct slot {
    int used;
    int64_t job_id;
    pid_t pid; /* the running step's process group; 0 between steps */
    int cancel;
} slot;

struct ft_job_runner {
    ft_job_store *store;
    char data_dir[PATH_MAX];
    char exe[PATH_MAX];
    int max_jobs;
    char **cluster_argv; /* with a Slurm executor: "cluster", "run", its options */
    size_t cluster_argc;
    slot *slots;
    int active; /* job threads alive */
    int stopping;
    pthread_mutex_t lock;
    pthread_cond_t wake, idle;
    pthread_t scheduler;
};

void ft_job_log_path(const ft_job_runner *r, int64_t id, char *out, size_t size)
{
    snprintf(out, size, "%s/jobs/%lld.log", r->data_dir, (long long)id);
}

/* ------------------------------------------------------------ one job */

typedef struct job_run {
    ft_job_runner *runner;
    slot *slot;
    ft_job *job;
    int step;
    int log_fd;
    double *saved_at; /* per video: when its progress was last written */
    char last_stderr[512];
    int failed_videos;
    size_t last_event_video; /* where the search for the next event's video starts */
    ft_rotating_log *step3_log; /* the scenes step's log in the original's logs/step3 */
    size_t step3_total, step3_started, step3_succeeded;
} job_run;

static void log_line(job_run *run, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A line of the scenes step's log, as the original's run_transnet.py
 * logged it ("2026-01-02 11:05:17,123 - INFO - ..."). */
static void step3_line(job_run *run, const char *level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void step3_line(job_run *run, const char *level, const char *fmt, ...)
{
    if (!run->step3_log)
        return;
    char text[1024], when[32], line[1200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    struct tm tm;
    localtime_r(&now.tv_sec, &tm);
    strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", &tm);
    snprintf(line, sizeof line, "%s,%03ld - %s - %s", when, now.tv_nsec / 1000000, level, text);
    ft_rotating_log_line(run->step3_log, line);
}

/* Opens DATA-DIR/logs/step3/transnet_pytorch_<time>.log for a scenes step
 * of TODO videos; a log that cannot be made is said in the job's log. */
static void step3_open(job_run *run, size_t todo)
{
    char dir[PATH_MAX + 32], path[PATH_MAX + 96], day[32], err[PATH_MAX + 128];
    snprintf(dir, sizeof dir, "%s/logs", run->runner->data_dir);
    mkdir(dir, 0755);
    snprintf(dir, sizeof dir, "%s/logs/step3", run->runner->data_dir);
    mkdir(dir, 0755);
    const time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    strftime(day, sizeof day, "%Y%m%d_%H%M%S", &tm);
    snprintf(path, sizeof path, "%s/transnet_pytorch_%s_job%lld.log", dir, day,
             (long long)run->job->id);
    if (ft_rotating_log_open(path, 10 << 20, 5, &run->step3_log, err, sizeof err) != FT_OK) {
        log_line(run, "%s", err);
        return;
    }
    run->step3_total = todo;
    run->step3_started = run->step3_succeeded = 0;
    step3_line(run, "INFO", "TOTAL_VIDEOS_TO_PROCESS: %zu", todo);
}

static void step3_close(job_run *run)
{
    if (!run->step3_log)
        return;
    step3_line(run, "INFO", "--- Analyse terminée. %zu/%zu réussie(s). ---", run->step3_succeeded,
               run->step3_total);
    ft_rotating_log_close(run->step3_log);
    run->step3_log = NULL;
}

/* The file name of PATH without its folder and extension. */
static void stem_of(const char *path, char *out, size_t size)
{
    const char *slash = strrchr(path, '/');
    snprintf(out, size, "%s", slash ? slash + 1 : path);
    char *dot = strrchr(out, '.');
    if (dot && dot != out)
        *dot = '\0';
}

static void log_text(job_run *run, const char *text)
{
    if (run->log_fd >= 0 && write(run->log_fd, text, strlen(text)) < 0) {
        /* a full disk must not stop the job; the log is a convenience */
    }
}

static void log_line(job_run *run, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void log_line(job_run *run, const char *fmt, ...)
{
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line - 1, fmt, ap);
    va_end(ap);
    strcat(line, "\n");
    log_text(run, line);
}

static void save_video(job_run *run, size_t i)
{
    ft_job_store_update_video(run->runner->store, run->job->id, i, &run->job->videos[i]);
    run->saved_at[i] = ft_now_s();
}

static void set_text(char **field, const char *text)
{
    free(*field);
    *field = text ? strdup(text) : NULL;
}

/* Whether RUN's job was cancelled (or the server is stopping): checked at
 * every stage, so that neither waits on a long one. */
static int cancelled(job_run *run)
{
    pthread_mutex_lock(&run->runner->lock);
    const int cancel = run->slot->cancel;
    pthread_mutex_unlock(&run->runner->lock);
    return cancel;
}

/* A video finished RUN's step: DONE, SKIPPED, or failed with REASON. */
static void video_finished(job_run *run, size_t i, int skipped, const char *reason)
{
    ft_job_video *v = &run->job->videos[i];
    if (reason) {
        v->state = FT_VIDEO_FAILED;
        set_text(&v->error, reason);
        run->failed_videos++;
        log_line(run, "%s: %s failed: %s", v->path, ft_job_step_name(run->step), reason);
    } else {
        v->done_steps |= run->step;
        if (skipped)
            v->skipped_steps |= run->step;
        const int all = (v->done_steps & run->job->steps) == run->job->steps;
        const int all_skipped = (v->skipped_steps & run->job->steps) == run->job->steps;
        v->state = !all ? FT_VIDEO_PENDING : all_skipped ? FT_VIDEO_SKIPPED : FT_VIDEO_DONE;
        v->step = 0;
        v->frames_done = all ? v->frames : 0;
        log_line(run, "%s: %s %s", v->path, ft_job_step_name(run->step),
                 skipped ? "skipped (output already complete)" : "done");
    }
    save_video(run, i);
}

/* One line of the child's standard output: a progress event
 * (track/progress_events.h). */
static void handle_event(job_run *run, const char *line)
{
    ft_progress_event e;
    const int parsed = ft_progress_event_parse(line, &e) == FT_OK;
    /* The child reports the videos in the order given: the search starts at
     * the last one found, so that a job of 10,000 stays linear. */
    const size_t n = run->job->video_count;
    size_t i = n;
    for (size_t k = 0; parsed && e.video && k < n && i == n; k++) {
        const size_t at = (run->last_event_video + k) % n;
        if (strcmp(run->job->videos[at].file, e.video) == 0)
            i = run->last_event_video = at;
    }
    if (!parsed || !e.video || i == run->job->video_count) {
        if (!parsed || (e.type != FT_EVENT_START && e.type != FT_EVENT_SUMMARY))
            log_line(run, "%s", line);
        ft_progress_event_clear(&e);
        return;
    }
    /* A cancelled child reports each video it will not do: they all become
     * pending at the end in one write, not 10,000. Finished ones are kept. */
    if (e.type != FT_EVENT_DONE && e.type != FT_EVENT_SKIPPED && cancelled(run)) {
        ft_progress_event_clear(&e);
        return;
    }
    ft_job_video *v = &run->job->videos[i];
    switch (e.type) {
    case FT_EVENT_VIDEO_STARTED:
        v->state = FT_VIDEO_RUNNING;
        v->step = run->step;
        v->frames_done = 0;
        v->fps = 0;
        if (e.frames > 0)
            v->frames = e.frames;
        log_line(run, "%s: %s started", v->path, ft_job_step_name(run->step));
        step3_line(run, "INFO", "PROCESSING_VIDEO: %zu/%zu: %s", ++run->step3_started,
                   run->step3_total, v->file);
        save_video(run, i);
        break;
    case FT_EVENT_PROGRESS:
        if (e.run_percent >= 0 && e.run_frames >= 0) {
            const ft_job_run_progress p = {
                run->step, e.run_percent, e.run_frames_done, e.run_frames,
                e.elapsed > 0 && e.run_frames_done > 0 ? (double)e.run_frames_done / e.elapsed : 0,
                e.elapsed, e.eta};
            ft_job_store_set_run_progress(run->runner->store, run->job->id, &p);
        }
        v->frames_done = e.frames_done > 0 ? e.frames_done : 0;
        if (e.frames > 0)
            v->frames = e.frames;
        if (e.fps >= 0)
            v->fps = e.fps;
        if (ft_now_s() - run->saved_at[i] >= SAVE_INTERVAL_S)
            save_video(run, i);
        break;
    case FT_EVENT_DONE:
    case FT_EVENT_SKIPPED:
        if (e.type == FT_EVENT_DONE && run->step3_log) {
            char stem[256];
            stem_of(v->file, stem, sizeof stem);
            run->step3_succeeded++;
            step3_line(run, "INFO", "Succès: %s.csv créé avec %lld scènes.", stem,
                       (long long)(e.scenes >= 0 ? e.scenes : 0));
        }
        if (e.fps >= 0)
            v->fps = e.fps;
        if (e.frames > 0)
            v->frames = e.frames;
        video_finished(run, i, e.type == FT_EVENT_SKIPPED, NULL);
        break;
    case FT_EVENT_FAILED:
        step3_line(run, "ERROR", "Échec pour %s: %s", v->file, e.reason ? e.reason : "failed");
        video_finished(run, i, 0, e.reason ? e.reason : "failed");
        break;
    default:
        break;
    }
    ft_progress_event_clear(&e);
}

/* A line of the child's standard error: into the log, and kept as the
 * reason should the step fail as a whole. */
static void handle_stderr(job_run *run, const char *line)
{
    log_line(run, "%s", line);
    if (*line)
        step3_line(run, "WARNING", "%s", line);
    if (*line)
        snprintf(run->last_stderr, sizeof run->last_stderr, "%s", line);
}

typedef struct line_reader {
    int fd;
    char *buf;
    size_t used;
    void (*on_line)(job_run *, const char *);
} line_reader;

/* Reads what is there; returns 0 at the end of the stream. */
static int read_lines(job_run *run, line_reader *lr)
{
    const ssize_t n = read(lr->fd, lr->buf + lr->used, LINE_MAX_BYTES - 1 - lr->used);
    if (n < 0 && (errno == EINTR || errno == EAGAIN))
        return 1;
    if (n > 0)
        lr->used += (size_t)n;
    char *start = lr->buf, *nl;
    lr->buf[lr->used] = '\0';
    while ((nl = memchr(start, '\n', lr->used - (size_t)(start - lr->buf)))) {
        *nl = '\0';
        lr->on_line(run, start);
        start = nl + 1;
    }
    lr->used -= (size_t)(start - lr->buf);
    memmove(lr->buf, start, lr->used);
    if (n <= 0 || lr->used == LINE_MAX_BYTES - 1) { /* the end, or a line too long */
        if (lr->used) {
            lr->buf[lr->used] = '\0';
            lr->on_line(run, lr->buf);
        }
        lr->used = 0;
    }
    return n > 0;
}

/* Starts ARGV in a process group of its own that is killed should the
 * server die; its standard output and error come to OUT and ERR. */
static pid_t spawn(const char *exe, char **argv, int *out, int *err)
{
    int o[2], e[2];
    if (pipe2(o, O_CLOEXEC) != 0)
        return -1;
    if (pipe2(e, O_CLOEXEC) != 0) {
        close(o[0]);
        close(o[1]);
        return -1;
    }
    const pid_t parent = getpid();
    const pid_t pid = fork();
    if (pid == 0) { /* only async-signal-safe calls until exec */
        setpgid(0, 0);
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent)
            _exit(127);
        const int null = open("/dev/null", O_RDONLY);
        if (null < 0 || dup2(null, 0) < 0 || dup2(o[1], 1) < 0 || dup2(e[1], 2) < 0)
            _exit(127);
        close_range(3, ~0U, 0);
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        struct sigaction dfl = {.sa_handler = SIG_DFL};
        sigaction(SIGPIPE, &dfl, NULL);
        execv(exe, argv);
        _exit(127);
    }
    close(o[1]);
    close(e[1]);
    if (pid < 0) {
        close(o[0]);
        close(e[0]);
        return -1;
    }
    setpgid(pid, pid); /* also here: the child may not have run yet */
    *out = o[0];
    *err = e[0];
    return pid;
}

/* Follows the child until it ends, killing its group when cancelled.
 * Returns its wait status. */
static int follow_child(job_run *run, pid_t pid, int out_fd, int err_fd)
{
    ft_job_runner *r = run->runner;
    char *out_buf = malloc(LINE_MAX_BYTES), *err_buf = malloc(LINE_MAX_BYTES);
    line_reader readers[2] = {{out_fd, out_buf, 0, handle_event}, {err_fd, err_buf, 0, handle_stderr}};
    int open_count = out_buf && err_buf ? 2 : 0;
    struct pollfd fds[2] = {{.fd = out_fd, .events = POLLIN}, {.fd = err_fd, .events = POLLIN}};
    double term_at = 0;
    int killed = 0;
    while (open_count > 0) {
        pthread_mutex_lock(&r->lock);
        const int cancel = run->slot->cancel;
        pthread_mutex_unlock(&r->lock);
        if (cancel && !term_at) {
            kill(-pid, SIGTERM);
            term_at = ft_now_s();
        } else if (term_at && !killed && ft_now_s() - term_at > KILL_GRACE_S) {
            kill(-pid, SIGKILL);
            killed = 1;
        }
        if (poll(fds, 2, 200) < 0 && errno != EINTR)
            break;
        for (int k = 0; k < 2; k++) {
            if (fds[k].fd >= 0 && (fds[k].revents & (POLLIN | POLLHUP | POLLERR)) &&
                !read_lines(run, &readers[k])) {
                fds[k].fd = -1;
                open_count--;
            }
        }
    }
    if (open_count > 0) /* out of memory, or poll failed: stop it */
        kill(-pid, SIGKILL);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    free(out_buf);
    free(err_buf);
    close(out_fd);
    close(err_fd);
    return status;
}

/* Removes the stale temporary files of every output of JOB's videos (those
 * no live writer holds locked, whatever their name's length): each folder
 * read once, whatever the number of videos in it. */
static void remove_job_temporaries(const ft_job *job)
{
    const size_t max = job->video_count * FT_OUTPUT_KIND_COUNT;
    char **outputs = calloc(max + 1, sizeof *outputs);
    size_t count = 0;
    for (size_t i = 0; outputs && i < job->video_count; i++)
        for (int k = 0; k < FT_OUTPUT_KIND_COUNT; k++) {
            char path[PATH_MAX];
            if (ft_output_path_of(job->videos[i].file, NULL, (ft_output_kind)k, path,
                                  sizeof path) == FT_OK &&
                (outputs[count] = strdup(path)))
                count++;
        }
    if (count)
        ft_atomic_file_remove_stale((const char *const *)outputs, count);
    for (size_t i = 0; i < count; i++)
        free(outputs[i]);
    free(outputs);
}

/* Writes PATHS (a JSON array of strings) to FILE for the child's
 * --videos-json: a command line holds far fewer than a job's 10,000 long
 * paths. Bytes that are not ASCII are written as they are, so that any
 * file name comes back unchanged. 0, or -1 with errno set. */
static int write_video_list(const char *file, char *const *paths, size_t count)
{
    FILE *f = fopen(file, "we");
    if (!f)
        return -1;
    fputc('[', f);
    for (size_t i = 0; i < count; i++) {
        fputs(i ? ",\n\"" : "\"", f);
        for (const unsigned char *p = (const unsigned char *)paths[i]; *p; p++) {
            if (*p == '"' || *p == '\\')
                fprintf(f, "\\%c", *p);
            else if (*p < 0x20)
                fprintf(f, "\\u%04x", *p);
            else
                fputc(*p, f);
        }
        fputc('"', f);
    }
    fputs("]\n", f);
    const int failed = ferror(f);
    if (fclose(f) != 0 || failed) {
        unlink(file);
        return -1;
    }
    return 0;
}

/* The command line of a step, ARGV ("facetrack STEP ..."), as the
 * runner's executor runs it: itself, or "facetrack cluster run OPTIONS
 * STEP ..." for Slurm. The strings are ARGV's and the options'; the array
 * is malloc'ed. */
static char **executor_argv(const ft_job_runner *r, char **argv, int argc)
{
    char **cmd = calloc((size_t)argc + r->cluster_argc + 1, sizeof *cmd);
    if (!cmd)
        return NULL;
    size_t n = 0;
    cmd[n++] = argv[0];
    for (size_t i = 0; i < r->cluster_argc; i++)
        cmd[n++] = r->cluster_argv[i];
    for (int i = 1; i < argc; i++)
        cmd[n++] = argv[i];
    return cmd;
}

/* Runs one step over the videos that still need it. Returns 0, or -1 when
 * the step could not run or ended abnormally (REASON set). */
static int run_step(job_run *run, char *reason, size_t reason_size)
{
    ft_job *job = run->job;
    const char *step = ft_job_step_name(run->step);
    if (!job->options) {
        snprintf(reason, reason_size, "the job's stored options are unreadable");
        return -1;
    }
    char **argv = calloc(10 + MAX_FLAGS, sizeof *argv);
    char **videos = calloc(job->video_count + 1, sizeof *videos);
    if (!argv || !videos) {
        free(argv);
        free(videos);
        snprintf(reason, reason_size, "out of memory");
        return -1;
    }
    int argc = 0;
    argv[argc++] = strdup("facetrack");
    argv[argc++] = strdup(step);
    argv[argc++] = strdup("--progress");
    argv[argc++] = strdup("json");
    if (run->step == FT_STEP_SCENES)
        argv[argc++] = strdup("--json");
    if (run->step == FT_STEP_TRACK) {
        /* The original's logs/step5 layout: a manager log per run and a
         * worker log per video, in the data folder. */
        char logs[PATH_MAX + 32];
        snprintf(logs, sizeof logs, "%s/logs/step5", run->runner->data_dir);
        argv[argc++] = strdup("--log-dir");
        argv[argc++] = strdup(logs);
    }
    const int flags = ft_job_options_flags(job->options, run->step, argv + argc, MAX_FLAGS);
    argc += flags > 0 ? flags : 0;
    size_t todo = 0;
    char *passed = calloc(job->video_count + 1, 1);
    for (size_t i = 0; passed && i < job->video_count; i++) {
        ft_job_video *v = &job->videos[i];
        if (!(v->done_steps & run->step) && v->state != FT_VIDEO_FAILED) {
            videos[todo++] = v->file;
            passed[i] = 1;
        }
    }
    char list_file[PATH_MAX + 64];
    snprintf(list_file, sizeof list_file, "%s/jobs/%lld-%s.videos.json", run->runner->data_dir,
             (long long)job->id, step);
    int result = 0;
    if (todo > 0 && !cancelled(run)) {
        log_line(run, "== %s: %zu video%s", step, todo, todo == 1 ? "" : "s");
        int out_fd, err_fd;
        pid_t pid = -1;
        if (write_video_list(list_file, videos, todo) == 0) {
            argv[argc++] = strdup("--videos-json");
            argv[argc++] = strdup(list_file);
            char **cmd = executor_argv(run->runner, argv, argc);
            pid = cmd ? spawn(run->runner->exe, cmd, &out_fd, &err_fd) : -1;
            free(cmd);
        }
        if (pid < 0) {
            snprintf(reason, reason_size, "cannot start facetrack %s: %s", step, strerror(errno));
            result = -1;
        } else {
            pthread_mutex_lock(&run->runner->lock);
            run->slot->pid = pid;
            pthread_mutex_unlock(&run->runner->lock);
            run->last_stderr[0] = '\0';
            if (run->step == FT_STEP_SCENES)
                step3_open(run, todo);
            const int status = follow_child(run, pid, out_fd, err_fd);
            step3_close(run);
            ft_job_store_set_run_progress(run->runner->store, job->id, NULL);
            pthread_mutex_lock(&run->runner->lock);
            run->slot->pid = 0;
            pthread_mutex_unlock(&run->runner->lock);
            if (WIFSIGNALED(status)) {
                snprintf(reason, reason_size, "facetrack %s was stopped by signal %d", step,
                         WTERMSIG(status));
                remove_job_temporaries(job);
                result = -1;
            } else if (WEXITSTATUS(status) > 1) {
                /* 130/143: it stopped on our SIGTERM, and cleaned up */
                snprintf(reason, reason_size, "facetrack %s exited with status %d%s%s", step,
                         WEXITSTATUS(status), run->last_stderr[0] ? ": " : "", run->last_stderr);
                result = -1;
            }
        }
    }
    /* A step that ended normally reported every video; one it did not is
     * not silently taken as done. */
    for (size_t i = 0; result == 0 && passed && !cancelled(run) && i < job->video_count; i++)
        if (passed[i] && !(job->videos[i].done_steps & run->step) &&
            job->videos[i].state != FT_VIDEO_FAILED)
            video_finished(run, i, 0, "the step ended without a result for this video");
    unlink(list_file);
    free(passed);
    free(videos);
    for (int k = 0; k < argc; k++)
        free(argv[k]);
    free(argv);
    return result;
}

static void *job_thread(void *arg)
{
    job_run *run = arg;
    ft_job_runner *r = run->runner;
    ft_job *job = run->job;
    char log_path[PATH_MAX + 32];
    ft_job_log_path(r, job->id, log_path, sizeof log_path);
    run->log_fd = open(log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    log_line(run, "== job %lld started", (long long)job->id);
    remove_job_temporaries(job);
    /* A retried job starts again what was not complete: in memory, and in
     * the store in one write. */
    for (size_t i = 0; i < job->video_count; i++) {
        ft_job_video *v = &job->videos[i];
        if ((v->done_steps & job->steps) != job->steps) {
            v->state = FT_VIDEO_PENDING;
            v->step = 0;
            v->frames_done = 0;
            v->fps = 0;
            set_text(&v->error, NULL);
        }
    }
    if (!cancelled(run))
        ft_job_store_reset_unfinished(r->store, job->id, job->steps);
    char reason[768] = "";
    int broken = 0;
    for (int step = FT_STEP_SCENES; step <= FT_STEP_TRACK && !broken; step <<= 1) {
        if (cancelled(run) || !(job->steps & step))
            continue;
        run->step = step;
        ft_job_store_set_step(r->store, job->id, step);
        broken = run_step(run, reason, sizeof reason) != 0;
    }
    pthread_mutex_lock(&r->lock);
    const int was_cancelled = run->slot->cancel, stopping = r->stopping;
    pthread_mutex_unlock(&r->lock);
    /* Videos left midway (or, when stopped, every unfinished one) wait for
     * a retry. */
    if (was_cancelled || stopping) {
        ft_job_store_reset_unfinished(r->store, job->id, job->steps);
    } else {
        for (size_t i = 0; i < job->video_count; i++) {
            ft_job_video *v = &job->videos[i];
            if (v->state == FT_VIDEO_RUNNING) {
                v->state = FT_VIDEO_PENDING;
                v->step = 0;
                v->frames_done = 0;
                set_text(&v->error, NULL);
                save_video(run, i);
            }
        }
    }
    ft_job_state state = FT_JOB_SUCCEEDED;
    if (stopping) {
        state = FT_JOB_INTERRUPTED;
        snprintf(reason, sizeof reason, "the server stopped while it ran");
    } else if (was_cancelled) {
        state = FT_JOB_CANCELLED;
        snprintf(reason, sizeof reason, "cancelled");
    } else if (broken) {
        state = FT_JOB_FAILED;
    } else if (run->failed_videos > 0) {
        state = FT_JOB_FAILED;
        snprintf(reason, sizeof reason, "%d of %zu videos failed", run->failed_videos,
                 job->video_count);
    }
    ft_job_store_set_state(r->store, job->id, 0, state, *reason ? reason : NULL);
    log_line(run, "== job %lld %s%s%s", (long long)job->id, ft_job_state_name(state),
             *reason ? ": " : "", reason);
    if (run->log_fd >= 0)
        close(run->log_fd);

    pthread_mutex_lock(&r->lock);
    run->slot->used = 0;
    run->slot->cancel = 0;
    r->active--;
    pthread_cond_broadcast(&r->idle);
    pthread_cond_signal(&r->wake);
    pthread_mutex_unlock(&r->lock);
    free(run->saved_at);
    ft_job_free(job);
    free(run);
    return NULL;
}

/* ------------------------------------------------------------ scheduling */

/* Starts the job in S; called with the lock held. */
static void launch(ft_job_runner *r, slot *s, int64_t id)
{
    job_run *run = calloc(1, sizeof *run);
    ft_job *job = ft_job_store_load(r->store, id);
    if (run && job)
        run->saved_at = calloc(job->video_count + 1, sizeof *run->saved_at);
    pthread_t thread;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    if (run && job && run->saved_at) {
        *run = (job_run){.runner = r, .slot = s, .job = job, .log_fd = -1, .saved_at = run->saved_at};
        *s = (slot){.used = 1, .job_id = id};
        if (pthread_create(&thread, &attr, job_thread, run) == 0) {
            r->active++;
            pthread_attr_destroy(&attr);
            return;
        }
        s->used = 0;
    }
    pthread_attr_destroy(&attr);
    ft_job_store_set_state(r->store, id, 0, FT_JOB_FAILED, "the server could not start the job");
    if (run)
        free(run->saved_at);
    free(run);
    ft_job_free(job);
}

static slot *free_slot(ft_job_runner *r)
{
    for (int i = 0; i < r->max_jobs; i++)
        if (!r->slots[i].used)
            return &r->slots[i];
    return NULL;
}

static void *scheduler_thread(void *arg)
{
    ft_job_runner *r = arg;
    pthread_mutex_lock(&r->lock);
    while (!r->stopping) {
        slot *s;
        int64_t id;
        while ((s = free_slot(r)) && (id = ft_job_store_claim_next(r->store)))
            launch(r, s, id);
        const struct timespec until = ft_deadline_after_ms(1000);
        pthread_cond_timedwait(&r->wake, &r->lock, &until);
    }
    pthread_mutex_unlock(&r->lock);
    return NULL;
}

ft_status ft_job_runner_start(ft_job_store *store, const char *data_dir, int max_jobs,
                              ft_job_runner **out, char *err, size_t err_size)
{
    return ft_job_runner_start_on(NULL, store, data_dir, max_jobs, out, err, err_size);
}

static void free_cluster_argv(ft_job_runner *r)
{
    for (size_t i = 0; i < r->cluster_argc; i++)
        free(r->cluster_argv[i]);
    free(r->cluster_argv);
}

/* "cluster run --state-dir DATA-DIR/cluster OPTIONS...": the words that
 * make a step run on Slurm. */
static int set_cluster_argv(ft_job_runner *r, const ft_job_executor *e, const char *data_dir)
{
    r->cluster_argv = calloc(e->cluster_option_count + 5, sizeof *r->cluster_argv);
    char state[PATH_MAX + 16];
    char *real = realpath(data_dir, NULL);
    snprintf(state, sizeof state, "%s/cluster", real ? real : data_dir);
    free(real);
    const char *head[] = {"cluster", "run", "--state-dir", state};
    for (size_t i = 0; r->cluster_argv && i < 4 + e->cluster_option_count; i++) {
        const char *word = i < 4 ? head[i] : e->cluster_options[i - 4];
        if (!(r->cluster_argv[r->cluster_argc] = strdup(word)))
            return -1;
        r->cluster_argc++;
    }
    return r->cluster_argv ? 0 : -1;
}

ft_status ft_job_runner_start_on(const ft_job_executor *executor, ft_job_store *store,
                                 const char *data_dir, int max_jobs, ft_job_runner **out,
                                 char *err, size_t err_size)
{
    *out = NULL;
    ft_job_runner *r = calloc(1, sizeof *r);
    if (!r || !(r->slots = calloc((size_t)max_jobs, sizeof *r->slots))) {
        free(r);
        return FT_ERR_NOMEM;
    }
    r->store = store;
    r->max_jobs = max_jobs;
    if (executor && executor->slurm && set_cluster_argv(r, executor, data_dir) != 0) {
        free_cluster_argv(r);
        free(r->slots);
        free(r);
        return FT_ERR_NOMEM;
    }
    /* Absolute: the children's list files are named by it. */
    char *real = realpath(data_dir, NULL);
    snprintf(r->data_dir, sizeof r->data_dir, "%s", real ? real : data_dir);
    free(real);
    const ssize_t n = readlink("/proc/self/exe", r->exe, sizeof r->exe - 1);
    char jobs_dir[PATH_MAX + 8];
    snprintf(jobs_dir, sizeof jobs_dir, "%s/jobs", data_dir);
    if (n <= 0 || (mkdir(jobs_dir, 0755) != 0 && errno != EEXIST)) {
        snprintf(err, err_size, "%s: %s", n <= 0 ? "/proc/self/exe" : jobs_dir, strerror(errno));
        free_cluster_argv(r);
        free(r->slots);
        free(r);
        return FT_ERR_IO;
    }
    r->exe[n] = '\0';
    /* Jobs a crash left running: their children died with the server
     * (PR_SET_PDEATHSIG); what they were writing is removed. */
    const int64_t before = ft_job_store_seq(store);
    if (ft_job_store_recover(store) > 0) {
        int64_t ids[256];
        const size_t count = ft_job_store_ids(store, before, ids, 256);
        for (size_t i = 0; i < count; i++) {
            ft_job *job = ft_job_store_load(store, ids[i]);
            if (job && job->state == FT_JOB_INTERRUPTED)
                remove_job_temporaries(job);
            ft_job_free(job);
        }
    }
    pthread_mutex_init(&r->lock, NULL);
    pthread_cond_init(&r->wake, NULL);
    pthread_cond_init(&r->idle, NULL);
    if (pthread_create(&r->scheduler, NULL, scheduler_thread, r) != 0) {
        snprintf(err, err_size, "cannot start the job scheduler");
        free_cluster_argv(r);
        free(r->slots);
        free(r);
        return FT_ERR_INTERNAL;
    }
    *out = r;
    return FT_OK;
}

void ft_job_runner_wake(ft_job_runner *r)
{
    pthread_mutex_lock(&r->lock);
    pthread_cond_signal(&r->wake);
    pthread_mutex_unlock(&r->lock);
}

ft_status ft_job_runner_cancel(ft_job_runner *r, int64_t id)
{
    pthread_mutex_lock(&r->lock);
    ft_status st = ft_job_store_set_state(r->store, id, FT_JOB_STATE_BIT(FT_JOB_QUEUED),
                                          FT_JOB_CANCELLED, "cancelled");
    if (st == FT_ERR_INVALID_ARG) { /* not queued: running, or ended */
        for (int i = 0; i < r->max_jobs; i++) {
            slot *s = &r->slots[i];
            if (s->used && s->job_id == id) {
                s->cancel = 1;
                if (s->pid > 0)
                    kill(-s->pid, SIGTERM);
                st = FT_OK;
            }
        }
    }
    pthread_mutex_unlock(&r->lock);
    return st;
}

void ft_job_runner_stop(ft_job_runner *r)
{
    if (!r)
        return;
    pthread_mutex_lock(&r->lock);
    r->stopping = 1;
    for (int i = 0; i < r->max_jobs; i++)
        if (r->slots[i].used)
            r->slots[i].cancel = 1; /* the job threads kill their children */
    pthread_cond_broadcast(&r->wake);
    pthread_mutex_unlock(&r->lock);
    pthread_join(r->scheduler, NULL);
    pthread_mutex_lock(&r->lock);
    while (r->active > 0)
        pthread_cond_wait(&r->idle, &r->lock);
    pthread_mutex_unlock(&r->lock);
    pthread_mutex_destroy(&r->lock);
    pthread_cond_destroy(&r->wake);
    pthread_cond_destroy(&r->idle);
    free_cluster_argv(r);
    free(r->slots);
    free(r);
}
