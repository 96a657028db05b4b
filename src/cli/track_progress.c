/* Progress and summary of `facetrack track` (see track_progress.h). */
#include "cli/track_progress.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/clock.h"
#include "cli/batch_io.h"
#include "track/progress_events.h"

typedef struct video_state {
    const char *path;
    int64_t done, total;
    int state;            /* 0 waiting, 1 running, 2 done, 3 failed */
    int last_percent;
    double last_report;
    char *reason;
    ft_batch_stats stats;
} video_state;

struct ft_progress {
    ft_progress_mode mode;
    int profiling;
    pthread_mutex_t lock;
    video_state *videos;
    size_t count, skipped, succeeded, failed;
    double started, last_bar;
    int bar_drawn;
};

ft_progress *ft_progress_create(ft_progress_mode mode, const char *const *names, size_t count,
                                int profiling)
{
    ft_progress *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->videos = calloc(count ? count : 1, sizeof *p->videos);
    if (!p->videos) {
        free(p);
        return NULL;
    }
    if (mode == FT_PROGRESS_AUTO)
        mode = isatty(STDERR_FILENO) ? FT_PROGRESS_BAR : FT_PROGRESS_NONE;
    p->mode = mode;
    p->profiling = profiling;
    p->count = count;
    p->started = ft_now_s();
    pthread_mutex_init(&p->lock, NULL);
    for (size_t i = 0; i < count; i++)
        p->videos[i] = (video_state){.path = names[i], .last_percent = -1};
    if (mode == FT_PROGRESS_JSON) {
        ft_progress_event e;
        ft_progress_event_init(&e, FT_EVENT_START);
        e.videos = (int64_t)count;
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

/* The terminal bar: overall frames, videos done, the running ones. */
static void draw_bar(ft_progress *p)
{
    int64_t done = 0, total = 0;
    size_t finished = 0;
    const char *current = NULL;
    for (size_t i = 0; i < p->count; i++) {
        done += p->videos[i].done;
        total += p->videos[i].total;
        finished += p->videos[i].state >= 2;
        if (p->videos[i].state == 1 && !current)
            current = ft_cli_base_name(p->videos[i].path);
    }
    const double frac = total > 0 ? (double)done / (double)total : 0;
    const double elapsed = ft_now_s() - p->started;
    char bar[31];
    const int fill = (int)(frac * 30);
    for (int i = 0; i < 30; i++)
        bar[i] = i < fill ? '#' : '.';
    bar[30] = '\0';
    fprintf(stderr, "\r[%s] %3d%%  %zu/%zu videos  %.0f fps  %-30.30s", bar, (int)(frac * 100),
            finished, p->count, elapsed > 0 ? (double)done / elapsed : 0.0,
            current ? current : "");
    fflush(stderr);
    p->bar_drawn = 1;
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
    v->last_report = ft_now_s();
    if (p->mode == FT_PROGRESS_JSON) {
        ft_progress_event e;
        ft_progress_event_init(&e, FT_EVENT_VIDEO_STARTED);
        e.video = path;
        e.index = (int64_t)i;
        e.frames = total;
        ft_progress_event_write(stdout, &e);
    } else if (p->mode == FT_PROGRESS_LEGACY) {
        printf("%s: 0%%\n", ft_cli_base_name(path));
        fflush(stdout);
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
    const int percent = total > 0 ? (int)(100 * done / total) : 100;
    const double t = ft_now_s();
    if (p->mode == FT_PROGRESS_JSON && percent != v->last_percent && t - v->last_report >= 0.5) {
        ft_progress_event e;
        ft_progress_event_init(&e, FT_EVENT_PROGRESS);
        e.video = v->path;
        e.percent = percent;
        e.frames_done = done;
        e.frames = total;
        e.fps = (double)done / (t - p->started > 1e-3 ? t - p->started : 1e-3);
        ft_progress_event_write(stdout, &e);
        v->last_percent = percent;
        v->last_report = t;
    } else if (p->mode == FT_PROGRESS_LEGACY && percent / 10 != v->last_percent / 10 && percent < 100) {
        printf("%s: %d%%\n", ft_cli_base_name(v->path), percent); /* the web UI's STEP5 pattern */
        fflush(stdout);
        v->last_percent = percent;
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
    v->done = v->total;
    if (st == FT_OK)
        p->succeeded++;
    else {
        p->failed++;
        v->reason = strdup(message);
    }
    const double fps = stats->seconds > 0 ? (double)stats->frames / stats->seconds : 0;
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
        if (st == FT_OK)
            printf("%s: 100%%\n[Gestionnaire] Succès pour %s\n", ft_cli_base_name(v->path),
                   ft_cli_base_name(v->path));
        else
            printf("[Gestionnaire] Échec pour %s\n", ft_cli_base_name(v->path));
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
    } else if (p->mode == FT_PROGRESS_LEGACY) {
        printf("Traitement terminé. %zu/%zu jobs réussis.\n", p->succeeded, p->count);
    } else {
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
