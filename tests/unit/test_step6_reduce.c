/* Unit tests of STEP6's reduction rules and of writing numbers as Python
 * does: float repr, float()/int() of JSON values, one frame of tracking or
 * audio reduced, fps and total_frames with their fallbacks, speaker counts,
 * the temporal alignment. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "base/json_writer.h"
#include "track/json_value.h"
#include "track/reduced_format.h"
#include "track/step6_reduce.h"

static void expect_repr(double v, const char *expected)
{
    char text[64];
    ft_format_double_repr(text, sizeof text, v);
    assert_string_equal(text, expected);
}

static void test_float_repr(void **state)
{
    (void)state;
    expect_repr(25.0, "25.0");
    expect_repr(0.0, "0.0");
    expect_repr(-0.0, "-0.0");
    expect_repr(0.793, "0.793");
    expect_repr(0.1, "0.1");
    expect_repr(0.30000000000000004, "0.30000000000000004");
    expect_repr(29.97002997002997, "29.97002997002997");
    expect_repr(0.0001, "0.0001");
    expect_repr(0.00001, "1e-05");
    expect_repr(4.296419319871347e-06, "4.296419319871347e-06");
    expect_repr(1e15, "1000000000000000.0");
    expect_repr(1e16, "1e+16");
    expect_repr(1.5e300, "1.5e+300");
    expect_repr(5e-324, "5e-324");
    expect_repr(1.7976931348623157e308, "1.7976931348623157e+308");
    expect_repr(123456.789, "123456.789");
    expect_repr(-2.5, "-2.5");
    expect_repr(NAN, "nan");
    expect_repr(-INFINITY, "-inf");
}

/* V as a reduced file writes it (compact or indented); the caller frees. */
static char *render_value(json_object *v, int pretty)
{
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&text, &size);
    assert_non_null(out);
    ft_json j;
    ft_reduced_json_init(&j, out, pretty);
    ft_json_write_value(&j, v);
    assert_int_equal(ft_json_finish(&j), FT_OK);
    assert_int_equal(fclose(out), 0);
    return text;
}

static void expect_rewritten(const char *json, const char *expected)
{
    json_object *v = json_tokener_parse(json);
    char *text = render_value(v, 0);
    assert_string_equal(text, expected);
    free(text);
    json_object_put(v);
}

static void test_values_as_json_dump(void **state)
{
    (void)state;
    /* ints exact, floats by repr, order kept, no newline after the document */
    expect_rewritten("{\"b\": 1, \"a\": 1.0, \"c\": 1e2, \"d\": -0, \"e\": 12345678901234567890}",
                     "{\"b\":1,\"a\":1.0,\"c\":100.0,\"d\":0,\"e\":12345678901234567890}");
    expect_rewritten("[NaN, -Infinity, null, true, \"\\u00e9\\u0000\\n\"]",
                     "[NaN,-Infinity,null,true,\"\xc3\xa9\\u0000\\n\"]");
    json_object *v = json_tokener_parse("{\"a\": [], \"b\": {}, \"c\": [1]}");
    char *text = render_value(v, 1);
    assert_string_equal(text, "{\n  \"a\": [],\n  \"b\": {},\n  \"c\": [\n    1\n  ]\n}");
    free(text);
    json_object_put(v);
}

static void expect_float(const char *json, int ok, double expected)
{
    json_object *v = json_tokener_parse(json);
    double got = -1;
    assert_int_equal(ft_py_float(v, &got), ok);
    if (ok && isnan(expected))
        assert_true(isnan(got));
    else if (ok)
        assert_true(got == expected);
    json_object_put(v);
}

static void expect_int(const char *json, int ok, int64_t expected)
{
    json_object *v = json_tokener_parse(json);
    int64_t got = -1;
    assert_int_equal(ft_py_int(v, &got), ok);
    if (ok)
        assert_true(got == expected);
    json_object_put(v);
}

static void test_python_conversions(void **state)
{
    (void)state;
    expect_float("25", 1, 25.0);
    expect_float("29.97", 1, 29.97);
    expect_float("\" 30 \"", 1, 30.0);
    expect_float("\"1_000.5\"", 1, 1000.5);
    expect_float("\"-Infinity\"", 1, -INFINITY);
    expect_float("\"nan\"", 1, NAN);
    expect_float("true", 1, 1.0);
    expect_float("\"0x10\"", 0, 0);
    expect_float("\"1__0\"", 0, 0);
    expect_float("\"25 fps\"", 0, 0);
    expect_float("\"\"", 0, 0);
    expect_float("[25]", 0, 0);
    expect_int("279", 1, 279);
    expect_int("279.9", 1, 279);
    expect_int("-2.5", 1, -2);
    expect_int("\" +12 \"", 1, 12);
    expect_int("\"1_000\"", 1, 1000);
    expect_int("false", 1, 0);
    expect_int("\"12.0\"", 0, 0);
    expect_int("\"\"", 0, 0);
    expect_int("NaN", 0, 0);
    expect_int("1e30", 0, 0);
    expect_int("{}", 0, 0);
}

