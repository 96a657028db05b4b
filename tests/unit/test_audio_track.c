/* The STEP4 audio-analysis reader: the real reduced Malcolm excerpt, a raw
 * file's speaker counts and labels (sorted, interned), frames left out, and
 * malformed files that must fail with FT_ERR_FORMAT and one line naming the
 * file and the reason, never crashing (the sanitizer build runs this too). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "face_test_util.h"
#include "scratch_file.h"
#include "track/audio_track.h"

static scratch_file scratch;

static int group_setup(void **state)
{
    (void)state;
    return scratch_file_init(&scratch, "audio", "clip_audio.json");
}

static int group_teardown(void **state)
{
    (void)state;
    scratch_file_remove(&scratch);
    return 0;
}

static void write_bytes(const char *text, size_t len)
{
    scratch_file_write(&scratch, text, len);
}

static ft_status load_text(const char *text, ft_audio_track *t, char *err, size_t err_size)
{
    write_bytes(text, strlen(text));
    return ft_audio_track_load(scratch.path, t, err, err_size);
}

static void load_ok(const char *text, ft_audio_track *t)
{
    char err[512] = "";
    if (load_text(text, t, err, sizeof err) != FT_OK)
        fail_msg("%s", err);
}

/* TEXT must fail with one line "<path>: ...WHY...". */
static void expect_bad(const char *text, const char *why)
{
    ft_audio_track t;
    char err[512];
    assert_int_equal(load_text(text, &t, err, sizeof err), FT_ERR_FORMAT);
    assert_null(t.frames);
    assert_int_equal(t.frame_count, 0);
    assert_null(t.strings);
    char prefix[160];
    snprintf(prefix, sizeof prefix, "%s: ", scratch.path);
    if (strncmp(err, prefix, strlen(prefix)) != 0 || !strstr(err, why))
        fail_msg("expected \"%s...%s\", got \"%s\"", prefix, why, err);
    assert_null(strchr(err, '\n'));
}

static void test_malcolm_reduced(void **state)
{
    (void)state;
    const char *path = ft_test_shared_path("reference/original/reduced_step4_audio_excerpt_Malcolm.json");
    if (!ft_test_have(path))
        skip();
    ft_audio_track t;
    char err[512];
    assert_int_equal(ft_audio_track_load(path, &t, err, sizeof err), FT_OK);
    assert_int_equal(t.frame_count, 60);
    assert_int_equal(t.total_frames, 60); /* no top-level total_frames: the highest frame */
    assert_true(t.fps == 25.0);
    /* Silence on 1..46, speech from 47 on; this excerpt names no speaker, so
     * the speaker count falls back to the (empty) label list. */
    for (int64_t k = 1; k <= 60; k++) {
        const ft_audio_frame *f = ft_audio_track_frame(&t, k);
        assert_non_null(f);
        assert_int_equal(f->speech, k >= 47);
        assert_int_equal(f->label_count, 0);
        assert_int_equal(f->num_speakers, 0);
    }
    assert_int_equal(t.string_count, 0);
    assert_null(ft_audio_track_frame(&t, 0));
    assert_null(ft_audio_track_frame(&t, 61));
    ft_audio_track_free(&t);
    assert_null(t.frames);
}

