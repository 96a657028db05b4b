/* Live sources of the service (see live_view.h). */
#define _GNU_SOURCE /* close_range, pipe2 */
#include "serve/live_view.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>
#include <libavcodec/avcodec.h>
#include <libavutil/base64.h>
#include <libavutil/frame.h>
#include <libswscale/swscale.h>

#include "live/shm_layout.h"
#include "live/source.h"
#include "media/media_internal.h"

typedef struct worker {
    char *source;
    pid_t pid;            /* 0: not running */
    int out_fd;           /* its standard output */
    pthread_t reader;
    int reader_started;
    char state[32];       /* "stopped", "starting", then its heartbeat's state */
    char shm_name[64];    /* from its "ready" event */
    char *heartbeat;      /* the last heartbeat line */
    char *message;        /* the last error, warning or reconnecting reason */
    int exit_code;        /* of the last run; -1 none yet */
    const uint8_t *map;   /* the shared memory, mapped read-only */
    size_t map_size;
    char mapped[64];      /* the name of what map maps */
    unsigned run;         /* counts the starts: a stream follows one run */
    /* The newest frame as one multipart part, encoded once for every
     * client of the stream (under part_lock, taken before the view's lock). */
    pthread_mutex_t part_lock;
    uint8_t *part;
    size_t part_size;
    int64_t part_frame;
    unsigned part_run;
    uint64_t part_sequence; /* the seqlock value of the frame it holds */
} worker;

struct ft_live_view {
    pthread_mutex_t lock;
    char exe[4096];
    char dir[4096];
    worker workers[FT_LIVE_VIEW_MAX_SOURCES];
    int count;
};

static void replace(char **slot, const char *text)
{
    free(*slot);
    *slot = text ? strdup(text) : NULL;
}

/* Follows one worker's status events until it ends. */
static void *read_events(void *arg)
{
    ft_live_view *v = ((void **)arg)[0];
    worker *w = ((void **)arg)[1];
    free(arg);
    FILE *in = fdopen(w->out_fd, "r");
    char *line = NULL;
    size_t cap = 0;
    while (in && getline(&line, &cap, in) > 0) {
        json_object *e = json_tokener_parse(line);
        json_object *type = NULL, *field = NULL;
        if (!e || !json_object_object_get_ex(e, "type", &type)) {
            json_object_put(e);
            continue;
        }
        const char *t = json_object_get_string(type);
        pthread_mutex_lock(&v->lock);
        if (strcmp(t, "ready") == 0 && json_object_object_get_ex(e, "shm", &field) &&
            json_object_is_type(field, json_type_object)) {
            json_object *name = NULL;
            if (json_object_object_get_ex(field, "name", &name))
                snprintf(w->shm_name, sizeof w->shm_name, "%s", json_object_get_string(name));
        } else if (strcmp(t, "heartbeat") == 0) {
            line[strcspn(line, "\n")] = '\0';
            replace(&w->heartbeat, line);
            if (json_object_object_get_ex(e, "state", &field))
                snprintf(w->state, sizeof w->state, "%s", json_object_get_string(field));
        } else if (strcmp(t, "reconnecting") == 0 || strcmp(t, "error") == 0 ||
                   strcmp(t, "warning") == 0) {
            const char *key = strcmp(t, "reconnecting") == 0 ? "reason" : "message";
            if (json_object_object_get_ex(e, key, &field))
                replace(&w->message, json_object_get_string(field));
            if (strcmp(t, "reconnecting") == 0)
                snprintf(w->state, sizeof w->state, "reconnecting");
        } else if (strcmp(t, "connected") == 0) {
            snprintf(w->state, sizeof w->state, "running");
        }
        pthread_mutex_unlock(&v->lock);
        json_object_put(e);
    }
    free(line);
    if (in)
        fclose(in);
    else
        close(w->out_fd);
    int status = 0;
    pthread_mutex_lock(&v->lock);
    const pid_t pid = w->pid;
    pthread_mutex_unlock(&v->lock);
    /* Waits for its end without reaping it: until pid is cleared under the
     * lock, a stop may still signal it, and its number must not be free
     * for another process yet. */
    siginfo_t info;
    while (waitid(P_PID, (id_t)pid, &info, WEXITED | WNOWAIT) < 0 && errno == EINTR) {
    }
    pthread_mutex_lock(&v->lock);
    w->pid = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    w->exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    snprintf(w->state, sizeof w->state, "stopped");
    pthread_mutex_unlock(&v->lock);
    return NULL;
}