static void expect_tracking(const char *frame_json, const char *expected)
{
    json_object *frame = json_tokener_parse(frame_json), *out = NULL;
    char err[256];
    assert_int_equal(ft_step6_reduce_tracking_frame(frame, &out, err, sizeof err), FT_OK);
    char *text = render_value(out, 0);
    assert_string_equal(text, expected);
    free(text);
    json_object_put(out);
    json_object_put(frame);
}

static void test_tracking_frame(void **state)
{
    (void)state;
    /* The object's own list, then speaking_sources.audio's when that is a
     * non-empty object; the box only when both sides are there. */
    expect_tracking(
        "{\"frame\": 7, \"tracked_objects\": [{\"id\": \"obj_1\", \"centroid_x\": 10, \"centroid_y\": 5,"
        " \"source\": \"face_landmarker\", \"label\": \"face\", \"confidence\": 0.0,"
        " \"bbox_width\": 3, \"bbox_height\": 4, \"active_speakers\": [\"A\"],"
        " \"speaking_sources\": {\"audio\": {\"active_speakers\": [\"B\"]}}}]}",
        "{\"frame\":7,\"tracked_objects\":[{\"id\":\"obj_1\",\"centroid_x\":10,\"source\":"
        "\"face_landmarker\",\"label\":\"face\",\"confidence\":0.0,\"active_speakers\":[\"B\"],"
        "\"bbox_width\":3,\"bbox_height\":4}]}");
    expect_tracking("{\"frame\": 1, \"tracked_objects\": [{\"active_speakers\": [\"A\"], \"bbox_width\": 3,"
                    " \"bbox_height\": null, \"speaking_sources\": {\"audio\": {}}}]}",
                    "{\"frame\":1,\"tracked_objects\":[{\"id\":null,\"centroid_x\":null,\"source\":null,"
                    "\"label\":null,\"confidence\":null,\"active_speakers\":[\"A\"]}]}");
    expect_tracking("{\"frame\": 1, \"tracked_objects\": [{\"active_speakers\": \"A\","
                    " \"speaking_sources\": {\"audio\": {\"active_speakers\": null}}}]}",
                    "{\"frame\":1,\"tracked_objects\":[{\"id\":null,\"centroid_x\":null,\"source\":null,"
                    "\"label\":null,\"confidence\":null,\"active_speakers\":null}]}");
    expect_tracking("{\"frame\": \"2\", \"tracked_objects\": null, \"extra\": 1}",
                    "{\"frame\":\"2\",\"tracked_objects\":[]}");
    expect_tracking("{\"tracked_objects\": {}}", "{\"frame\":null,\"tracked_objects\":[]}");

    const char *bad[] = {"[1]", "{\"frame\": 1, \"tracked_objects\": 5}",
                         "{\"frame\": 1, \"tracked_objects\": [1]}",
                         "{\"frame\": 1, \"tracked_objects\": {\"a\": 1}}"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        json_object *frame = json_tokener_parse(bad[i]), *out = NULL;
        char err[256] = "";
        assert_int_equal(ft_step6_reduce_tracking_frame(frame, &out, err, sizeof err), FT_ERR_FORMAT);
        assert_true(err[0] != '\0');
        json_object_put(out);
        json_object_put(frame);
    }
}

static void test_audio_frames_and_speakers(void **state)
{
    (void)state;
    const char *frames[] = {
        "{\"frame\": 1, \"audio_info\": {\"is_speech_present\": true, \"num_distinct_speakers_audio\": 2,"
        " \"active_speaker_labels\": [\"S1\", \"S0\"], \"timecode_sec\": 0.0}}",
        "{\"frame\": 2, \"audio_info\": null}",
        "{\"frame\": 3}",
        "{\"frame\": 4, \"audio_info\": {\"active_speaker_labels\": [\"S1\", \"\", 7],"
        " \"timecode_sec\": null}}",
    };
    const char *expected[] = {
        "{\"frame\":1,\"audio_info\":{\"is_speech_present\":true,\"active_speaker_labels\":[\"S1\",\"S0\"],"
        "\"timecode_sec\":0.0}}",
        NULL,
        NULL,
        "{\"frame\":4,\"audio_info\":{\"is_speech_present\":false,\"active_speaker_labels\":[\"S1\",\"\",7]}}",
    };
    ft_speaker_counts counts;
    ft_speaker_counts_init(&counts);
    int64_t max_frame = 0;
    for (size_t i = 0; i < 4; i++) {
        json_object *frame = json_tokener_parse(frames[i]), *out = NULL;
        char err[256];
        assert_int_equal(ft_step6_reduce_audio_frame(frame, &out, err, sizeof err), FT_OK);
        if (!expected[i]) {
            assert_null(out);
        } else {
            char *text = render_value(out, 0);
            assert_string_equal(text, expected[i]);
            free(text);
            int64_t n;
            assert_true(ft_step6_frame_number(out, &n));
            max_frame = n > max_frame ? n : max_frame;
            assert_int_equal(ft_speaker_counts_add(&counts, out), FT_OK);
        }
        json_object_put(out);
        json_object_put(frame);
    }
    assert_int_equal(max_frame, 4);
    char *text = NULL;
    size_t size = 0;
    FILE *fp = open_memstream(&text, &size);
    ft_json j;
    ft_reduced_json_init(&j, fp, 0);
    ft_json_object_begin(&j);
    ft_speaker_counts_write(&j, &counts);
    ft_json_object_end(&j);
    assert_int_equal(ft_json_finish(&j), FT_OK);
    fclose(fp);
    /* sorted names, counts in first-seen order */
    assert_string_equal(text, "{\"speaker_stats\":{\"unique_speakers\":[\"S0\",\"S1\"],"
                              "\"speaker_frame_counts\":{\"S1\":2,\"S0\":1}}}");
    free(text);
    ft_speaker_counts_free(&counts);

    json_object *frame = json_tokener_parse("{\"frame\": 1, \"audio_info\": [1]}"), *out = NULL;
    char err[256];
    assert_int_equal(ft_step6_reduce_audio_frame(frame, &out, err, sizeof err), FT_ERR_FORMAT);
    json_object_put(frame);
}