static void test_raw_labels(void **state)
{
    (void)state;
    ft_audio_track t;
    load_ok("{\"video_filename\": \"clip.mp4\", \"total_frames\": 10, \"fps\": 30,\n"
            " \"frames_analysis\": [\n"
            "  {\"frame\": 1, \"audio_info\": {\"is_speech_present\": false,"
            " \"num_distinct_speakers_audio\": 0, \"active_speaker_labels\": [], \"timecode_sec\": 0.0}},\n"
            "  {\"frame\": 2, \"audio_info\": {\"is_speech_present\": true,"
            " \"num_distinct_speakers_audio\": 2, \"active_speaker_labels\": [\"SPEAKER_01\", \"SPEAKER_00\"]}},\n"
            "  {\"frame\": 5, \"audio_info\": {\"is_speech_present\": true,"
            " \"num_speakers\": 3, \"active_speaker_labels\": [\"SPEAKER_00\"]}},\n"
            "  {\"frame\": 4, \"audio_info\": {\"is_speech_present\": true,"
            " \"active_speaker_labels\": [\"SPEAKER_02\", \"SPEAKER_00\", \"SPEAKER_01\"]}},\n"
            "  {\"frame\": 6, \"audio_info\": {\"is_speech_present\": true, \"num_distinct_speakers_audio\": 1,"
            " \"num_speakers\": 7, \"active_speaker_labels\": [\"SPEAKER_01\"]}}\n"
            " ]}\n",
            &t);
    assert_int_equal(t.frame_count, 6);
    assert_int_equal(t.total_frames, 10);
    assert_true(t.fps == 30.0);
    assert_int_equal(t.string_count, 3); /* each label stored once */

    const ft_audio_frame *f2 = ft_audio_track_frame(&t, 2);
    assert_int_equal(f2->speech, 1);
    assert_int_equal(f2->num_speakers, 2);
    assert_int_equal(f2->label_count, 2);
    assert_string_equal(f2->labels[0], "SPEAKER_00");
    assert_string_equal(f2->labels[1], "SPEAKER_01");

    const ft_audio_frame *f3 = ft_audio_track_frame(&t, 3); /* left out: silent */
    assert_non_null(f3);
    assert_int_equal(f3->speech, 0);
    assert_int_equal(f3->num_speakers, 0);
    assert_int_equal(f3->label_count, 0);

    const ft_audio_frame *f4 = ft_audio_track_frame(&t, 4); /* count = labels */
    assert_int_equal(f4->num_speakers, 3);
    assert_int_equal(f4->label_count, 3);
    assert_string_equal(f4->labels[0], "SPEAKER_00");
    assert_string_equal(f4->labels[1], "SPEAKER_01");
    assert_string_equal(f4->labels[2], "SPEAKER_02");
    assert_ptr_equal(f4->labels[0], f2->labels[0]); /* interned */
    assert_ptr_equal(f4->labels[1], f2->labels[1]);

    assert_int_equal(ft_audio_track_frame(&t, 5)->num_speakers, 3);   /* num_speakers */
    assert_int_equal(ft_audio_track_frame(&t, 6)->num_speakers, 1);   /* the first key wins */
    assert_int_equal(ft_audio_track_frame(&t, 1)->speech, 0);
    assert_null(ft_audio_track_frame(&t, 7));
    assert_null(ft_audio_track_frame(NULL, 1));
    ft_audio_track_free(&t);
    ft_audio_track_free(NULL);
}

static void test_minimal(void **state)
{
    (void)state;
    ft_audio_track t;
    load_ok("{\"frames_analysis\": []}", &t);
    assert_int_equal(t.frame_count, 0);
    assert_int_equal(t.total_frames, 0);
    assert_null(ft_audio_track_frame(&t, 1));
    ft_audio_track_free(&t);
    /* Optional members may be null or absent; unknown keys are ignored. */
    load_ok("{\"fps\": null, \"total_frames\": null, \"speaker_stats\": {\"unique_speakers\": []},"
            " \"frames_analysis\": [{\"frame\": 3, \"audio_info\": {}, \"timecode_sec\": 0.08}]}",
            &t);
    assert_int_equal(t.frame_count, 3);
    assert_int_equal(t.total_frames, 3);
    assert_true(t.fps == 25.0);
    assert_int_equal(ft_audio_track_frame(&t, 3)->speech, 0);
    ft_audio_track_free(&t);
    load_ok("{\"fps\": 25.0, \"frames_analysis\": [{\"frame\": 1, \"audio_info\":"
            " {\"is_speech_present\": true, \"active_speaker_labels\": [\"\\u00e9\"]}}]}",
            &t);
    assert_string_equal(ft_audio_track_frame(&t, 1)->labels[0], "\xc3\xa9");
    assert_int_equal(ft_audio_track_frame(&t, 1)->num_speakers, 1);
    ft_audio_track_free(&t);
}

