/* Reads the shared-memory preview of a `facetrack live` worker (layout:
 * docs/live.md; the struct definitions are src/live/shm_layout.h, which
 * needs nothing but <stdint.h> and may be copied as is).
 *
 *   cc -O2 -o shm_reader shm_reader.c -lrt
 *   shm_reader NAME                 one frame: a JSON line with the faces
 *   shm_reader --ppm FILE NAME      and the preview, boxes drawn, as a PPM
 *   shm_reader --check N NAME       N reads as fast as possible; counts the
 *                                   copies whose two frame ids differ (torn)
 *
 * NAME is the "shm" name of the worker's "ready" event (/facetrack-live-...).
 * A reader never blocks the worker: it copies between two reads of the
 * sequence counter and retries when the writer was busy. */
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../../src/live/shm_layout.h"

typedef struct snapshot {
    ft_live_shm_header header;
    ft_live_shm_face *faces; /* header.max_faces records */
    uint8_t *pixels;         /* header.pixels_size bytes */
    int64_t trailer;         /* the frame id written last */
} snapshot;

/* One consistent copy of the segment at BASE; 0 when the writer has not
 * written a frame yet (or kept it busy for a whole second). */
static int read_frame(const uint8_t *base, size_t size, snapshot *s, long *retries)
{
    const ft_live_shm_header *h = (const ft_live_shm_header *)(const void *)base;
    _Atomic const uint64_t *seq = (_Atomic const uint64_t *)(const void *)&h->sequence;
    for (long attempt = 0; attempt < 1000000; attempt++) {
        const uint64_t before = atomic_load_explicit(seq, memory_order_acquire);
        if (before == 0)
            return 0;
        if (before & 1) { /* the writer is in the middle of a frame */
            (*retries)++;
            continue;
        }
        memcpy(&s->header, h, sizeof s->header);
        uint32_t n = s->header.face_count <= s->header.max_faces ? s->header.face_count : 0;
        memcpy(s->faces, base + s->header.header_size, (size_t)n * s->header.face_size);
        memcpy(s->pixels, base + s->header.pixels_offset, s->header.pixels_size);
        memcpy(&s->trailer, base + size - 8, 8);
        atomic_thread_fence(memory_order_acquire);
        if (atomic_load_explicit(seq, memory_order_relaxed) == before)
            return 1;
        (*retries)++;
    }
    return 0;
}

static void put_pixel(uint8_t *p, int stride, int w, int h, int x, int y)
{
    if (x < 0 || y < 0 || x >= w || y >= h)
        return;
    uint8_t *px = p + (size_t)y * (size_t)stride + (size_t)x * 3;
    px[0] = 0, px[1] = 255, px[2] = 0; /* green in RGB and in BGR */
}

/* The boxes, scaled from capture pixels to the preview, drawn into it. */
static void draw_boxes(snapshot *s)
{
    const ft_live_shm_header *h = &s->header;
    const int w = (int)h->preview_width, hh = (int)h->preview_height, st = (int)h->preview_stride;
    for (uint32_t i = 0; i < h->face_count; i++) {
        const float *b = s->faces[i].box;
        const int x0 = (int)(b[0] * h->scale_x), y0 = (int)(b[1] * h->scale_y);
        const int x1 = (int)((b[0] + b[2]) * h->scale_x), y1 = (int)((b[1] + b[3]) * h->scale_y);
        for (int x = x0; x <= x1; x++) {
            put_pixel(s->pixels, st, w, hh, x, y0);
            put_pixel(s->pixels, st, w, hh, x, y1);
        }
        for (int y = y0; y <= y1; y++) {
            put_pixel(s->pixels, st, w, hh, x0, y);
            put_pixel(s->pixels, st, w, hh, x1, y);
        }
    }
}

static int write_ppm(const char *path, const snapshot *s)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    const ft_live_shm_header *h = &s->header;
    fprintf(f, "P6\n%u %u\n255\n", h->preview_width, h->preview_height);
    for (uint32_t y = 0; y < h->preview_height; y++)
        for (uint32_t x = 0; x < h->preview_width; x++) {
            const uint8_t *p = s->pixels + (size_t)y * h->preview_stride + (size_t)x * 3;
            const uint8_t rgb[3] = {h->pixel_format == FT_LIVE_SHM_BGR24 ? p[2] : p[0], p[1],
                                    h->pixel_format == FT_LIVE_SHM_BGR24 ? p[0] : p[2]};
            fwrite(rgb, 1, 3, f);
        }
    return fclose(f);
}

