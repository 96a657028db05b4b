/* Unit tests of the live preview's shared memory: a reader following the
 * seqlock never gets a torn frame while the writer writes as fast as it
 * can (how often the two met, and how many of those copies a reader that
 * skipped the check would have kept torn, is printed: it depends on the
 * scheduler); the layout's header says what was written; the segment goes with
 * its writer, and a crashed writer's segment is removed by the next one. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "live/preview_shm.h"
#include "live/shm_layout.h"

#define CAPTURE_W 320
#define CAPTURE_H 240
#define PREVIEW_W 288 /* another size than the capture's: the scale is not 1 */
#define PREVIEW_H 200

typedef struct writer {
    ft_live_shm *shm;
    atomic_int stop;
    atomic_long written;
} writer;

/* Frame I: every byte I & 255, one face with id I. */
static void *write_frames(void *arg)
{
    writer *w = arg;
    static uint8_t rgb[CAPTURE_W * CAPTURE_H * 3];
    static ft_face face;
    for (long i = 1; !atomic_load(&w->stop); i++) {
        memset(rgb, (int)(i & 255), sizeof rgb);
        face.id = (int)i;
        face.box[0] = (float)(i % 100);
        face.landmark_count = 478;
        const ft_live_frame f = {.rgb = rgb, .width = CAPTURE_W, .height = CAPTURE_H,
                                 .stride = CAPTURE_W * 3, .id = i};
        ft_live_shm_write(w->shm, &f, &face, 1, 1.0);
        atomic_store(&w->written, i);
    }
    return NULL;
}

static const uint8_t *map_segment(const char *name, size_t *size)
{
    const int fd = shm_open(name, O_RDONLY, 0);
    assert_true(fd >= 0);
    struct stat st;
    assert_int_equal(fstat(fd, &st), 0);
    *size = (size_t)st.st_size;
    void *p = mmap(NULL, *size, PROT_READ, MAP_SHARED, fd, 0);
    close(fd);
    assert_true(p != MAP_FAILED);
    return p;
}

static void test_no_torn_frame(void **state)
{
    (void)state;
    char err[256];
    writer w = {0};
    assert_int_equal(ft_live_shm_create(91, PREVIEW_W, PREVIEW_H, 0, 2, &w.shm, err, sizeof err), FT_OK);
    size_t size;
    const uint8_t *base = map_segment(ft_live_shm_name(w.shm), &size);
    const ft_live_shm_header *h = (const ft_live_shm_header *)(const void *)base;
    assert_int_equal(h->magic, FT_LIVE_SHM_MAGIC);
    assert_int_equal(h->version, FT_LIVE_SHM_VERSION);
    assert_int_equal(h->segment_size, size);
    assert_int_equal(h->preview_width, PREVIEW_W);
    assert_int_equal(h->preview_height, PREVIEW_H);
    assert_int_equal(h->pixels_size, PREVIEW_W * PREVIEW_H * 3);
    assert_int_equal(h->sequence, 0); /* no frame yet */

    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, write_frames, &w), 0);
    _Atomic const uint64_t *seq = (_Atomic const uint64_t *)(const void *)&h->sequence;
    static uint8_t pixels[PREVIEW_W * PREVIEW_H * 3];
    ft_live_shm_header copy;
    ft_live_shm_face face;
    long consistent = 0, torn = 0, frames = 0, last = -1, retries = 0, unchecked_torn = 0;
    while (atomic_load(&w.written) == 0)
        sched_yield();
    /* Until 50 different frames were copied whole (or 10 s: a loaded machine). */
    const time_t give_up = time(NULL) + 10;
    for (long i = 0; frames < 50 && (i % 1000 || time(NULL) < give_up); i++) {
        const uint64_t before = atomic_load_explicit(seq, memory_order_acquire);
        if (before == 0 || (before & 1)) {
            retries += before != 0;
            continue;
        }
        memcpy(&copy, base, sizeof copy);
        memcpy(&face, base + copy.header_size, sizeof face);
        memcpy(pixels, base + copy.pixels_offset, sizeof pixels);
        int64_t trailer;
        memcpy(&trailer, base + size - 8, 8);
        atomic_thread_fence(memory_order_acquire);
        const int changed = atomic_load_explicit(seq, memory_order_relaxed) != before;
        int whole = trailer == copy.frame_id && face.id == copy.frame_id && copy.face_count == 1 &&
                    copy.capture_width == CAPTURE_W && copy.capture_height == CAPTURE_H;
        for (size_t k = 0; k < sizeof pixels && whole; k++)
            whole = pixels[k] == (uint8_t)(copy.frame_id & 255);
        if (changed) { /* the writer moved on: a reader retries (and would have kept a torn copy) */
            retries++;
            unchecked_torn += !whole;
            continue;
        }
        consistent++;
        torn += !whole;
        frames += copy.frame_id != last;
        last = copy.frame_id;
    }
    atomic_store(&w.stop, 1);
    pthread_join(t, NULL);
    printf("  %ld consistent copies of %ld frames, %ld torn; %ld retries, of which %ld copies were "
           "torn; %ld frames written\n",
           consistent, frames, torn, retries, unchecked_torn, atomic_load(&w.written));
    assert_int_equal(torn, 0);
    assert_true(frames >= 50); /* the writer really wrote while we read */
    /* The scale is stated per axis, preview / capture. */
    assert_true(copy.scale_x == (float)PREVIEW_W / CAPTURE_W && copy.scale_y == (float)PREVIEW_H / CAPTURE_H);
    const char *name = ft_live_shm_name(w.shm);
    char path[128];
    snprintf(path, sizeof path, "/dev/shm%s", name);
    munmap((void *)(uintptr_t)base, size);
    ft_live_shm_free(w.shm);
    assert_int_equal(access(path, F_OK), -1); /* gone with its writer */
}

static void test_crashed_writer_cleaned(void **state)
{
    (void)state;
    int names[2];
    assert_int_equal(pipe(names), 0);
    const pid_t child = fork();
    if (child == 0) { /* a writer that dies without cleaning up */
        char err[256];
        ft_live_shm *shm;
        if (ft_live_shm_create(92, 32, 32, 1, 1, &shm, err, sizeof err) != FT_OK)
            _exit(1);
        char name[64];
        snprintf(name, sizeof name, "%s", ft_live_shm_name(shm));
        ssize_t n = write(names[1], name, sizeof name);
        _exit(n == (ssize_t)sizeof name ? 0 : 1);
    }
    close(names[1]);
    char name[64] = "";
    assert_int_equal(read(names[0], name, sizeof name), (ssize_t)sizeof name);
    close(names[0]);
    int status;
    assert_int_equal(waitpid(child, &status, 0), child);
    char path[128];
    snprintf(path, sizeof path, "/dev/shm%s", name);
    assert_int_equal(access(path, F_OK), 0); /* left behind */
    assert_true(ft_live_shm_remove_stale() >= 1);
    assert_int_equal(access(path, F_OK), -1);
    /* A live writer's segment is not touched. */
    char err[256];
    ft_live_shm *mine;
    assert_int_equal(ft_live_shm_create(93, 32, 32, 0, 1, &mine, err, sizeof err), FT_OK);
    ft_live_shm_remove_stale();
    snprintf(path, sizeof path, "/dev/shm%s", ft_live_shm_name(mine));
    assert_int_equal(access(path, F_OK), 0);
    ft_live_shm_free(mine);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_no_torn_frame),
        cmocka_unit_test(test_crashed_writer_cleaned),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