/* Many distinct labels, to grow the interning table. */
static void test_many_labels(void **state)
{
    (void)state;
    size_t cap = 1 << 20, n = 0;
    char *text = malloc(cap);
    assert_non_null(text);
    n += (size_t)snprintf(text + n, cap - n, "{\"frames_analysis\": [");
    for (int k = 1; k <= 500; k++) {
        n += (size_t)snprintf(text + n, cap - n,
                              "%s{\"frame\": %d, \"audio_info\": {\"is_speech_present\": true,"
                              " \"active_speaker_labels\": [\"S%d\", \"S%d\"]}}",
                              k > 1 ? "," : "", k, k % 300, (k * 7) % 300);
    }
    snprintf(text + n, cap - n, "]}");
    ft_audio_track t;
    load_ok(text, &t);
    free(text);
    assert_int_equal(t.frame_count, 500);
    assert_int_equal(t.string_count, 300);
    for (int k = 1; k <= 500; k++) {
        const ft_audio_frame *f = ft_audio_track_frame(&t, k);
        assert_int_equal(f->label_count, 2);
        assert_true(strcmp(f->labels[0], f->labels[1]) <= 0);
    }
    ft_audio_track_free(&t);
}

static void test_bad_json(void **state)
{
    (void)state;
    expect_bad("", "empty");
    expect_bad(" \n", "empty");
    expect_bad("{\"frames_analysis\": [{\"frame\": 1, \"audio_info\": {\"is_speech", "truncated");
    expect_bad("{\"frames_analysis\": []", "truncated");
    expect_bad("{\"frames_analysis\": [}", "invalid JSON at line 1");
    expect_bad("{\n  \"frames_analysis\": [\n    {\"frame\": 1,,}\n  ]\n}", "invalid JSON at line 3");
    expect_bad("{\"frames_analysis\": []} x", "data after the top-level value");
    expect_bad("{\"frames_analysis\": []}{}", "data after the top-level value");
    expect_bad("null", "not an object");
    expect_bad("[]", "not an object");
    expect_bad("42 ", "not an object");
    expect_bad("42", "not an object");
    /* A NUL byte inside the text, or after it. */
    static const char inside[] = "{\"frames_analysis\": [\0]}";
    static const char after[] = "{\"frames_analysis\": []}\0";
    ft_audio_track t;
    char err[512];
    write_bytes(inside, sizeof inside - 1);
    assert_int_equal(ft_audio_track_load(scratch.path, &t, err, sizeof err), FT_ERR_FORMAT);
    assert_non_null(strstr(err, "invalid JSON at line 1, column 22"));
    write_bytes(after, sizeof after - 1);
    assert_int_equal(ft_audio_track_load(scratch.path, &t, err, sizeof err), FT_ERR_FORMAT);
    assert_non_null(strstr(err, "data after the top-level value"));
}