ft_status ft_live_view_create(const char *const *sources, int count, const char *data_dir,
                              ft_live_view **out, char *err, size_t n)
{
    *out = NULL;
    if (count > FT_LIVE_VIEW_MAX_SOURCES) {
        snprintf(err, n, "at most %d live sources", FT_LIVE_VIEW_MAX_SOURCES);
        return FT_ERR_INVALID_ARG;
    }
    ft_live_view *v = calloc(1, sizeof *v);
    if (!v) {
        snprintf(err, n, "out of memory");
        return FT_ERR_NOMEM;
    }
    const ssize_t len = readlink("/proc/self/exe", v->exe, sizeof v->exe - 1);
    snprintf(v->dir, sizeof v->dir, "%s/live", data_dir);
    if (len <= 0 || (count > 0 && mkdir(v->dir, 0700) != 0 && errno != EEXIST)) {
        snprintf(err, n, "%s: %s", len <= 0 ? "/proc/self/exe" : v->dir, strerror(errno));
        free(v);
        return FT_ERR_IO;
    }
    pthread_mutex_init(&v->lock, NULL);
    for (int i = 0; i < count; i++) {
        v->workers[i] = (worker){.source = strdup(sources[i]), .exit_code = -1};
        pthread_mutex_init(&v->workers[i].part_lock, NULL);
        snprintf(v->workers[i].state, sizeof v->workers[i].state, "stopped");
    }
    v->count = count;
    *out = v;
    return FT_OK;
}

int ft_live_view_count(const ft_live_view *v)
{
    return v ? v->count : 0;
}

static void unmap(worker *w)
{
    if (w->map)
        munmap((void *)(uintptr_t)w->map, w->map_size);
    w->map = NULL;
    w->mapped[0] = '\0';
}