static void print_frame(const snapshot *s)
{
    const ft_live_shm_header *h = &s->header;
    printf("{\"frame\":%lld,\"capture\":[%u,%u],\"preview\":[%u,%u],\"scale\":[%.6f,%.6f],"
           "\"format\":\"%s\",\"latency_ms\":%.3f,\"faces\":[",
           (long long)h->frame_id, h->capture_width, h->capture_height, h->preview_width,
           h->preview_height, (double)h->scale_x, (double)h->scale_y,
           h->pixel_format == FT_LIVE_SHM_BGR24 ? "bgr24" : "rgb24", h->latency_ms);
    for (uint32_t i = 0; i < h->face_count; i++) {
        const ft_live_shm_face *f = &s->faces[i];
        printf("%s{\"id\":%d,\"box\":[%.2f,%.2f,%.2f,%.2f],\"landmarks\":%d,\"nose\":[%.2f,%.2f]}",
               i ? "," : "", f->id, (double)f->box[0], (double)f->box[1], (double)f->box[2],
               (double)f->box[3], f->landmark_count, (double)f->landmarks[1][0],
               (double)f->landmarks[1][1]);
    }
    printf("]}\n");
}

int main(int argc, char **argv)
{
    const char *ppm = NULL, *name = NULL;
    long checks = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--ppm") == 0 && i + 1 < argc)
            ppm = argv[++i];
        else if (strcmp(argv[i], "--check") == 0 && i + 1 < argc)
            checks = atol(argv[++i]);
        else
            name = argv[i];
    }
    if (!name) {
        fprintf(stderr, "usage: shm_reader [--ppm FILE] [--check N] NAME\n");
        return 2;
    }
    const int fd = shm_open(name, O_RDONLY, 0);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0 || (size_t)st.st_size < sizeof(ft_live_shm_header)) {
        fprintf(stderr, "shm_reader: %s: no such live preview\n", name);
        return 1;
    }
    const size_t size = (size_t)st.st_size;
    const uint8_t *base = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0);
    close(fd);
    if (base == MAP_FAILED) {
        fprintf(stderr, "shm_reader: %s: cannot map it\n", name);
        return 1;
    }
    const ft_live_shm_header *h = (const ft_live_shm_header *)(const void *)base;
    if (h->magic != FT_LIVE_SHM_MAGIC || h->version != FT_LIVE_SHM_VERSION ||
        h->segment_size != size || h->face_size != sizeof(ft_live_shm_face) ||
        (uint64_t)h->pixels_offset + h->pixels_size + 8 > size) {
        fprintf(stderr, "shm_reader: %s: not a version %u live preview\n", name, FT_LIVE_SHM_VERSION);
        return 1;
    }
    snapshot s = {.faces = calloc(h->max_faces ? h->max_faces : 1, sizeof *s.faces),
                  .pixels = malloc(h->pixels_size)};
    if (!s.faces || !s.pixels)
        return 1;
    long retries = 0;
    int rc = 0;
    if (checks > 0) {
        long torn = 0, ok = 0, frames = 0;
        int64_t last = -1;
        for (long i = 0; i < checks; i++) {
            if (!read_frame(base, size, &s, &retries))
                continue;
            ok++;
            torn += s.trailer != s.header.frame_id;
            frames += s.header.frame_id != last;
            last = s.header.frame_id;
        }
        printf("{\"reads\":%ld,\"consistent\":%ld,\"torn\":%ld,\"retries\":%ld,\"frames_seen\":%ld}\n",
               checks, ok, torn, retries, frames);
        rc = torn > 0 || ok == 0;
    } else {
        /* Wait (up to 10 s) for the first frame. */
        int got = 0;
        for (int i = 0; i < 1000 && !(got = read_frame(base, size, &s, &retries)); i++)
            nanosleep(&(struct timespec){0, 10000000}, NULL);
        if (!got) {
            fprintf(stderr, "shm_reader: %s: no frame yet\n", name);
            rc = 1;
        } else {
            print_frame(&s);
            if (ppm) {
                draw_boxes(&s);
                if (write_ppm(ppm, &s) != 0) {
                    fprintf(stderr, "shm_reader: %s: cannot write it\n", ppm);
                    rc = 1;
                }
            }
        }
    }
    munmap((void *)(uintptr_t)base, size);
    free(s.faces);
    free(s.pixels);
    return rc;
}
