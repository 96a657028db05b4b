/* ft_video on the generated clips: frame numbering and timestamps, exact
 * seeking, rotation, pixel formats, and the status of every bad input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "facetrack.h"

static char clips[1024];

static const char *clip(const char *name)
{
    static char path[2048];
    snprintf(path, sizeof path, "%s/%s", clips, name);
    return path;
}

static ft_video *open_clip(const char *name, ft_pixfmt format)
{
    ft_video_options o;
    ft_video_options_init(&o);
    o.pixfmt = format;
    ft_video *v = NULL;
    char err[512];
    ft_status st = ft_video_open(clip(name), &o, &v, err, sizeof err);
    if (st != FT_OK)
        fail_msg("%s", err);
    return v;
}

typedef struct decoded {
    int64_t count;
    int64_t pts[512];
    char md5[512][33];
} decoded;

static void decode_all(ft_video *v, decoded *d)
{
    ft_frame f;
    ft_status st;
    d->count = 0;
    while ((st = ft_video_read(v, &f)) == FT_OK) {
        assert_true(d->count < 512);
        assert_int_equal(f.index, d->count);
        d->pts[d->count] = f.pts;
        assert_int_equal(ft_frame_md5(&f, d->md5[d->count]), FT_OK);
        d->count++;
    }
    assert_int_equal(st, FT_EOF);
}

static void numbers_frames_in_presentation_order(void **state)
{
    (void)state;
    ft_video *v = open_clip("h264_bframes.mp4", FT_PIXFMT_RGB24);
    const ft_video_info *in = ft_video_get_info(v);
    assert_int_equal(in->width, 320);
    assert_int_equal(in->height, 240);
    assert_string_equal(in->codec, "h264");
    decoded *d = malloc(sizeof *d);
    assert_non_null(d);
    decode_all(v, d);
    assert_int_equal(d->count, 120);
    for (int64_t i = 1; i < d->count; i++)
        assert_true(d->pts[i] > d->pts[i - 1]);
    /* Reading on after the end stays at the end. */
    ft_frame f;
    assert_int_equal(ft_video_read(v, &f), FT_EOF);
    int64_t n = 0;
    double duration = 0;
    assert_int_equal(ft_video_count_frames(v, &n, &duration), FT_OK);
    assert_int_equal(n, 120);
    assert_true(duration > 4.79 && duration < 4.81);
    free(d);
    ft_video_close(v);
}

/* Asking for NVDEC never changes a frame: where a GPU takes the stream its
 * pictures are the CPU decoder's to the bit, and where none can (this
 * machine without a driver, say) the CPU decodes, saying so. Seeking
 * reopens the decoder, on NVDEC again. */
static void nvdec_request_gives_the_cpu_decoders_frames(void **state)
{
    (void)state;
    const char *names[] = {"h264_bframes.mp4", "rotate_90.mp4", "odd_size_321x241.mkv"};
    decoded *cpu = malloc(sizeof *cpu), *gpu = malloc(sizeof *gpu);
    assert_non_null(cpu);
    assert_non_null(gpu);
    for (size_t c = 0; c < sizeof names / sizeof *names; c++) {
        ft_video *v = open_clip(names[c], FT_PIXFMT_RGB24);
        decode_all(v, cpu);
        ft_video_close(v);
        ft_video_options o;
        ft_video_options_init(&o);
        o.nvdec = 1;
        o.nvdec_device = 0;
        char err[512];
        assert_int_equal(ft_video_open(clip(names[c]), &o, &v, err, sizeof err), FT_OK);
        decode_all(v, gpu);
        printf("%s: %s\n", names[c], ft_video_get_info(v)->nvdec ? "NVDEC" : "CPU (no NVDEC here)");
        assert_int_equal(gpu->count, cpu->count);
        for (int64_t i = 0; i < cpu->count; i++) {
            assert_int_equal(gpu->pts[i], cpu->pts[i]);
            assert_string_equal(gpu->md5[i], cpu->md5[i]);
        }
        ft_frame f;
        const int64_t target = cpu->count / 2;
        assert_int_equal(ft_video_seek(v, target), FT_OK);
        assert_int_equal(ft_video_read(v, &f), FT_OK);
        char md5[33];
        assert_int_equal(ft_frame_md5(&f, md5), FT_OK);
        assert_string_equal(md5, cpu->md5[target]);
        ft_video_close(v);
    }
    /* A device that does not exist is a CPU decode, not a failure (CPU
     * still holds the last clip's frames). */
    ft_video_options o;
    ft_video_options_init(&o);
    o.nvdec = 1;
    o.nvdec_device = 63;
    ft_video *v = NULL;
    char err[512];
    assert_int_equal(ft_video_open(clip(names[2]), &o, &v, err, sizeof err), FT_OK);
    assert_int_equal(ft_video_get_info(v)->nvdec, 0);
    decode_all(v, gpu);
    assert_int_equal(gpu->count, cpu->count);
    ft_video_close(v);
    free(cpu);
    free(gpu);
}