ft_status ft_live_view_start(ft_live_view *v, int index, char *err, size_t n)
{
    if (!v || index < 0 || index >= v->count) {
        snprintf(err, n, "no live source %d", index);
        return FT_ERR_NOT_FOUND;
    }
    worker *w = &v->workers[index];
    pthread_mutex_lock(&v->lock);
    if (w->pid == 0 && w->reader_started) { /* it ended by itself: collect its follower */
        w->reader_started = 0;
        pthread_mutex_unlock(&v->lock);
        pthread_join(w->reader, NULL);
        pthread_mutex_lock(&v->lock);
        unmap(w);
    }
    if (w->pid > 0 || w->reader_started) {
        pthread_mutex_unlock(&v->lock);
        snprintf(err, n, "live source %d already runs", index);
        return FT_ERR_INVALID_ARG;
    }
    char socket[4200], log[4200];
    snprintf(socket, sizeof socket, "%s/%d.sock", v->dir, index);
    snprintf(log, sizeof log, "%s/%d.log", v->dir, index);
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) {
        pthread_mutex_unlock(&v->lock);
        snprintf(err, n, "cannot make a pipe: %s", strerror(errno));
        return FT_ERR_IO;
    }
    const int file = ft_live_source_classify(w->source) == FT_LIVE_FILE;
    char *argv[12] = {"facetrack", "live", "--stdout", "status", "--socket", socket,
                      "--preview", "640x360"};
    int argc = 8;
    if (file)
        argv[argc++] = (char *)"--loop"; /* a file plays as a camera that never ends */
    argv[argc++] = (char *)"--";
    argv[argc++] = w->source;
    argv[argc] = NULL;
    const pid_t pid = fork();
    if (pid == 0) {
        dup2(fds[1], STDOUT_FILENO);
        const int logfd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (logfd >= 0)
            dup2(logfd, STDERR_FILENO);
        close_range(3, ~0U, 0);
        execv(v->exe, argv);
        _exit(127);
    }
    close(fds[1]);
    if (pid < 0) {
        close(fds[0]);
        pthread_mutex_unlock(&v->lock);
        snprintf(err, n, "cannot start a worker: %s", strerror(errno));
        return FT_ERR_IO;
    }
    w->pid = pid;
    w->run++;
    w->out_fd = fds[0];
    w->shm_name[0] = '\0';
    replace(&w->heartbeat, NULL);
    replace(&w->message, NULL);
    snprintf(w->state, sizeof w->state, "starting");
    void **arg = malloc(2 * sizeof *arg);
    if (arg) {
        arg[0] = v;
        arg[1] = w;
    }
    w->reader_started = arg && pthread_create(&w->reader, NULL, read_events, arg) == 0;
    if (!w->reader_started) {
        free(arg);
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
        close(fds[0]);
        w->pid = 0;
        snprintf(w->state, sizeof w->state, "stopped");
        pthread_mutex_unlock(&v->lock);
        snprintf(err, n, "cannot follow the worker");
        return FT_ERR_INTERNAL;
    }
    pthread_mutex_unlock(&v->lock);
    return FT_OK;
}

ft_status ft_live_view_stop(ft_live_view *v, int index)
{
    if (!v || index < 0 || index >= v->count)
        return FT_ERR_NOT_FOUND;
    worker *w = &v->workers[index];
    pthread_mutex_lock(&v->lock);
    const int started = w->reader_started;
    if (w->pid > 0)
        kill(w->pid, SIGTERM); /* it says "stopped", removes its files, ends */
    w->reader_started = 0;
    pthread_mutex_unlock(&v->lock);
    if (!started)
        return FT_ERR_INVALID_ARG;
    pthread_join(w->reader, NULL);
    pthread_mutex_lock(&v->lock);
    unmap(w);
    pthread_mutex_unlock(&v->lock);
    return FT_OK;
}

void ft_live_view_free(ft_live_view *v)
{
    if (!v)
        return;
    pthread_mutex_lock(&v->lock); /* every worker told at once, then each waited for */
    for (int i = 0; i < v->count; i++)
        if (v->workers[i].pid > 0)
            kill(v->workers[i].pid, SIGTERM);
    pthread_mutex_unlock(&v->lock);
    for (int i = 0; i < v->count; i++) {
        ft_live_view_stop(v, i);
        free(v->workers[i].source);
        free(v->workers[i].heartbeat);
        free(v->workers[i].message);
        free(v->workers[i].part);
        pthread_mutex_destroy(&v->workers[i].part_lock);
    }
    pthread_mutex_destroy(&v->lock);
    free(v);
}

void ft_live_view_write_source(ft_live_view *v, int index, ft_json *j)
{
    worker *w = &v->workers[index];
    pthread_mutex_lock(&v->lock);
    ft_json_object_begin(j);
    ft_json_kv_int(j, "index", index);
    ft_json_kv_string(j, "source", w->source);
    ft_json_kv_bool(j, "running", w->pid > 0);
    ft_json_kv_string(j, "state", w->state);
    ft_json_kv_int(j, "pid", w->pid);
    ft_json_key(j, "exit_code");
    if (w->exit_code >= 0)
        ft_json_int(j, w->exit_code);
    else
        ft_json_null(j);
    ft_json_key(j, "heartbeat");
    if (w->heartbeat)
        ft_json_raw(j, w->heartbeat); /* a JSON object our own worker wrote */
    else
        ft_json_null(j);
    ft_json_kv_string(j, "message", w->message);
    ft_json_object_end(j);
    pthread_mutex_unlock(&v->lock);
}

