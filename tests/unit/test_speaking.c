/* Speaking detection: every object of the original's raw STEP5 references is
 * replayed from its own inputs (blendshapes, the frame's audio as recorded in
 * speaking_sources.audio, its segment) and must come out as the original
 * wrote it; then the rules at their edges, and the visual-only estimate
 * without audio (a moving jaw speaks, a still open mouth does not). */
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

#include "face_test_util.h"
#include "facetrack.h"
#include "track/speaking.h"

#define TOL 1e-9

static int index_of(const char *name)
{
    for (int i = 0; i < FT_FACE_BLENDSHAPE_COUNT; i++) {
        if (strcmp(ft_face_blendshape_name(i), name) == 0)
            return i;
    }
    fail_msg("no blendshape %s", name);
    return -1;
}

static json_object *member(json_object *obj, const char *key)
{
    json_object *v = NULL;
    return json_object_object_get_ex(obj, key, &v) ? v : NULL;
}

static double number(json_object *obj, const char *key)
{
    json_object *v = member(obj, key);
    assert_non_null(v);
    return json_object_get_double(v);
}

static void expect_near(double got, double want, const char *what, int64_t frame, const char *id)
{
    if (!(fabs(got - want) <= TOL))
        fail_msg("frame %lld %s: %s is %.17g, the original wrote %.17g", (long long)frame, id, what,
                 got, want);
}

/* The 52 MediaPipe-ordered values of a "blendshapes" object. The file holds
 * MediaPipe's float32 outputs widened to double, so the float is exact. */
static void read_blendshapes(json_object *obj, float out[FT_FACE_BLENDSHAPE_COUNT])
{
    assert_int_equal(json_object_object_length(obj), FT_FACE_BLENDSHAPE_COUNT);
    for (int i = 0; i < FT_FACE_BLENDSHAPE_COUNT; i++) {
        const double v = number(obj, ft_face_blendshape_name(i));
        out[i] = (float)v;
        assert_true((double)out[i] == v);
    }
}

/* A one-frame audio analysis holding what speaking_sources.audio recorded. */
typedef struct audio_fixture {
    ft_audio_track track;
    const char *labels[16];
} audio_fixture;

static void build_audio(json_object *src, int64_t frame, audio_fixture *fx)
{
    memset(fx, 0, sizeof *fx);
    fx->track.frames = calloc((size_t)frame, sizeof *fx->track.frames);
    assert_non_null(fx->track.frames);
    fx->track.frame_count = fx->track.total_frames = frame;
    fx->track.fps = 25.0;
    ft_audio_frame *f = &fx->track.frames[frame - 1];
    f->speech = json_object_get_boolean(member(src, "is_speech_present"));
    f->num_speakers = json_object_get_int(member(src, "num_speakers"));
    json_object *labels = member(src, "active_speakers");
    assert_true(json_object_is_type(labels, json_type_array));
    const size_t n = json_object_array_length(labels);
    assert_true(n <= 16);
    for (size_t k = 0; k < n; k++)
        fx->labels[k] = json_object_get_string(json_object_array_get_idx(labels, k));
    f->label_count = (int)n;
    f->labels = n ? fx->labels : NULL;
}

/* A scene list whose scene number segment_id holds FRAME at the recorded
 * position: first = frame - round(position * duration), last = first +
 * duration; the scenes before it are one-frame fillers. */
typedef struct scene_fixture {
    ft_scene scenes[64];
    ft_scene_list list;
} scene_fixture;

static void build_scenes(json_object *seg, int64_t frame, scene_fixture *fx)
{
    const int64_t id = json_object_get_int64(member(seg, "segment_id"));
    const int64_t duration = json_object_get_int64(member(seg, "segment_duration"));
    const double position = number(seg, "frame_position");
    const int64_t first = frame - llround(position * (double)duration);
    assert_true(id >= 1 && id <= 64 && first > id - 1);
    for (int64_t k = 0; k + 1 < id; k++)
        fx->scenes[k] = (ft_scene){k + 1, k + 1};
    fx->scenes[id - 1] = (ft_scene){first, first + duration};
    fx->list.scenes = fx->scenes;
    fx->list.count = (size_t)id;
}