static void test_bad_structure(void **state)
{
    (void)state;
    expect_bad("{}", "'frames_analysis' is missing");
    expect_bad("{\"frames\": []}", "'frames_analysis' is missing");
    expect_bad("{\"frames_analysis\": {}}", "not an array");
    expect_bad("{\"frames_analysis\": [], \"total_frames\": \"10\"}", "'total_frames'");
    expect_bad("{\"frames_analysis\": [], \"total_frames\": -1}", "'total_frames'");
    expect_bad("{\"frames_analysis\": [], \"fps\": 0}", "'fps'");
    expect_bad("{\"frames_analysis\": [], \"fps\": \"25\"}", "'fps'");
    expect_bad("{\"frames_analysis\": [1]}", "frames_analysis[0] is not an object");
    expect_bad("{\"frames_analysis\": [{\"audio_info\": {}}]}", "'frame' is missing");
    expect_bad("{\"frames_analysis\": [{\"frame\": \"1\", \"audio_info\": {}}]}", "'frame'");
    expect_bad("{\"frames_analysis\": [{\"frame\": 1.0, \"audio_info\": {}}]}", "'frame'");
    expect_bad("{\"frames_analysis\": [{\"frame\": 0, \"audio_info\": {}}]}", "'frame'");
    expect_bad("{\"frames_analysis\": [{\"frame\": 99999999999, \"audio_info\": {}}]}", "'frame'");
    expect_bad("{\"frames_analysis\": [{\"frame\": 1}]}", "'audio_info'");
    expect_bad("{\"frames_analysis\": [{\"frame\": 1, \"audio_info\": []}]}", "'audio_info'");
    expect_bad("{\"frames_analysis\": [{\"frame\": 1, \"audio_info\": {\"is_speech_present\": \"yes\"}}]}",
               "frame 1: 'is_speech_present'");
    expect_bad("{\"frames_analysis\": [{\"frame\": 1, \"audio_info\": {\"active_speaker_labels\": \"A\"}}]}",
               "'active_speaker_labels' is not an array");
    expect_bad("{\"frames_analysis\": [{\"frame\": 1, \"audio_info\": {\"active_speaker_labels\": [1]}}]}",
               "non-string");
    expect_bad("{\"frames_analysis\": [{\"frame\": 1, \"audio_info\": {\"active_speaker_labels\": [\"a\\u0000b\"]}}]}",
               "NUL");
    expect_bad("{\"frames_analysis\": [{\"frame\": 1, \"audio_info\": {\"num_speakers\": -1}}]}",
               "'num_speakers'");
    expect_bad("{\"frames_analysis\": [{\"frame\": 1, \"audio_info\": {\"num_distinct_speakers_audio\": 1.5}}]}",
               "'num_distinct_speakers_audio'");
    expect_bad("{\"frames_analysis\": [{\"frame\": 2, \"audio_info\": {}}, {\"frame\": 2, \"audio_info\": {}}]}",
               "frame 2 appears twice");
}

static void test_missing_and_args(void **state)
{
    (void)state;
    ft_audio_track t;
    char err[512];
    char missing[160];
    snprintf(missing, sizeof missing, "%s/absent_audio.json", scratch.dir);
    assert_int_equal(ft_audio_track_load(missing, &t, err, sizeof err), FT_ERR_NOT_FOUND);
    assert_non_null(strstr(err, missing));
    assert_int_equal(ft_audio_track_load(scratch.dir, &t, err, sizeof err), FT_ERR_IO);
    assert_int_equal(ft_audio_track_load(scratch.path, NULL, err, sizeof err), FT_ERR_INVALID_ARG);
    assert_int_equal(ft_audio_track_load(NULL, &t, err, sizeof err), FT_ERR_INVALID_ARG);
    assert_int_equal(ft_audio_track_load(missing, &t, NULL, 0), FT_ERR_NOT_FOUND);
}

/* Every prefix of the real file fails cleanly (the whole file loads). */
static void test_truncated_real_file(void **state)
{
    (void)state;
    const char *path = ft_test_shared_path("reference/original/reduced_step4_audio_excerpt_Malcolm.json");
    if (!ft_test_have(path))
        skip();
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    char *data = malloc(1 << 20);
    assert_non_null(data);
    const size_t size = fread(data, 1, 1 << 20, f);
    fclose(f);
    assert_true(size > 1000);
    size_t end = size;
    while (end > 0 && (data[end - 1] == '\n' || data[end - 1] == ' '))
        end--;
    for (size_t n = 0; n < end; n += 7) {
        ft_audio_track t;
        char err[512];
        write_bytes(data, n);
        assert_int_equal(ft_audio_track_load(scratch.path, &t, err, sizeof err), FT_ERR_FORMAT);
        assert_non_null(strstr(err, scratch.path));
    }
    free(data);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_malcolm_reduced),
        cmocka_unit_test(test_raw_labels),
        cmocka_unit_test(test_minimal),
        cmocka_unit_test(test_many_labels),
        cmocka_unit_test(test_bad_json),
        cmocka_unit_test(test_bad_structure),
        cmocka_unit_test(test_missing_and_args),
        cmocka_unit_test(test_truncated_real_file),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