/* Maps W's shared memory when its name is known and not mapped yet. */
static int ensure_mapped(worker *w)
{
    if (!w->shm_name[0])
        return 0;
    if (w->map && strcmp(w->mapped, w->shm_name) == 0)
        return 1;
    unmap(w);
    const int fd = shm_open(w->shm_name, O_RDONLY | O_CLOEXEC, 0);
    struct stat st;
    if (fd < 0)
        return 0;
    if (fstat(fd, &st) == 0 && (size_t)st.st_size >= sizeof(ft_live_shm_header)) {
        void *p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, fd, 0);
        if (p != MAP_FAILED) {
            w->map = p;
            w->map_size = (size_t)st.st_size;
            memcpy(w->mapped, w->shm_name, sizeof w->mapped);
        }
    }
    close(fd);
    return w->map != NULL;
}

/* A consistent copy of the segment's frame (the seqlock: see
 * shm_layout.h); 0 when there is none yet. */
static int copy_frame(const uint8_t *base, size_t size, ft_live_shm_header *h, ft_live_shm_face *faces,
                      uint8_t *pixels, uint64_t *sequence)
{
    const ft_live_shm_header *live = (const ft_live_shm_header *)(const void *)base;
    _Atomic const uint64_t *seq = (_Atomic const uint64_t *)(const void *)&live->sequence;
    for (int attempt = 0; attempt < 100000; attempt++) {
        const uint64_t before = atomic_load_explicit(seq, memory_order_acquire);
        if (before == 0)
            return 0;
        if (before & 1)
            continue;
        memcpy(h, live, sizeof *h);
        const uint32_t count = h->face_count <= h->max_faces ? h->face_count : 0;
        if ((uint64_t)h->pixels_offset + h->pixels_size > size ||
            h->header_size + (uint64_t)h->max_faces * sizeof *faces > size)
            return 0;
        memcpy(faces, base + h->header_size, count * sizeof *faces);
        memcpy(pixels, base + h->pixels_offset, h->pixels_size);
        atomic_thread_fence(memory_order_acquire);
        if (atomic_load_explicit(seq, memory_order_relaxed) == before) {
            h->face_count = count;
            if (sequence)
                *sequence = before;
            return 1;
        }
    }
    return 0;
}

/* The preview as a JPEG (libavcodec's MJPEG encoder); *OUT malloc'ed. */
static ft_status encode_jpeg(const ft_live_shm_header *h, const uint8_t *pixels, uint8_t **out,
                             int *out_size)
{
    ft_av_init(); /* libav's messages into our log */
    const int w = (int)h->preview_width, hh = (int)h->preview_height;
    ft_status st = FT_ERR_INTERNAL;
    const AVCodec *codec = avcodec_find_encoder(AV_CODEC_ID_MJPEG);
    AVCodecContext *c = codec ? avcodec_alloc_context3(codec) : NULL;
    AVFrame *f = av_frame_alloc();
    AVPacket *pkt = av_packet_alloc();
    struct SwsContext *sws = NULL;
    if (!c || !f || !pkt)
        goto done;
    c->width = w;
    c->height = hh;
    c->pix_fmt = AV_PIX_FMT_YUVJ420P;
    c->time_base = (AVRational){1, 25};
    c->flags |= AV_CODEC_FLAG_QSCALE;
    c->global_quality = FF_QP2LAMBDA * 4;
    if (avcodec_open2(c, codec, NULL) < 0)
        goto done;
    f->format = AV_PIX_FMT_YUVJ420P;
    f->width = w;
    f->height = hh;
    if (av_frame_get_buffer(f, 0) < 0)
        goto done;
    sws = sws_getContext(w, hh, h->pixel_format == FT_LIVE_SHM_BGR24 ? AV_PIX_FMT_BGR24 : AV_PIX_FMT_RGB24,
                         w, hh, AV_PIX_FMT_YUVJ420P, SWS_BILINEAR, NULL, NULL, NULL);
    if (!sws)
        goto done;
    const uint8_t *src[4] = {pixels, NULL, NULL, NULL};
    const int stride[4] = {(int)h->preview_stride, 0, 0, 0};
    sws_scale(sws, src, stride, 0, hh, f->data, f->linesize);
    f->pts = 0;
    f->quality = c->global_quality;
    if (avcodec_send_frame(c, f) < 0 || avcodec_receive_packet(c, pkt) < 0)
        goto done;
    if (!(*out = malloc((size_t)pkt->size))) {
        st = FT_ERR_NOMEM;
        goto done;
    }
    memcpy(*out, pkt->data, (size_t)pkt->size);
    *out_size = pkt->size;
    st = FT_OK;
done:
    sws_freeContext(sws);
    av_packet_free(&pkt);
    av_frame_free(&f);
    avcodec_free_context(&c);
    return st;
}