static void check_audio(json_object *audio, const ft_speaking *s, int64_t frame, const char *id)
{
    assert_int_equal(s->has_audio, audio != NULL);
    if (!audio)
        return;
    assert_int_equal(s->audio_speech, json_object_get_boolean(member(audio, "is_speech_present")));
    assert_int_equal(s->audio_num_speakers, json_object_get_int(member(audio, "num_speakers")));
    expect_near(s->audio_confidence, number(audio, "confidence"), "audio confidence", frame, id);
    json_object *labels = member(audio, "active_speakers");
    assert_non_null(s->audio);
    assert_int_equal(s->audio->label_count, (int)json_object_array_length(labels));
    for (int k = 0; k < s->audio->label_count; k++)
        assert_string_equal(s->audio->labels[k],
                            json_object_get_string(json_object_array_get_idx(labels, (size_t)k)));
}

static void check_visual(json_object *visual, const ft_speaking *s, int64_t frame, const char *id)
{
    assert_int_equal(s->has_visual, visual != NULL);
    if (!visual)
        return;
    assert_true(number(visual, "jaw_threshold") == FT_SPEAKING_JAW_THRESHOLD);
    expect_near(s->jaw_open, number(visual, "jaw_open"), "jaw_open", frame, id);
    expect_near(s->mouth_activity, number(visual, "mouth_activity"), "mouth_activity", frame, id);
    expect_near(s->visual_confidence, number(visual, "confidence"), "visual confidence", frame, id);
}

static void check_segment(json_object *seg, const ft_speaking *s)
{
    assert_int_equal(s->segment.present, seg != NULL);
    if (!seg)
        return;
    assert_int_equal(s->segment.segment_id, json_object_get_int64(member(seg, "segment_id")));
    assert_int_equal(s->segment.duration, json_object_get_int64(member(seg, "segment_duration")));
    assert_true(s->segment.frame_position == number(seg, "frame_position"));
    assert_int_equal(s->segment.duration == 0,
                     json_object_get_boolean(member(seg, "is_zero_duration")));
}

/* One object of the file, from its own inputs. Returns 1 when the speaking
 * confidence is bit-exact. */
static int replay_object(json_object *obj, int64_t frame)
{
    const char *id = json_object_get_string(member(obj, "id"));
    const int is_face = strcmp(json_object_get_string(member(obj, "source")), "face_landmarker") == 0;
    json_object *bs = member(obj, "blendshapes");
    float values[FT_FACE_BLENDSHAPE_COUNT];
    const int have_bs = bs && json_object_is_type(bs, json_type_object);
    if (have_bs)
        read_blendshapes(bs, values);
    json_object *sources = member(obj, "speaking_sources");
    assert_non_null(sources);
    json_object *audio = member(sources, "audio"), *visual = member(sources, "visual"),
                *seg = member(sources, "segment");

    audio_fixture afx;
    scene_fixture sfx;
    if (audio)
        build_audio(audio, frame, &afx);
    if (seg)
        build_scenes(seg, frame, &sfx);
    ft_speaking_history history = {{0}, 0, 0};
    ft_speaking s;
    ft_speaking_compute(frame, is_face, have_bs ? values : NULL, audio ? &afx.track : NULL,
                        seg ? &sfx.list : NULL, &history, &s);

    assert_int_equal(s.is_speaking, json_object_get_boolean(member(obj, "is_speaking")));
    const double want = number(obj, "speaking_confidence");
    expect_near(s.confidence, want, "speaking_confidence", frame, id);
    assert_non_null(s.method);
    assert_string_equal(s.method, json_object_get_string(member(obj, "speaking_method")));
    check_audio(audio, &s, frame, id);
    check_visual(visual, &s, frame, id);
    check_segment(seg, &s);
    if (audio)
        free(afx.track.frames);
    return s.confidence == want;
}

/* Replays every object of reference file REL; returns the object count. */
static int replay_file(const char *rel, int *faces, int *exact)
{
    const char *path = ft_test_shared_path(rel);
    if (!ft_test_have(path))
        skip();
    json_object *root = json_object_from_file(path);
    if (!root)
        fail_msg("%s: %s", path, json_util_get_last_err());
    json_object *frames = member(root, "frames");
    assert_non_null(frames);
    int objects = 0;
    *faces = *exact = 0;
    for (size_t i = 0; i < json_object_array_length(frames); i++) {
        json_object *fr = json_object_array_get_idx(frames, i);
        const int64_t frame = json_object_get_int64(member(fr, "frame"));
        json_object *objs = member(fr, "tracked_objects");
        for (size_t k = 0; k < json_object_array_length(objs); k++) {
            json_object *obj = json_object_array_get_idx(objs, k);
            *exact += replay_object(obj, frame);
            *faces += strcmp(json_object_get_string(member(obj, "source")), "face_landmarker") == 0;
            objects++;
        }
    }
    json_object_put(root);
    return objects;
}

