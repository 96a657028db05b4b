/* The shared-memory preview writer (see preview_shm.h). */
#include "live/preview_shm.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libswscale/swscale.h>

#include "live/shm_layout.h"

#define PREFIX "facetrack-live-"

struct ft_live_shm {
    char name[64];
    uint8_t *base;
    size_t size;
    ft_live_shm_header *header;
    int width, height, bgr, max_faces;
    uint8_t *scaled; /* the next preview, scaled outside the write window */
    struct SwsContext *sws;
};

_Static_assert(ATOMIC_LLONG_LOCK_FREE == 2, "the seqlock needs a lock-free 64-bit counter");

static _Atomic uint64_t *sequence_of(ft_live_shm_header *h)
{
    return (_Atomic uint64_t *)(void *)&h->sequence;
}

int ft_live_shm_remove_stale(void)
{
    DIR *d = opendir("/dev/shm");
    if (!d)
        return 0;
    int removed = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strncmp(e->d_name, PREFIX, strlen(PREFIX)) != 0)
            continue;
        char *end;
        const long pid = strtol(e->d_name + strlen(PREFIX), &end, 10);
        if (pid <= 0 || *end != '-')
            continue;
        if (kill((pid_t)pid, 0) == 0 || errno != ESRCH)
            continue; /* its writer runs (or is not ours to judge) */
        char name[300];
        snprintf(name, sizeof name, "/%s", e->d_name);
        if (shm_unlink(name) == 0)
            removed++;
    }
    closedir(d);
    return removed;
}

ft_status ft_live_shm_create(int index, int width, int height, int bgr, int max_faces,
                             ft_live_shm **out, char *err, size_t n)
{
    *out = NULL;
    ft_live_shm *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, n, "out of memory");
        return FT_ERR_NOMEM;
    }
    s->width = width;
    s->height = height;
    s->bgr = bgr;
    s->max_faces = max_faces;
    snprintf(s->name, sizeof s->name, "/" PREFIX "%ld-%d", (long)getpid(), index);
    const size_t pixels_offset = FT_LIVE_SHM_HEADER_SIZE + (size_t)max_faces * FT_LIVE_SHM_FACE_SIZE;
    const size_t pixels = (size_t)width * 3 * (size_t)height;
    s->size = (pixels_offset + pixels + 8 + 4095) / 4096 * 4096;
    s->scaled = malloc(pixels);
    const int fd = s->scaled ? shm_open(s->name, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600) : -1;
    if (fd < 0) {
        snprintf(err, n, "%s: cannot create the shared memory: %s", s->name,
                 s->scaled ? strerror(errno) : "out of memory");
        free(s->scaled);
        free(s);
        return FT_ERR_IO;
    }
    void *base = MAP_FAILED;
    if (ftruncate(fd, (off_t)s->size) == 0)
        base = mmap(NULL, s->size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    const int saved = errno;
    close(fd);
    if (base == MAP_FAILED) {
        snprintf(err, n, "%s: cannot map %zu bytes of shared memory: %s", s->name, s->size,
                 strerror(saved));
        shm_unlink(s->name);
        free(s->scaled);
        free(s);
        return FT_ERR_IO;
    }
    s->base = base;
    s->header = base;
    ft_live_shm_header *h = s->header;
    h->magic = FT_LIVE_SHM_MAGIC;
    h->version = FT_LIVE_SHM_VERSION;
    h->segment_size = s->size;
    h->header_size = FT_LIVE_SHM_HEADER_SIZE;
    h->face_size = FT_LIVE_SHM_FACE_SIZE;
    h->max_faces = (uint32_t)max_faces;
    h->pixels_offset = (uint32_t)pixels_offset;
    h->pixels_size = (uint32_t)pixels;
    h->pixel_format = bgr ? FT_LIVE_SHM_BGR24 : FT_LIVE_SHM_RGB24;
    h->writer_pid = (uint32_t)getpid();
    h->preview_width = (uint32_t)width;
    h->preview_height = (uint32_t)height;
    h->preview_stride = (uint32_t)width * 3;
    atomic_store_explicit(sequence_of(h), 0, memory_order_release);
    *out = s;
    return FT_OK;
}