static void write_frame(ft_json *j, int index, const ft_live_shm_header *h,
                        const ft_live_shm_face *faces, const char *image)
{
    ft_json_object_begin(j);
    ft_json_kv_int(j, "index", index);
    ft_json_kv_int(j, "frame", h->frame_id);
    ft_json_key(j, "capture");
    ft_json_array_begin(j);
    ft_json_int(j, h->capture_width);
    ft_json_int(j, h->capture_height);
    ft_json_array_end(j);
    ft_json_key(j, "preview");
    ft_json_array_begin(j);
    ft_json_int(j, h->preview_width);
    ft_json_int(j, h->preview_height);
    ft_json_array_end(j);
    ft_json_key(j, "scale");
    ft_json_array_begin(j);
    ft_json_double_digits(j, h->scale_x, 7);
    ft_json_double_digits(j, h->scale_y, 7);
    ft_json_array_end(j);
    ft_json_key(j, "latency_ms");
    ft_json_double_places(j, h->latency_ms, 3);
    ft_json_key(j, "faces");
    ft_json_array_begin(j);
    for (uint32_t i = 0; i < h->face_count; i++) {
        const ft_live_shm_face *f = &faces[i];
        ft_json_object_begin(j);
        ft_json_kv_int(j, "id", f->id);
        ft_json_key(j, "confidence");
        ft_json_double_places(j, f->confidence, 4);
        ft_json_key(j, "box");
        ft_json_array_begin(j);
        for (int k = 0; k < 4; k++)
            ft_json_double_places(j, f->box[k], 2);
        ft_json_array_end(j);
        ft_json_key(j, "landmarks");
        ft_json_array_begin(j);
        for (int k = 0; k < f->landmark_count && k < FT_LIVE_SHM_MAX_LANDMARKS; k++) {
            ft_json_array_begin(j);
            ft_json_double_places(j, f->landmarks[k][0], 1);
            ft_json_double_places(j, f->landmarks[k][1], 1);
            ft_json_array_end(j);
        }
        ft_json_array_end(j);
        ft_json_object_end(j);
    }
    ft_json_array_end(j);
    if (image) /* the stream's parts carry the picture beside this object */
        ft_json_kv_string(j, "image", image);
    ft_json_object_end(j);
}