static void frame_times_start_at_zero_after_an_offset(void **state)
{
    (void)state;
    ft_video *v = open_clip("start_offset.mp4", FT_PIXFMT_GRAY8);
    const ft_video_info *in = ft_video_get_info(v);
    assert_true(in->start_time > 2.49 && in->start_time < 2.51);
    ft_frame f;
    assert_int_equal(ft_video_read(v, &f), FT_OK);
    assert_true(f.time > -1e-9 && f.time < 1e-9);
    assert_int_equal(ft_video_read(v, &f), FT_OK);
    assert_true(f.time > 0.039 && f.time < 0.041);
    ft_video_close(v);
}

static void seeks_exactly(void **state)
{
    (void)state;
    const char *names[] = {"h264_bframes.mp4", "vfr.mp4", "odd_size_321x241.mkv",
                           "streams_audio_video_subs.mkv", "rotate_90.mp4"};
    decoded *d = malloc(sizeof *d);
    assert_non_null(d);
    srand(11);
    for (size_t c = 0; c < sizeof names / sizeof names[0]; c++) {
        ft_video *v = open_clip(names[c], FT_PIXFMT_RGB24);
        decode_all(v, d);
        int64_t order[12] = {d->count - 1, 0, d->count / 2, 1};
        for (int i = 4; i < 12; i++)
            order[i] = rand() % d->count;
        for (int i = 0; i < 12; i++) {
            int64_t k = order[i];
            assert_int_equal(ft_video_seek(v, k), FT_OK);
            for (int64_t j = k; j < k + 3 && j < d->count; j++) {
                ft_frame f;
                char md5[33];
                assert_int_equal(ft_video_read(v, &f), FT_OK);
                assert_int_equal(f.index, j);
                assert_int_equal(f.pts, d->pts[j]);
                ft_frame_md5(&f, md5);
                if (strcmp(md5, d->md5[j]) != 0)
                    fail_msg("%s: frame %lld after seek to %lld differs", names[c], (long long)j,
                             (long long)k);
            }
        }
        assert_int_equal(ft_video_seek(v, d->count), FT_EOF);
        ft_video_close(v);
    }
    free(d);
}

/* The key frames a planner seeks to: ascending, from frame 0, and each one a
 * place where seeking gives the frame reading sequentially gives. */
static void lists_key_frames_for_seeking(void **state)
{
    (void)state;
    const char *names[] = {"h264_bframes.mp4", "vfr.mp4", "one_frame.mp4"};
    decoded *d = malloc(sizeof *d);
    assert_non_null(d);
    for (size_t c = 0; c < sizeof names / sizeof names[0]; c++) {
        ft_video *v = open_clip(names[c], FT_PIXFMT_RGB24);
        decode_all(v, d);
        int64_t *keys = NULL, count = -1, frames = -1;
        assert_int_equal(ft_video_key_frames(v, &keys, &count, &frames), FT_OK);
        assert_int_equal(frames, d->count);
        assert_true(count >= 1 && count <= frames);
        assert_non_null(keys);
        assert_int_equal(keys[0], 0);
        for (int64_t i = 0; i < count; i++) {
            assert_true(keys[i] >= 0 && keys[i] < frames);
            if (i > 0)
                assert_true(keys[i] > keys[i - 1]);
            ft_frame f;
            char md5[33];
            assert_int_equal(ft_video_seek(v, keys[i]), FT_OK);
            assert_int_equal(ft_video_read(v, &f), FT_OK);
            assert_int_equal(f.index, keys[i]);
            ft_frame_md5(&f, md5);
            assert_string_equal(md5, d->md5[keys[i]]);
        }
        ft_free(keys);
        /* The count alone is optional. */
        assert_int_equal(ft_video_key_frames(v, &keys, &count, NULL), FT_OK);
        ft_free(keys);
        ft_video_close(v);
    }
    free(d);
    int64_t *keys = NULL, count = 0;
    assert_int_equal(ft_video_key_frames(NULL, &keys, &count, NULL), FT_ERR_INVALID_ARG);
    assert_null(keys);
    ft_free(NULL);
}

static void rotation_makes_frames_upright(void **state)
{
    (void)state;
    /* The clips carry ffmpeg's "rotate" tag, which its muxer stores as a
     * counter-clockwise display matrix: tag 90 needs a 270-degree clockwise
     * turn. The pixels themselves are checked against ffmpeg's own
     * autorotation by the pixels_match_ffmpeg integration test. */
    const struct { const char *name; int rotation, w, h; } cases[] = {
        {"rotate_90.mp4", 270, 240, 320},
        {"rotate_180.mp4", 180, 320, 240},
        {"rotate_270.mp4", 90, 240, 320},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ft_video *v = open_clip(cases[i].name, FT_PIXFMT_YUV420P);
        const ft_video_info *in = ft_video_get_info(v);
        assert_int_equal(in->rotation, cases[i].rotation);
        assert_int_equal(in->width, cases[i].w);
        assert_int_equal(in->height, cases[i].h);
        ft_frame f;
        assert_int_equal(ft_video_read(v, &f), FT_OK);
        assert_int_equal(f.width, cases[i].w);
        assert_int_equal(f.height, cases[i].h);
        ft_video_close(v);
    }
}

