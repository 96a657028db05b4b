/* Frames decoded ahead on a thread of their own give the frames the reader
 * gives in place, in order, with the same numbers and pixels, in packed and
 * planar formats; the end stays the end; stopping while the thread is
 * ahead neither hangs nor leaks, and leaves the reader usable. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "facetrack.h"
#include "track/frame_prefetch.h"

static char clip[1024];

static ft_video *open_clip(ft_pixfmt format)
{
    ft_video_options o;
    ft_video_options_init(&o);
    o.pixfmt = format;
    ft_video *v = NULL;
    char err[512];
    if (ft_video_open(clip, &o, &v, err, sizeof err) != FT_OK)
        fail_msg("%s", err);
    return v;
}

/* COUNT frames from FIRST read in place and through a prefetcher of
 * DEPTH slots: the same frames, then the end (WANT of them exist). */
static void compare(ft_pixfmt format, int64_t first, int64_t count, int depth, int64_t want)
{
    ft_video *direct = open_clip(format), *ahead = open_clip(format);
    assert_int_equal(ft_video_seek(direct, first), FT_OK);
    assert_int_equal(ft_video_seek(ahead, first), FT_OK);
    ft_frame_prefetch *p = NULL;
    assert_int_equal(ft_frame_prefetch_start(ahead, count, depth, &p), FT_OK);
    char err[256] = "";
    int64_t got = 0;
    for (;; got++) {
        ft_frame a, b;
        const ft_status st = ft_frame_prefetch_next(p, &b, err, sizeof err);
        if (st != FT_OK) {
            assert_int_equal(st, FT_EOF);
            break;
        }
        assert_true(got < count);
        assert_int_equal(ft_video_read(direct, &a), FT_OK);
        char ma[33], mb[33];
        assert_int_equal(ft_frame_md5(&a, ma), FT_OK);
        assert_int_equal(ft_frame_md5(&b, mb), FT_OK);
        assert_string_equal(ma, mb);
        assert_int_equal(a.index, b.index);
        assert_int_equal(a.pts, b.pts);
        assert_int_equal(a.width, b.width);
        assert_int_equal(a.format, b.format);
    }
    assert_int_equal(got, want);
    ft_frame f;
    assert_int_equal(ft_frame_prefetch_next(p, &f, err, sizeof err), FT_EOF); /* and stays so */
    ft_frame_prefetch_stop(p);
    ft_video_close(direct);
    ft_video_close(ahead);
}

static void gives_the_frames_the_reader_gives(void **state)
{
    (void)state;
    compare(FT_PIXFMT_RGB24, 37, 50, 3, 50);
    compare(FT_PIXFMT_RGB24, 0, 120, 2, 120);
    compare(FT_PIXFMT_YUV420P, 5, 30, 4, 30);
}

static void ends_with_the_video(void **state)
{
    (void)state;
    compare(FT_PIXFMT_RGB24, 110, 50, 3, 10); /* 120 frames in all */
    compare(FT_PIXFMT_RGB24, 3, 0, 3, 0);
}

static void stops_while_ahead(void **state)
{
    (void)state;
    ft_video *v = open_clip(FT_PIXFMT_RGB24);
    for (int held = 0; held < 3; held++) {
        ft_frame_prefetch *p = NULL;
        assert_int_equal(ft_video_seek(v, 0), FT_OK);
        assert_int_equal(ft_frame_prefetch_start(v, 100, 3, &p), FT_OK);
        ft_frame f;
        for (int i = 0; i < held; i++)
            assert_int_equal(ft_frame_prefetch_next(p, &f, NULL, 0), FT_OK);
        ft_frame_prefetch_stop(p);
    }
    /* The reader is the caller's again. */
    assert_int_equal(ft_video_seek(v, 60), FT_OK);
    ft_frame f;
    assert_int_equal(ft_video_read(v, &f), FT_OK);
    assert_int_equal(f.index, 60);
    ft_video_close(v);
    ft_frame_prefetch *p = NULL;
    assert_int_equal(ft_frame_prefetch_start(NULL, 1, 3, &p), FT_ERR_INVALID_ARG);
    ft_frame_prefetch_stop(NULL);
}

int main(void)
{
    const char *dir = getenv("FT_CLIPS_DIR");
    if (!dir) {
        printf("SKIP: FT_CLIPS_DIR is not set (the generated clips)\n");
        return 77;
    }
    snprintf(clip, sizeof clip, "%s/h264_bframes.mp4", dir);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(gives_the_frames_the_reader_gives),
        cmocka_unit_test(ends_with_the_video),
        cmocka_unit_test(stops_while_ahead),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