static void test_timing(void **state)
{
    (void)state;
    json_object *meta = json_tokener_parse("{\"fps\": 25, \"total_frames\": \"1701\"}");
    json_object *bad = json_tokener_parse("\"fast\"");
    ft_reduced_timing t = ft_step6_timing(NULL, NULL, meta, 951);
    assert_true(t.has_fps && t.fps == 25.0 && t.has_total_frames && t.total_frames == 1701);
    /* a top-level value that does not convert falls back to metadata */
    t = ft_step6_timing(bad, bad, meta, 0);
    assert_true(t.has_fps && t.fps == 25.0 && t.total_frames == 1701);
    t = ft_step6_timing(NULL, NULL, NULL, 60);
    assert_true(!t.has_fps && t.has_total_frames && t.total_frames == 60);
    t = ft_step6_timing(NULL, NULL, NULL, 0);
    assert_true(!t.has_fps && !t.has_total_frames);
    json_object_put(meta);
    json_object_put(bad);
}

static char *render_alignment(const ft_reduced_timing *video, const ft_reduced_timing *audio)
{
    char *text = NULL;
    size_t size = 0;
    FILE *fp = open_memstream(&text, &size);
    ft_json j;
    ft_reduced_json_init(&j, fp, 0);
    ft_json_object_begin(&j);
    ft_reduced_write_alignment(&j, video, audio);
    ft_json_object_end(&j);
    assert_int_equal(ft_json_finish(&j), FT_OK);
    fclose(fp);
    return text;
}

static void test_alignment(void **state)
{
    (void)state;
    const ft_reduced_timing video = {1, 1563, 1, 25.0}, audio = {1, 3063, 1, 29.97};
    char *text = render_alignment(&video, &audio);
    assert_string_equal(text, "{\"temporal_alignment\":{\"video_total_frames\":1563,"
                              "\"audio_total_frames\":3063,\"video_fps\":25.0,\"audio_fps\":29.97,"
                              "\"warnings\":[\"frame_count_mismatch video=1563 audio=3063\","
                              "\"fps_mismatch video=25.0 audio=29.97\"]}}");
    free(text);
    /* within 5 %, rates unknown on one side: null, no warning */
    const ft_reduced_timing close_video = {1, 1000, 0, 0}, close_audio = {1, 1050, 1, 25.0};
    text = render_alignment(&close_video, &close_audio);
    assert_string_equal(text, "{\"temporal_alignment\":{\"video_total_frames\":1000,"
                              "\"audio_total_frames\":1050,\"video_fps\":null,\"audio_fps\":25.0,"
                              "\"warnings\":[]}}");
    free(text);
    /* an empty audio analysis: divided by max(0, 1) */
    const ft_reduced_timing empty = {1, 0, 0, 0};
    text = render_alignment(&close_video, &empty);
    assert_non_null(strstr(text, "frame_count_mismatch video=1000 audio=0"));
    free(text);
    /* no audio file, or nothing known on either side: nothing */
    const ft_reduced_timing none = {0, 0, 0, 0};
    text = render_alignment(&video, NULL);
    assert_string_equal(text, "{}");
    free(text);
    text = render_alignment(&none, &none);
    assert_string_equal(text, "{}");
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_float_repr),
        cmocka_unit_test(test_values_as_json_dump),
        cmocka_unit_test(test_python_conversions),
        cmocka_unit_test(test_tracking_frame),
        cmocka_unit_test(test_audio_frames_and_speakers),
        cmocka_unit_test(test_timing),
        cmocka_unit_test(test_alignment),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