static void delivers_requested_formats(void **state)
{
    (void)state;
    for (int fmt = 0; fmt < FT_PIXFMT_COUNT; fmt++) {
        ft_video *v = open_clip("yuv420p10.mp4", (ft_pixfmt)fmt);
        ft_frame f;
        assert_int_equal(ft_video_read(v, &f), FT_OK);
        assert_int_equal(f.format, fmt);
        int bpp = ft_pixfmt_bytes_per_pixel((ft_pixfmt)fmt);
        assert_true(f.linesize[0] >= f.width * bpp);
        assert_int_equal(f.linesize[0] % 64, 0); /* aligned rows for SIMD */
        if (fmt == FT_PIXFMT_YUV420P)
            assert_true(f.linesize[1] >= (f.width + 1) / 2 && f.data[2] != NULL);
        ft_video_close(v);
    }
}

static void expect_open_error(const char *name, ft_status want, const char *reason)
{
    ft_video *v = (ft_video *)&v; /* must be reset to NULL */
    char err[512];
    ft_status st = ft_video_open(clip(name), NULL, &v, err, sizeof err);
    if (st != want)
        fail_msg("%s: status %d (%s), expected %d", name, st, err, want);
    assert_null(v);
    assert_non_null(strstr(err, clip(name)));
    assert_null(strchr(err, '\n'));
    if (reason && !strstr(err, reason))
        fail_msg("%s: '%s' lacks '%s'", name, err, reason);
}

static void bad_files_fail_at_open(void **state)
{
    (void)state;
    expect_open_error("bad/missing.mp4", FT_ERR_NOT_FOUND, "no such file");
    expect_open_error("bad/zero_bytes.mp4", FT_ERR_FORMAT, "empty file");
    expect_open_error("bad/a_directory.mp4", FT_ERR_IO, "directory");
    expect_open_error("bad/text.mp4", FT_ERR_FORMAT, NULL);
    expect_open_error("bad/garbage.mp4", FT_ERR_FORMAT, NULL);
    expect_open_error("bad/audio_only.m4a", FT_ERR_FORMAT, "no video stream");
    expect_open_error("bad/truncated_moov_missing.mp4", FT_ERR_FORMAT, NULL);
}

static void truncation_is_reported_after_the_last_good_frame(void **state)
{
    (void)state;
    ft_video *v = open_clip("bad/truncated_faststart.mp4", FT_PIXFMT_GRAY8);
    ft_frame f;
    ft_status st;
    int64_t frames = 0;
    while ((st = ft_video_read(v, &f)) == FT_OK)
        frames++;
    assert_int_equal(st, FT_ERR_TRUNCATED);
    assert_true(frames > 0 && frames < 120);
    assert_non_null(strstr(ft_video_error(v), "truncated"));
    ft_video_close(v);
}

static void rejects_invalid_arguments(void **state)
{
    (void)state;
    ft_video *v = NULL;
    char err[256];
    assert_int_equal(ft_video_open(NULL, NULL, &v, err, sizeof err), FT_ERR_INVALID_ARG);
    assert_int_equal(ft_video_open("x", NULL, NULL, err, sizeof err), FT_ERR_INVALID_ARG);
    ft_video_options o;
    ft_video_options_init(&o);
    o.pixfmt = FT_PIXFMT_COUNT;
    assert_int_equal(ft_video_open(clip("one_frame.mp4"), &o, &v, err, sizeof err),
                     FT_ERR_INVALID_ARG);
    assert_null(v);
    v = open_clip("one_frame.mp4", FT_PIXFMT_RGB24);
    assert_int_equal(ft_video_read(v, NULL), FT_ERR_INVALID_ARG);
    assert_int_equal(ft_video_seek(v, -1), FT_ERR_INVALID_ARG);
    ft_video_close(v);
    ft_video_close(NULL);
}

int main(void)
{
    const char *dir = getenv("FT_CLIPS_DIR");
    if (!dir || !*dir) {
        printf("SKIP: FT_CLIPS_DIR is not set (the generated test clips)\n");
        return 77;
    }
    snprintf(clips, sizeof clips, "%s", dir);
    ft_log_set_level(FT_LOG_QUIET);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(numbers_frames_in_presentation_order),
        cmocka_unit_test(frame_times_start_at_zero_after_an_offset),
        cmocka_unit_test(seeks_exactly),
        cmocka_unit_test(nvdec_request_gives_the_cpu_decoders_frames),
        cmocka_unit_test(lists_key_frames_for_seeking),
        cmocka_unit_test(rotation_makes_frames_upright),
        cmocka_unit_test(delivers_requested_formats),
        cmocka_unit_test(bad_files_fail_at_open),
        cmocka_unit_test(truncation_is_reported_after_the_last_good_frame),
        cmocka_unit_test(rejects_invalid_arguments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