ft_status ft_live_view_write_snapshot(ft_live_view *v, int index, ft_json *j, char *err, size_t n)
{
    if (!v || index < 0 || index >= v->count) {
        snprintf(err, n, "no live source %d", index);
        return FT_ERR_NOT_FOUND;
    }
    worker *w = &v->workers[index];
    ft_live_shm_header h;
    ft_live_shm_face *faces = NULL;
    uint8_t *pixels = NULL;
    pthread_mutex_lock(&v->lock);
    if (w->pid <= 0) {
        pthread_mutex_unlock(&v->lock);
        snprintf(err, n, "live source %d does not run", index);
        return FT_ERR_INVALID_ARG;
    }
    int got = 0;
    if (ensure_mapped(w)) {
        const ft_live_shm_header *live = (const ft_live_shm_header *)(const void *)w->map;
        faces = calloc(live->max_faces ? live->max_faces : 1, sizeof *faces);
        pixels = malloc(live->pixels_size ? live->pixels_size : 1);
        got = faces && pixels && live->magic == FT_LIVE_SHM_MAGIC &&
              live->version == FT_LIVE_SHM_VERSION &&
              copy_frame(w->map, w->map_size, &h, faces, pixels, NULL);
    }
    pthread_mutex_unlock(&v->lock);
    ft_status st = FT_EAGAIN;
    if (!got) {
        snprintf(err, n, "live source %d has no frame yet", index);
    } else {
        uint8_t *jpeg = NULL;
        int size = 0;
        st = encode_jpeg(&h, pixels, &jpeg, &size);
        const char prefix[] = "data:image/jpeg;base64,";
        char *url = st == FT_OK ? malloc(sizeof prefix + AV_BASE64_SIZE(size)) : NULL;
        if (url) {
            memcpy(url, prefix, sizeof prefix);
            av_base64_encode(url + sizeof prefix - 1, AV_BASE64_SIZE(size), jpeg, size);
            write_frame(j, index, &h, faces, url);
        } else {
            snprintf(err, n, "cannot encode the preview");
            st = FT_ERR_INTERNAL;
        }
        free(url);
        free(jpeg);
    }
    free(faces);
    free(pixels);
    return st;
}

/* ------------------------------------------------------------ the stream */

#define PART_POLL_MS 5 /* how often a waiting stream looks for a new frame */

unsigned ft_live_view_run(ft_live_view *v, int index)
{
    if (!v || index < 0 || index >= v->count)
        return 0;
    pthread_mutex_lock(&v->lock);
    const unsigned run = v->workers[index].pid > 0 ? v->workers[index].run : 0;
    pthread_mutex_unlock(&v->lock);
    return run;
}

/* The seqlock value of run RUN's segment now (0: no frame yet), or FT_EOF
 * when that run is over. */
static ft_status current_sequence(ft_live_view *v, worker *w, unsigned run, uint64_t *sequence)
{
    ft_status st = FT_EOF;
    pthread_mutex_lock(&v->lock);
    if (w->pid > 0 && w->run == run) {
        st = FT_OK;
        *sequence = 0;
        if (ensure_mapped(w)) {
            const ft_live_shm_header *live = (const ft_live_shm_header *)(const void *)w->map;
            *sequence = atomic_load_explicit((_Atomic const uint64_t *)(const void *)&live->sequence,
                                             memory_order_acquire);
        }
    }
    pthread_mutex_unlock(&v->lock);
    return st;
}

/* One part of the stream: its headers (the frame's id and, as one line of
 * JSON, its results: the snapshot's object without "image"), the JPEG. */
static ft_status build_part(int index, const ft_live_shm_header *h, const ft_live_shm_face *faces,
                            const uint8_t *jpeg, int jpeg_size, const char *boundary, uint8_t **out,
                            size_t *out_size)
{
    char *results = NULL;
    size_t results_size = 0;
    FILE *mem = open_memstream(&results, &results_size);
    if (!mem)
        return FT_ERR_NOMEM;
    ft_json j;
    ft_json_init(&j, mem, 0);
    j.final_newline = 0; /* a header value: one line, no line break */
    write_frame(&j, index, h, faces, NULL);
    const ft_status st = ft_json_finish(&j);
    fclose(mem);
    char *part = NULL;
    size_t part_size = 0;
    mem = st == FT_OK ? open_memstream(&part, &part_size) : NULL;
    if (mem) {
        fprintf(mem,
                "--%s\r\nContent-Type: image/jpeg\r\nContent-Length: %d\r\nX-Frame-Id: %lld\r\n"
                "X-Live-Frame: %s\r\n\r\n",
                boundary, jpeg_size, (long long)h->frame_id, results);
        fwrite(jpeg, 1, (size_t)jpeg_size, mem);
        fputs("\r\n", mem);
        fclose(mem);
    }
    free(results);
    if (!part)
        return st == FT_OK ? FT_ERR_NOMEM : st;
    *out = (uint8_t *)part;
    *out_size = part_size;
    return FT_OK;
}