void ft_live_shm_free(ft_live_shm *s)
{
    if (!s)
        return;
    munmap(s->base, s->size);
    shm_unlink(s->name);
    sws_freeContext(s->sws);
    free(s->scaled);
    free(s);
}

const char *ft_live_shm_name(const ft_live_shm *s)
{
    return s->name;
}

size_t ft_live_shm_size(const ft_live_shm *s)
{
    return s->size;
}

static void fill_face(ft_live_shm_face *r, const ft_face *f)
{
    memset(r, 0, sizeof *r);
    r->id = f->id;
    r->confidence = f->detection_score;
    r->presence = f->presence;
    memcpy(r->box, f->box, sizeof r->box);
    r->landmark_count = f->landmark_count;
    r->has_blendshapes = f->has_blendshapes;
    if (f->has_blendshapes)
        memcpy(r->blendshapes, f->blendshapes, sizeof r->blendshapes);
    r->has_pose = f->has_matrix;
    r->yaw = f->yaw;
    r->pitch = f->pitch;
    r->roll = f->roll;
    for (int k = 0; k < f->landmark_count && k < FT_LIVE_SHM_MAX_LANDMARKS; k++) {
        r->landmarks[k][0] = f->landmarks[k][0];
        r->landmarks[k][1] = f->landmarks[k][1];
    }
}

ft_status ft_live_shm_write(ft_live_shm *s, const ft_live_frame *fr, const ft_face *faces,
                            int count, double latency_ms)
{
    /* Scaling first, outside the window in which readers must retry. */
    s->sws = sws_getCachedContext(s->sws, fr->width, fr->height, AV_PIX_FMT_RGB24, s->width,
                                  s->height, s->bgr ? AV_PIX_FMT_BGR24 : AV_PIX_FMT_RGB24,
                                  SWS_BILINEAR, NULL, NULL, NULL);
    if (!s->sws)
        return FT_ERR_UNSUPPORTED;
    const uint8_t *src[4] = {fr->rgb, NULL, NULL, NULL};
    const int src_stride[4] = {fr->stride, 0, 0, 0};
    uint8_t *dst[4] = {s->scaled, NULL, NULL, NULL};
    const int dst_stride[4] = {s->width * 3, 0, 0, 0};
    sws_scale(s->sws, src, src_stride, 0, fr->height, dst, dst_stride);
    if (count > s->max_faces)
        count = s->max_faces;

    ft_live_shm_header *h = s->header;
    _Atomic uint64_t *seq = sequence_of(h);
    const uint64_t start = atomic_load_explicit(seq, memory_order_relaxed);
    atomic_store_explicit(seq, start + 1, memory_order_relaxed); /* odd: writing */
    atomic_thread_fence(memory_order_release);
    h->frame_id = fr->id;
    h->capture_time_us = fr->wall_us;
    h->media_time_us = fr->time_us;
    h->capture_width = (uint32_t)fr->width;
    h->capture_height = (uint32_t)fr->height;
    h->scale_x = (float)s->width / (float)fr->width;
    h->scale_y = (float)s->height / (float)fr->height;
    h->face_count = (uint32_t)count;
    h->latency_ms = latency_ms;
    ft_live_shm_face *records = (ft_live_shm_face *)(void *)(s->base + h->header_size);
    for (int i = 0; i < count; i++)
        fill_face(&records[i], &faces[i]);
    memcpy(s->base + h->pixels_offset, s->scaled, h->pixels_size);
    /* The frame id again at the very end: a reader that ignored the
     * seqlock would see the two differ in a torn copy. */
    memcpy(s->base + s->size - 8, &fr->id, 8);
    atomic_store_explicit(seq, start + 2, memory_order_release); /* even: consistent */
    return FT_OK;
}