static void test_goonies_reference(void **state)
{
    (void)state;
    int faces, exact;
    const int n = replay_file("reference/original/raw_step5_mediapipe_faces_excerpt_Goonies.json",
                              &faces, &exact);
    print_message("Goonies: %d objects (%d faces) replayed, %d bit-exact\n", n, faces, exact);
    assert_int_equal(n, 40);
    assert_int_equal(faces, 40);
    assert_int_equal(exact, n);
}

/* Non-face objects without audio (a .mov is never analysed by STEP4). */
static void test_insightface_reference(void **state)
{
    (void)state;
    int faces, exact;
    const int n = replay_file("reference/original/raw_step5_insightface_run_IDLT_RS_alpha.json",
                              &faces, &exact);
    print_message("IDLT_RS_alpha: %d objects (%d faces) replayed\n", n, faces);
    assert_int_equal(n, 3);
    assert_int_equal(exact, n);
}

/* ------------------------------------------------------------ rule edges */

typedef struct face {
    float b[FT_FACE_BLENDSHAPE_COUNT];
} face;

static face make_face(float jaw, float shrug_upper, float shrug_lower)
{
    face f;
    for (int i = 0; i < FT_FACE_BLENDSHAPE_COUNT; i++)
        f.b[i] = 0.01f;
    f.b[index_of("jawOpen")] = jaw;
    f.b[index_of("mouthShrugUpper")] = shrug_upper;
    f.b[index_of("mouthShrugLower")] = shrug_lower;
    f.b[index_of("mouthClose")] = 0.9f; /* other mouth shapes are ignored */
    return f;
}

/* TALK: frames 1..10 silence, 11..20 one speaker, 21..30 two speakers. */
static ft_audio_frame audio_frames[30];
static const char *speaker_labels[2] = {"SPEAKER_00", "SPEAKER_01"};
static ft_audio_track talk = {audio_frames, 30, 30, 25.0, NULL, 0, 1};

static int setup_audio(void **state)
{
    (void)state;
    for (int k = 0; k < 30; k++) {
        ft_audio_frame *f = &audio_frames[k];
        f->speech = k >= 10;
        f->num_speakers = f->label_count = k >= 20 ? 2 : k >= 10 ? 1 : 0;
        f->labels = f->label_count ? speaker_labels : NULL;
    }
    return 0;
}

static void test_audio_rules(void **state)
{
    (void)state;
    ft_speaking s;
    /* Any object on a speech frame speaks through the audio alone. */
    ft_speaking_compute(15, 0, NULL, &talk, NULL, NULL, &s);
    assert_string_equal(s.method, "object_detection_fallback");
    assert_true(s.is_speaking);
    assert_true(s.audio_confidence == 0.8 + 0.1);
    assert_true(s.confidence == 0.6 * (0.8 + 0.1));
    assert_int_equal(s.has_audio, 1);
    assert_int_equal(s.has_visual, 0);
    assert_int_equal(s.audio->label_count, 1);
    assert_string_equal(s.audio->labels[0], "SPEAKER_00");
    ft_speaking_compute(5, 0, NULL, &talk, NULL, NULL, &s);
    assert_string_equal(s.method, "object_detection_fallback");
    assert_false(s.is_speaking);
    assert_true(s.confidence == 0.0);
    /* Two speakers: capped at 1. */
    ft_speaking_compute(25, 0, NULL, &talk, NULL, NULL, &s);
    assert_true(s.audio_confidence == 1.0);
    assert_int_equal(s.audio_num_speakers, 2);
    /* Past the analysis' end: silent, still reported. */
    face closed = make_face(0.02f, 0.1f, 0.1f);
    ft_speaking_compute(31, 1, closed.b, &talk, NULL, NULL, &s);
    assert_int_equal(s.has_audio, 1);
    assert_int_equal(s.audio_speech, 0);
    assert_int_equal(s.audio->label_count, 0);
    assert_string_equal(s.method, "no_detection");
    assert_false(s.is_speaking);
    /* A face without blendshapes is judged by the audio alone. */
    ft_speaking_compute(15, 1, NULL, &talk, NULL, NULL, &s);
    assert_int_equal(s.has_visual, 0);
    assert_string_equal(s.method, "audio_primary");
}