/* Makes W's cached part the frame of SEQUENCE (or a newer one), unless it
 * already is. Called under W's part_lock. */
static ft_status refresh_part(ft_live_view *v, worker *w, int index, unsigned run, uint64_t sequence,
                              const char *boundary)
{
    if (w->part && w->part_run == run && w->part_sequence == sequence)
        return FT_OK;
    ft_live_shm_header h;
    ft_live_shm_face *faces = NULL;
    uint8_t *pixels = NULL;
    uint64_t copied = 0;
    int got = 0;
    pthread_mutex_lock(&v->lock);
    if (w->pid > 0 && w->run == run && ensure_mapped(w)) {
        const ft_live_shm_header *live = (const ft_live_shm_header *)(const void *)w->map;
        faces = calloc(live->max_faces ? live->max_faces : 1, sizeof *faces);
        pixels = malloc(live->pixels_size ? live->pixels_size : 1);
        got = faces && pixels && live->magic == FT_LIVE_SHM_MAGIC &&
              live->version == FT_LIVE_SHM_VERSION &&
              copy_frame(w->map, w->map_size, &h, faces, pixels, &copied);
    }
    pthread_mutex_unlock(&v->lock);
    ft_status st = FT_EAGAIN;
    uint8_t *jpeg = NULL, *part = NULL;
    int jpeg_size = 0;
    size_t part_size = 0;
    if (got && (st = encode_jpeg(&h, pixels, &jpeg, &jpeg_size)) == FT_OK &&
        (st = build_part(index, &h, faces, jpeg, jpeg_size, boundary, &part, &part_size)) == FT_OK) {
        free(w->part);
        w->part = part;
        w->part_size = part_size;
        w->part_frame = h.frame_id;
        w->part_run = run;
        w->part_sequence = copied;
    }
    free(jpeg);
    free(faces);
    free(pixels);
    return st;
}

ft_status ft_live_view_next_part(ft_live_view *v, int index, unsigned run, const char *boundary,
                                 int64_t *frame, uint8_t **out, size_t *out_size, int timeout_ms)
{
    if (!v || index < 0 || index >= v->count)
        return FT_ERR_NOT_FOUND;
    worker *w = &v->workers[index];
    for (int waited = 0;; waited += PART_POLL_MS) {
        uint64_t sequence = 0;
        if (current_sequence(v, w, run, &sequence) == FT_EOF)
            return FT_EOF;
        if (sequence && !(sequence & 1)) { /* odd: being written; looked at again shortly */
            pthread_mutex_lock(&w->part_lock);
            ft_status st = refresh_part(v, w, index, run, sequence, boundary);
            if (st == FT_OK && w->part_run == run && w->part_frame > *frame) {
                *out = malloc(w->part_size);
                if (*out) {
                    memcpy(*out, w->part, w->part_size);
                    *out_size = w->part_size;
                    *frame = w->part_frame;
                }
                st = *out ? FT_OK : FT_ERR_NOMEM;
                pthread_mutex_unlock(&w->part_lock);
                return st;
            }
            pthread_mutex_unlock(&w->part_lock);
            if (st != FT_OK && st != FT_EAGAIN)
                return st;
        }
        if (waited >= timeout_ms)
            return FT_EAGAIN;
        nanosleep(&(struct timespec){0, PART_POLL_MS * 1000000L}, NULL);
    }
}
