/* Frames decoded ahead of their consumer (see frame_prefetch.h). */
#include "track/frame_prefetch.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "facetrack.h"
#include "gpu/frame_warp.h"

typedef struct slot {
    ft_frame frame;   /* its planes point into PIXELS, or DEVICE_PIXELS */
    uint8_t *pixels;
    size_t capacity;
    uint8_t *device_pixels; /* frames left on a GPU are copied there */
    size_t device_capacity;
    int device;
    ft_status status; /* FT_OK: a frame; else where the reading ended */
} slot;

struct ft_frame_prefetch {
    ft_video *video;
    int64_t count;
    int depth;
    slot *slots;
    char error[512];    /* the reader's message with an error status */
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t changed;
    int filled;         /* slots written and not yet handed out */
    int write_at, read_at;
    int holding;        /* the caller holds slot READ_AT - 1 */
    int stopping;
};

/* Bytes of plane I of FRAME as the reader lays it out. */
static size_t plane_bytes(const ft_frame *f, int i)
{
    if (!f->data[i])
        return 0;
    const int chroma = i > 0 && (f->format == FT_PIXFMT_YUV420P || f->format == FT_PIXFMT_CUDA_NV12);
    return (size_t)f->linesize[i] * (size_t)(chroma ? (f->height + 1) / 2 : f->height);
}

/* Copies the reader's frame, on a GPU, into slot S's memory there. */
static ft_status keep_on_device(slot *s, const ft_frame *f)
{
    const size_t luma = plane_bytes(f, 0), total = luma + plane_bytes(f, 1);
    if (total > s->device_capacity || f->device != s->device) {
        ft_gpu_picture_free(s->device, s->device_pixels);
        s->device_capacity = 0;
        s->device = f->device;
        if (!(s->device_pixels = ft_gpu_picture_alloc(f->device, total)))
            return FT_ERR_NOMEM;
        s->device_capacity = total;
    }
    s->frame = *f;
    for (int i = 0; i < 2; i++) {
        uint8_t *to = s->device_pixels + (i ? luma : 0);
        const size_t rows = plane_bytes(f, i) / (size_t)f->linesize[i];
        ft_status st = ft_gpu_picture_copy(f->device, to, (size_t)f->linesize[i], f->data[i],
                                           (size_t)f->linesize[i], (size_t)f->linesize[i], rows);
        if (st != FT_OK)
            return st;
        s->frame.data[i] = to;
    }
    return FT_OK;
}

/* Copies the reader's frame into slot S, whose buffer grows as needed. */
static ft_status keep(slot *s, const ft_frame *f)
{
    if (f->format == FT_PIXFMT_CUDA_NV12)
        return keep_on_device(s, f);
    size_t total = 0;
    for (int i = 0; i < 3; i++)
        total += plane_bytes(f, i);
    if (total > s->capacity) {
        uint8_t *bigger = realloc(s->pixels, total);
        if (!bigger)
            return FT_ERR_NOMEM;
        s->pixels = bigger;
        s->capacity = total;
    }
    s->frame = *f;
    size_t at = 0;
    for (int i = 0; i < 3; i++) {
        const size_t bytes = plane_bytes(f, i);
        if (!bytes)
            continue;
        memcpy(s->pixels + at, f->data[i], bytes);
        s->frame.data[i] = s->pixels + at;
        at += bytes;
    }
    return FT_OK;
}

static void *read_ahead(void *arg)
{
    ft_frame_prefetch *p = arg;
    for (int64_t n = 0;; n++) {
        pthread_mutex_lock(&p->lock);
        /* The slot to write must be neither queued nor held by the caller. */
        while (!p->stopping && p->filled + p->holding >= p->depth)
            pthread_cond_wait(&p->changed, &p->lock);
        const int stop = p->stopping;
        slot *s = &p->slots[p->write_at];
        pthread_mutex_unlock(&p->lock);
        if (stop)
            return NULL;
        ft_frame f;
        ft_status st = n < p->count ? ft_video_read(p->video, &f) : FT_EOF;
        if (st == FT_OK)
            st = keep(s, &f);
        else if (st != FT_EOF)
            snprintf(p->error, sizeof p->error, "%s", ft_video_error(p->video));
        if (st == FT_ERR_NOMEM)
            snprintf(p->error, sizeof p->error, "%s: out of memory", ft_video_path(p->video));
        else if (st == FT_ERR_NO_DEVICE)
            snprintf(p->error, sizeof p->error, "%s: cannot copy a frame on GPU %d",
                     ft_video_path(p->video), f.device);
        s->status = st;
        pthread_mutex_lock(&p->lock);
        p->write_at = (p->write_at + 1) % p->depth;
        p->filled++;
        pthread_cond_broadcast(&p->changed);
        pthread_mutex_unlock(&p->lock);
        if (st != FT_OK) { /* the end, or an error: the slot says which */
            ft_log(FT_LOG_DEBUG, "%s: decoded %lld frames ahead with %.2f s of CPU",
                   ft_video_path(p->video), (long long)n, ft_thread_cpu_s());
            return NULL;
        }
    }
}

ft_status ft_frame_prefetch_start(ft_video *video, int64_t count, int depth,
                                  ft_frame_prefetch **out)
{
    *out = NULL;
    if (!video || count < 0 || depth < 2)
        return FT_ERR_INVALID_ARG;
    ft_frame_prefetch *p = calloc(1, sizeof *p);
    if (!p)
        return FT_ERR_NOMEM;
    p->slots = calloc((size_t)depth, sizeof *p->slots);
    if (!p->slots) {
        free(p);
        return FT_ERR_NOMEM;
    }
    p->video = video;
    p->count = count;
    p->depth = depth;
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->changed, NULL);
    if (pthread_create(&p->thread, NULL, read_ahead, p) != 0) {
        pthread_cond_destroy(&p->changed);
        pthread_mutex_destroy(&p->lock);
        free(p->slots);
        free(p);
        return FT_ERR_INTERNAL;
    }
    *out = p;
    return FT_OK;
}

ft_status ft_frame_prefetch_next(ft_frame_prefetch *p, ft_frame *frame, char *err,
                                 size_t err_size)
{
    pthread_mutex_lock(&p->lock);
    if (p->holding) { /* the frame handed out last time is done with */
        p->holding = 0;
        pthread_cond_broadcast(&p->changed);
    }
    while (p->filled == 0)
        pthread_cond_wait(&p->changed, &p->lock);
    const slot *s = &p->slots[p->read_at];
    const ft_status st = s->status;
    if (st == FT_OK) { /* an end stays queued, so every later call sees it */
        *frame = s->frame;
        p->read_at = (p->read_at + 1) % p->depth;
        p->filled--;
        p->holding = 1;
    }
    pthread_mutex_unlock(&p->lock);
    if (st != FT_OK && st != FT_EOF && err)
        snprintf(err, err_size, "%s", p->error);
    return st;
}

void ft_frame_prefetch_stop(ft_frame_prefetch *p)
{
    if (!p)
        return;
    pthread_mutex_lock(&p->lock);
    p->stopping = 1;
    pthread_cond_broadcast(&p->changed);
    pthread_mutex_unlock(&p->lock);
    pthread_join(p->thread, NULL);
    for (int i = 0; i < p->depth; i++) {
        free(p->slots[i].pixels);
        ft_gpu_picture_free(p->slots[i].device, p->slots[i].device_pixels);
    }
    pthread_cond_destroy(&p->changed);
    pthread_mutex_destroy(&p->lock);
    free(p->slots);
    free(p);
}