static void test_visual_rules(void **state)
{
    (void)state;
    ft_speaking s;
    /* At the threshold: no visual evidence, no mouth activity. */
    face f = make_face(0.08f, 0.5f, 0.5f);
    ft_speaking_compute(5, 1, f.b, &talk, NULL, NULL, &s);
    assert_int_equal(s.has_visual, 1);
    assert_true(s.jaw_open == (double)0.08f);
    assert_true(s.mouth_activity == 0.0 && s.visual_confidence == 0.0);
    assert_string_equal(s.method, "no_detection");
    /* Just open: (jaw / 0.08 * 0.7) + 0.2 * (shrugs / 3). */
    f = make_face(0.1f, 0.9f, 0.6f);
    ft_speaking_compute(5, 1, f.b, &talk, NULL, NULL, &s);
    const double jaw = (double)0.1f, activity = (0.0 + (double)0.9f + (double)0.6f) / 3.0;
    assert_true(s.mouth_activity == activity);
    assert_true(s.visual_confidence == jaw / 0.08 * 0.7 + 0.2 * activity);
    assert_true(s.confidence == 0.4 * s.visual_confidence);
    assert_true(s.is_speaking);
    assert_string_equal(s.method, "visual_primary");
    /* The cap applies to the sum: 0.9625 + 0.1 would be 1.0625. */
    f = make_face(0.11f, 0.75f, 0.75f);
    ft_speaking_compute(5, 1, f.b, &talk, NULL, NULL, &s);
    assert_true(s.visual_confidence == 1.0);
    /* Silent, barely open: 0.4 * conf stays under 0.3. */
    f = make_face(0.081f, 0.0f, 0.0f);
    ft_speaking_compute(5, 1, f.b, &talk, NULL, NULL, &s);
    assert_string_equal(s.method, "visual_primary");
    assert_false(s.is_speaking);
    /* Equal audio and visual confidence: audio wins the method. */
    f = make_face(0.5f, 0.0f, 0.0f);
    ft_speaking_compute(25, 1, f.b, &talk, NULL, NULL, &s);
    assert_true(s.visual_confidence == 1.0 && s.audio_confidence == 1.0);
    assert_string_equal(s.method, "audio_primary");
    assert_true(s.confidence == 0.6 + 0.4);
    /* Speech, closed mouth: audio primary. */
    f = make_face(0.01f, 0.0f, 0.0f);
    ft_speaking_compute(15, 1, f.b, &talk, NULL, NULL, &s);
    assert_string_equal(s.method, "audio_primary");
    assert_true(s.is_speaking);
}

static void test_segments(void **state)
{
    (void)state;
    ft_scene sc[3] = {{1, 4}, {5, 5}, {10, 20}};
    ft_scene_list list = {sc, 3};
    ft_speaking s;
    ft_speaking_compute(3, 0, NULL, &talk, &list, NULL, &s);
    assert_int_equal(s.segment.present, 1);
    assert_int_equal(s.segment.segment_id, 1);
    assert_int_equal(s.segment.duration, 3);
    assert_true(s.segment.frame_position == 2.0 / 3.0);
    ft_speaking_compute(5, 0, NULL, &talk, &list, NULL, &s);
    assert_int_equal(s.segment.segment_id, 2);
    assert_int_equal(s.segment.duration, 0);
    assert_true(s.segment.frame_position == 0.0);
    ft_speaking_compute(20, 0, NULL, NULL, &list, NULL, &s);
    assert_int_equal(s.segment.segment_id, 3);
    assert_true(s.segment.frame_position == 1.0);
    ft_speaking_compute(7, 0, NULL, &talk, &list, NULL, &s);
    assert_int_equal(s.segment.present, 0);
    ft_speaking_compute(3, 0, NULL, &talk, NULL, NULL, &s);
    assert_int_equal(s.segment.present, 0);
}

/* --------------------------------------------------- without audio */

