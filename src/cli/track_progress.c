/* Progress and summary of `facetrack track` (see track_progress.h). */
#include "cli/track_progress.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/clock.h"
#include "cli/batch_io.h"
#include "media/frame_estimate.h"
#include "track/progress_events.h"

typedef struct video_state {
    const char *path;
    int64_t done, total;  /* total: 0 until the video starts */
    int64_t expected;     /* its frames as counted up front from the container */
    int state;            /* 0 waiting, 1 running, 2 done, 3 failed */
    int last_percent;
    double last_report, started_at;
    int64_t last_logged; /* frames done at its log's last [Progression] line */
    char *reason;
    ft_batch_stats stats;
} video_state;

struct ft_progress {
    ft_progress_mode mode;
    int profiling;
    pthread_mutex_t lock;
    video_state *videos;
    size_t count, skipped, succeeded, failed;
    double started, last_bar, last_multiline;
    int bar_drawn;
    int64_t run_percent; /* the highest shown: the run's percentage never goes back */
    ft_run_logs *logs;
    int gpu;
};

/* The whole run: frames done and to do (each video's exact count once it
 * started, its up-front count before), its percentage (monotone), frame
 * rate, elapsed seconds and the seconds still needed (-1: not known yet). */
typedef struct run_state {
    int64_t done, total, percent;
    double fps, elapsed, eta;
    size_t finished;
} run_state;

static run_state run_now(ft_progress *p)
{
    run_state r = {0};
    for (size_t i = 0; i < p->count; i++) {
        const video_state *v = &p->videos[i];
        const int64_t total = v->state >= 2 ? v->done : v->total > 0 ? v->total : v->expected;
        r.total += total;
        r.done += v->done < total ? v->done : total;
        r.finished += v->state >= 2;
    }
    r.elapsed = ft_now_s() - p->started;
    r.fps = r.elapsed > 0 ? (double)r.done / r.elapsed : 0;
    int64_t percent = r.total > 0 ? 100 * r.done / r.total : 0;
    if (percent > 99 && r.finished < p->count)
        percent = 99; /* 100 only once every video is over */
    if (r.finished == p->count)
        percent = 100;
    if (percent < p->run_percent)
        percent = p->run_percent;
    p->run_percent = r.percent = percent;
    r.eta = r.finished == p->count ? 0
            : r.done > 0 && r.fps > 0 ? (double)(r.total > r.done ? r.total - r.done : 0) / r.fps
                                      : -1;
    return r;
}