static void test_still_open_mouth(void **state)
{
    (void)state;
    ft_speaking_history h = {{0}, 0, 0};
    for (int k = 1; k <= 40; k++) {
        /* Wide open, with the tracker's jitter. */
        const float jaw = 0.5f + 0.004f * (float)sin(k * 1.7);
        face f = make_face(jaw, 0.2f, 0.1f);
        ft_speaking s;
        ft_speaking_compute(k, 1, f.b, NULL, NULL, &h, &s);
        assert_string_equal(s.method, "visual_motion");
        assert_false(s.is_speaking);
        assert_true(s.confidence < 0.5);
        assert_int_equal(s.has_audio, 0);
        assert_int_equal(s.has_visual, 1);
        assert_true(s.jaw_open == (double)jaw);
        assert_true(s.mouth_activity == (0.0 + (double)0.2f + (double)0.1f) / 3.0);
        assert_true(s.visual_confidence == s.confidence);
    }
}

static void test_moving_jaw(void **state)
{
    (void)state;
    ft_speaking_history h = {{0}, 0, 0};
    const double pi = 3.14159265358979323846;
    for (int k = 1; k <= 40; k++) {
        /* About four syllables a second at 25 fps. */
        const float jaw = 0.25f + 0.2f * (float)sin(2.0 * pi * k / 6.0);
        face f = make_face(jaw, 0.05f, 0.05f);
        ft_speaking s;
        ft_speaking_compute(k, 1, f.b, NULL, NULL, &h, &s);
        assert_string_equal(s.method, "visual_motion");
        if (k >= 3)
            assert_true(s.mouth_motion > 0.0);
        /* Too little history says nothing yet, however much it moved. */
        assert_int_equal(s.is_speaking, k >= 4);
        if (k >= 4)
            assert_true(s.confidence > 0.9);
    }
}

/* One opening then stillness: speaking only while it is in the window. */
static void test_single_opening_fades(void **state)
{
    (void)state;
    ft_speaking_history h = {{0}, 0, 0};
    ft_speaking s;
    for (int k = 1; k <= 40; k++) {
        face f = make_face(k < 10 ? 0.05f : 0.45f, 0.0f, 0.0f);
        ft_speaking_compute(k, 1, f.b, NULL, NULL, &h, &s);
        if (k < 10 || k >= 10 + FT_SPEAKING_WINDOW - 1)
            assert_false(s.is_speaking);
    }
    assert_true(s.mouth_motion == 0.0);
}

static void test_no_audio_others(void **state)
{
    (void)state;
    ft_speaking s;
    ft_speaking_compute(3, 0, NULL, NULL, NULL, NULL, &s);
    assert_string_equal(s.method, "object_detection_fallback");
    assert_false(s.is_speaking);
    assert_true(s.confidence == 0.0);
    assert_int_equal(s.has_audio + s.has_visual, 0);
    assert_null(s.audio);
    ft_speaking_compute(3, 1, NULL, NULL, NULL, NULL, &s);
    assert_string_equal(s.method, "no_detection");
    assert_false(s.is_speaking);
    /* No history given: a single frame, so never speaking. */
    face f = make_face(0.6f, 0.0f, 0.0f);
    ft_speaking_compute(3, 1, f.b, NULL, NULL, NULL, &s);
    assert_string_equal(s.method, "visual_motion");
    assert_false(s.is_speaking);
    assert_true(s.mouth_motion == 0.0);
    /* Histories are per object: a still face beside a talking one. */
    ft_speaking_history talking = {{0}, 0, 0}, still = {{0}, 0, 0};
    for (int k = 1; k <= 12; k++) {
        face a = make_face(k % 2 ? 0.1f : 0.4f, 0.0f, 0.0f), b = make_face(0.3f, 0.0f, 0.0f);
        ft_speaking sa, sb;
        ft_speaking_compute(k, 1, a.b, NULL, NULL, &talking, &sa);
        ft_speaking_compute(k, 1, b.b, NULL, NULL, &still, &sb);
        assert_int_equal(sa.is_speaking, k >= 4);
        assert_false(sb.is_speaking);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_goonies_reference),
        cmocka_unit_test(test_insightface_reference),
        cmocka_unit_test(test_audio_rules),
        cmocka_unit_test(test_visual_rules),
        cmocka_unit_test(test_segments),
        cmocka_unit_test(test_still_open_mouth),
        cmocka_unit_test(test_moving_jaw),
        cmocka_unit_test(test_single_opening_fades),
        cmocka_unit_test(test_no_audio_others),
    };
    return cmocka_run_group_tests(tests, setup_audio, NULL);
}