/* "1:02:03", "2:03", or "--:--" for an unknown time. */
static void clock_text(double seconds, char *buf, size_t size)
{
    if (seconds < 0) {
        snprintf(buf, size, "--:--");
        return;
    }
    const long s = (long)(seconds + 0.5);
    if (s >= 3600)
        snprintf(buf, size, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
    else
        snprintf(buf, size, "%ld:%02ld", s / 60, s % 60);
}

ft_progress *ft_progress_create(ft_progress_mode mode, const char *const *names, size_t count,
                                int profiling, ft_run_logs *logs, int gpu)
{
    ft_progress *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->videos = calloc(count ? count : 1, sizeof *p->videos);
    if (!p->videos) {
        free(p);
        return NULL;
    }
    /* A person at a terminal gets the bar; a program reading a pipe (the
     * original's web UI, a log) the original manager's lines. */
    if (mode == FT_PROGRESS_AUTO)
        mode = isatty(STDERR_FILENO) ? FT_PROGRESS_BAR : FT_PROGRESS_LEGACY;
    p->mode = mode;
    p->profiling = profiling;
    p->logs = logs;
    p->gpu = gpu;
    p->count = count;
    p->started = ft_now_s();
    pthread_mutex_init(&p->lock, NULL);
    int64_t frames = 0;
    for (size_t i = 0; i < count; i++) {
        p->videos[i] = (video_state){.path = names[i], .last_percent = -1};
        /* Its container's own count (about a millisecond a file); stops
         * counting when a signal stops the run. */
        if ((mode != FT_PROGRESS_NONE || logs) && !atomic_load(&ft_cli_stop_signal))
            frames += p->videos[i].expected = ft_media_frame_estimate(names[i]);
    }
    ft_run_logs_manager(logs, "Vidéos à traiter: %zu", count);
    ft_run_logs_manager(logs, "%lld frames in all, as the containers count them", (long long)frames);
    p->started = ft_now_s(); /* the counting above is no part of the rate */
    if (mode == FT_PROGRESS_JSON) {
        ft_progress_event e;
        ft_progress_event_init(&e, FT_EVENT_START);
        e.videos = (int64_t)count;
        e.frames = frames;
        ft_progress_event_write(stdout, &e);
    } else if (mode == FT_PROGRESS_LEGACY) {
        printf("Vidéos à traiter: %zu\n", count);
        fflush(stdout);
    }
    return p;
}

void ft_progress_skipped(ft_progress *p, const char *video, const char *output)
{
    pthread_mutex_lock(&p->lock);
    p->skipped++;
    ft_run_logs_manager(p->logs, "%s: skipped, %s is complete", video, output);
    if (p->mode == FT_PROGRESS_JSON) {
        ft_progress_event e;
        ft_progress_event_init(&e, FT_EVENT_SKIPPED);
        e.video = video;
        e.output = output;
        e.reason = "output already complete (use --force to redo it)";
        ft_progress_event_write(stdout, &e);
    } else if (p->mode != FT_PROGRESS_LEGACY) {
        ft_log(FT_LOG_INFO, "%s: skipped, %s is complete", video, output);
    }
    pthread_mutex_unlock(&p->lock);
}

/* The terminal bar: the run's frames, videos done, rate, elapsed time,
 * time left, and a running video. */
static void draw_bar(ft_progress *p)
{
    const run_state r = run_now(p);
    const char *current = NULL;
    for (size_t i = 0; i < p->count && !current; i++)
        if (p->videos[i].state == 1)
            current = ft_cli_base_name(p->videos[i].path);
    char bar[26], elapsed[48], eta[48];
    const int fill = (int)(r.percent * 25 / 100);
    for (int i = 0; i < 25; i++)
        bar[i] = i < fill ? '#' : '.';
    bar[25] = '\0';
    clock_text(r.elapsed, elapsed, sizeof elapsed);
    clock_text(r.eta, eta, sizeof eta);
    fprintf(stderr, "\r[%s] %3d%%  %zu/%zu videos  %.0f fps  %s  ETA %s  %-24.24s", bar,
            (int)r.percent, r.finished, p->count, r.fps, elapsed, eta, current ? current : "");
    fflush(stderr);
    p->bar_drawn = 1;
}

/* The original manager's line of every started video, once a second:
 * "[Progression-MultiLine]a.mp4: 40% || b.mp4: Démarrage...", by name,
 * then the run's total (the original web UI shows the text as it is). */
static void print_multiline(ft_progress *p)
{
    size_t n = 0;
    const video_state **started = malloc((p->count + 1) * sizeof *started);
    if (!started)
        return;
    for (size_t i = 0; i < p->count; i++)
        if (p->videos[i].state >= 1)
            started[n++] = &p->videos[i];
    for (size_t i = 1; i < n; i++) /* insertion sort by name: few are started */
        for (size_t k = i; k > 0 && strcmp(ft_cli_base_name(started[k - 1]->path),
                                           ft_cli_base_name(started[k]->path)) > 0;
             k--) {
            const video_state *t = started[k];
            started[k] = started[k - 1];
            started[k - 1] = t;
        }
    fputs("[Progression-MultiLine]", stdout);
    for (size_t i = 0; i < n; i++) {
        const video_state *v = started[i];
        printf("%s%s: ", i ? " || " : "", ft_cli_base_name(v->path));
        if (v->last_percent < 0)
            fputs("Démarrage...", stdout);
        else
            printf("%d%%", v->last_percent);
    }
    const run_state r = run_now(p);
    char elapsed[48], eta[48];
    clock_text(r.elapsed, elapsed, sizeof elapsed);
    clock_text(r.eta, eta, sizeof eta);
    printf("%sTotal %d%% (%lld/%lld frames, %.0f fps, %s, ETA %s)\n", n ? " || " : "",
           (int)r.percent, (long long)r.done, (long long)r.total, r.fps, elapsed, eta);
    fflush(stdout);
    free(started);
}

static void clear_bar(ft_progress *p)
{
    if (p->bar_drawn)
        fprintf(stderr, "\r%100s\r", "");
    p->bar_drawn = 0;
}

static void on_started(void *user, size_t i, const char *path, int64_t total)
{
    ft_progress *p = user;
    pthread_mutex_lock(&p->lock);
    video_state *v = &p->videos[i];
    v->state = 1;
    v->total = total;
    v->last_report = v->started_at = ft_now_s();
    ft_run_logs_manager(p->logs, "[Scheduler] Assigning %s to %s", ft_cli_base_name(path),
                        p->gpu ? "GPU" : "CPU");
    ft_run_logs_worker_open(p->logs, i, path, p->gpu);
    ft_run_logs_worker(p->logs, i, "Traitement de %s: %lld frames", path, (long long)total);
    if (p->mode == FT_PROGRESS_JSON) {
        ft_progress_event e;
        ft_progress_event_init(&e, FT_EVENT_VIDEO_STARTED);
        e.video = path;
        e.index = (int64_t)i;
        e.frames = total;
        ft_progress_event_write(stdout, &e);
    }
    pthread_mutex_unlock(&p->lock);
}

static void on_progress(void *user, size_t i, int64_t done, int64_t total)
{
    ft_progress *p = user;
    pthread_mutex_lock(&p->lock);
    video_state *v = &p->videos[i];
    if (v->state != 1 || done < v->done) { /* late news of a finished video */
        pthread_mutex_unlock(&p->lock);
        return;
    }
    v->done = done;
    if (total > 0)
        v->total = total;
    if (p->logs && done - v->last_logged >= 50) { /* the original worker's cadence */
        ft_run_logs_worker(p->logs, i, "[Progression]|%d|%lld|%lld",
                           total > 0 ? (int)(100 * done / total) : 0, (long long)done,
                           (long long)total);
        v->last_logged = done;
    }
    const int percent = total > 0 ? (int)(100 * done / total) : 100;
    const double t = ft_now_s();
    if (p->mode == FT_PROGRESS_JSON && percent != v->last_percent && t - v->last_report >= 0.25) {
        const run_state r = run_now(p);
        ft_progress_event e;
        ft_progress_event_init(&e, FT_EVENT_PROGRESS);
        e.video = v->path;
        e.percent = percent;
        e.frames_done = done;
        e.frames = total;
        e.fps = (double)done / (t - v->started_at > 1e-3 ? t - v->started_at : 1e-3);
        e.run_percent = r.percent;
        e.run_frames_done = r.done;
        e.run_frames = r.total;
        e.elapsed = r.elapsed;
        e.eta = r.eta;
        ft_progress_event_write(stdout, &e);
        v->last_percent = percent;
        v->last_report = t;
    } else if (p->mode == FT_PROGRESS_LEGACY) {
        if (percent / 10 != v->last_percent / 10 && percent < 100) {
            /* the original manager's relay of its workers' [Progression] lines */
            printf("%s: %d%%\n", ft_cli_base_name(v->path), percent);
            fflush(stdout);
            v->last_percent = percent;
        }
        if (t - p->last_multiline >= 1.0) {
            print_multiline(p);
            p->last_multiline = t;
        }
    } else if (p->mode == FT_PROGRESS_BAR && t - p->last_bar >= 0.2) {
        draw_bar(p);
        p->last_bar = t;
    }
    pthread_mutex_unlock(&p->lock);
}

static void print_profile(const char *path, const ft_batch_stats *s)
{
    const double n = s->frames > 0 ? (double)s->frames : 1;
    fprintf(stderr,
            "[PROFILING] Summary %s: %lld frames, %.2f s, per frame: decode=%.2fms, detection=%.2fms, "
            "landmarks=%.2fms, blendshapes=%.2fms, pose=%.2fms, engine total=%.2fms\n",
            ft_cli_base_name(path), (long long)s->frames, s->seconds, s->decode_ms / n,
            s->timings.detection_ms / n, s->timings.landmarks_ms / n, s->timings.blendshapes_ms / n,
            s->timings.geometry_ms / n, s->timings.total_ms / n);
}

static void on_finished(void *user, size_t i, ft_status st, const char *message,
                        const ft_batch_stats *stats)
{
    ft_progress *p = user;
    pthread_mutex_lock(&p->lock);
    video_state *v = &p->videos[i];
    v->state = st == FT_OK ? 2 : 3;
    v->stats = *stats;
    /* Its share of the run is over: the frames written, or for a failure
     * whatever it was to take. */
    v->done = st == FT_OK && stats->frames > 0 ? stats->frames
              : v->total > 0                   ? v->total
                                               : v->expected;
    if (st == FT_OK)
        p->succeeded++;
    else {
        p->failed++;
        v->reason = strdup(message);
    }
    const double fps = stats->seconds > 0 ? (double)stats->frames / stats->seconds : 0;
    if (p->logs) {
        const char *name = ft_cli_base_name(v->path);
        if (st == FT_OK) {
            if (v->last_logged != stats->frames)
                ft_run_logs_worker(p->logs, i, "[Progression]|100|%lld|%lld",
                                   (long long)stats->frames, (long long)stats->frames);
            ft_run_logs_worker(p->logs, i, "done: %s, %lld frames, %lld faces, %.2f s, %.1f fps",
                               message, (long long)stats->frames, (long long)stats->faces,
                               stats->seconds, fps);
            ft_run_logs_manager(p->logs, "[Gestionnaire] Succès pour %s", name);
        } else {
            ft_run_logs_worker(p->logs, i, "failed: %s", message);
            ft_run_logs_manager(p->logs, "[Gestionnaire] Échec pour %s: %s", name, message);
        }
        ft_run_logs_worker_close(p->logs, i);
    }
    if (p->mode == FT_PROGRESS_JSON) {
        ft_progress_event e;
        ft_progress_event_init(&e, st == FT_OK ? FT_EVENT_DONE : FT_EVENT_FAILED);
        e.video = v->path;
        *(st == FT_OK ? &e.output : &e.reason) = message;
        e.frames = stats->frames;
        e.seconds = stats->seconds;
        e.fps = fps;
        if (st == FT_OK)
            e.bytes = stats->output_bytes;
        ft_progress_event_write(stdout, &e);
    } else if (p->mode == FT_PROGRESS_LEGACY) {
        if (st == FT_OK) {
            v->last_percent = 100;
            printf("%s: 100%%\n[Gestionnaire] Succès pour %s\n", ft_cli_base_name(v->path),
                   ft_cli_base_name(v->path));
        } else {
            printf("[Gestionnaire] Échec pour %s\n", ft_cli_base_name(v->path));
        }
        fflush(stdout);
    }
    if (p->mode == FT_PROGRESS_BAR)
        clear_bar(p);
    if (st != FT_OK && p->mode != FT_PROGRESS_JSON)
        fprintf(stderr, "facetrack track: %s\n", message);
    if (p->profiling && st == FT_OK)
        print_profile(v->path, stats);
    if (st == FT_OK && stats->missing > 0)
        ft_log(FT_LOG_WARN, "%s: %lld of %lld frames could not be decoded (written empty)",
               v->path, (long long)stats->missing, (long long)stats->frames);
    pthread_mutex_unlock(&p->lock);
}

ft_batch_callbacks ft_progress_callbacks(ft_progress *p)
{
    return (ft_batch_callbacks){on_started, on_progress, on_finished, p};
}

size_t ft_progress_finish(ft_progress *p, int interrupted)
{
    int64_t frames = 0;
    for (size_t i = 0; i < p->count; i++)
        frames += p->videos[i].state == 2 ? p->videos[i].stats.frames : 0;
    const double elapsed = ft_now_s() - p->started;
    const size_t failed = p->count - p->succeeded;
    ft_run_logs_manager(p->logs, "Traitement terminé. %zu/%zu jobs réussis.", p->succeeded,
                        p->count);
    ft_run_logs_manager(p->logs,
                        "tracked %zu of %zu videos (%zu skipped, %zu failed%s), %lld frames in "
                        "%.1f s (%.1f fps)",
                        p->succeeded, p->count + p->skipped, p->skipped, failed,
                        interrupted ? ", interrupted" : "", (long long)frames, elapsed,
                        elapsed > 0 ? (double)frames / elapsed : 0.0);
    if (p->mode == FT_PROGRESS_JSON) {
        ft_progress_failure *failures = calloc(failed + 1, sizeof *failures);
        size_t n = 0;
        for (size_t i = 0; failures && i < p->count; i++)
            if (p->videos[i].state != 2)
                failures[n++] = (ft_progress_failure){
                    p->videos[i].path,
                    p->videos[i].reason ? p->videos[i].reason : "not processed (interrupted)"};
        ft_progress_event e;
        ft_progress_event_init(&e, FT_EVENT_SUMMARY);
        e.videos = (int64_t)(p->count + p->skipped);
        e.succeeded = (int64_t)p->succeeded;
        e.failed = (int64_t)failed;
        e.skipped = (int64_t)p->skipped;
        e.interrupted = interrupted != 0;
        e.frames = frames;
        e.seconds = elapsed;
        e.failures = failures;
        e.failure_count = n;
        ft_progress_event_write(stdout, &e);
        free(failures);
    } else {
        if (p->mode == FT_PROGRESS_LEGACY)
            printf("Traitement terminé. %zu/%zu jobs réussis.\n", p->succeeded, p->count);
        clear_bar(p);
        printf("tracked %zu of %zu videos (%zu skipped, %zu failed%s), %lld frames in %.1f s (%.1f fps)\n",
               p->succeeded, p->count + p->skipped, p->skipped, failed,
               interrupted ? ", interrupted" : "", (long long)frames, elapsed,
               elapsed > 0 ? (double)frames / elapsed : 0.0);
        for (size_t i = 0; i < p->count; i++)
            if (p->videos[i].state != 2)
                printf("  failed: %s\n",
                       p->videos[i].reason ? p->videos[i].reason : p->videos[i].path);
    }
    fflush(stdout);
    for (size_t i = 0; i < p->count; i++)
        free(p->videos[i].reason);
    free(p->videos);
    pthread_mutex_destroy(&p->lock);
    free(p);
    return failed;
}
