/* The blendshape keys of the outputs: MediaPipe's engine keeps MediaPipe's
 * 52 names under every profile as before; the original's ARKit engines
 * (opencv_yunet_pyfeat here) write ARKit's 52 in Apple's order, tongueOut
 * last and 0, no _neutral, filtered by the profile as the original did. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "facetrack.h"
#include "track/blendshape_keys.h"

static ft_blendshape_key keys[FT_BLENDSHAPE_MAX_KEYS];

static int find(int n, const char *name)
{
    for (int i = 0; i < n; i++)
        if (strcmp(keys[i].name, name) == 0)
            return i;
    return -1;
}

static void mediapipe_keys_unchanged(void **state)
{
    (void)state;
    ft_track_config c = {.blendshape_profile = FT_BLENDSHAPES_FULL};
    int n = ft_blendshape_keys(&c, "mediapipe_landmarker", keys);
    assert_int_equal(n, 52);
    for (int i = 0; i < n; i++) {
        assert_string_equal(keys[i].name, ft_face_blendshape_name(i));
        assert_int_equal(keys[i].index, i);
    }
    c.blendshape_profile = FT_BLENDSHAPES_MEDIAPIPE;
    assert_int_equal(ft_blendshape_keys(&c, "mediapipe_landmarker", keys), 52);
    c.blendshape_profile = FT_BLENDSHAPES_MOUTH;
    c.include_tongue = 1;
    n = ft_blendshape_keys(&c, "mediapipe_landmarker", keys);
    assert_int_equal(n, 27); /* 4 jaw*, 23 mouth* */
    assert_int_equal(find(n, "tongueOut"), -1);
}

static void arkit_keys(void **state)
{
    (void)state;
    ft_track_config c = {.blendshape_profile = FT_BLENDSHAPES_FULL};
    int n = ft_blendshape_keys(&c, "opencv_yunet_pyfeat", keys);
    assert_int_equal(n, 52);
    assert_string_equal(keys[0].name, "eyeBlinkLeft");
    assert_string_equal(keys[17].name, "jawOpen");
    assert_string_equal(keys[51].name, "tongueOut");
    assert_int_equal(keys[51].index, -1);
    assert_int_equal(find(n, "_neutral"), -1);
    /* every other name carries the score of the same name */
    for (int i = 0; i < 51; i++)
        assert_string_equal(ft_face_blendshape_name(keys[i].index), keys[i].name);

    c.blendshape_profile = FT_BLENDSHAPES_MEDIAPIPE; /* no tongueOut, _neutral 0 last */
    n = ft_blendshape_keys(&c, "opencv_yunet_pyfeat", keys);
    assert_int_equal(n, 52);
    assert_int_equal(find(n, "tongueOut"), -1);
    assert_string_equal(keys[51].name, "_neutral");
    assert_int_equal(keys[51].index, -1);

    c.blendshape_profile = FT_BLENDSHAPES_MOUTH;
    assert_int_equal(ft_blendshape_keys(&c, "opencv_yunet_pyfeat", keys), 27);
    c.include_tongue = 1;
    n = ft_blendshape_keys(&c, "opencv_yunet_pyfeat", keys);
    assert_int_equal(n, 28);
    assert_string_equal(keys[27].name, "tongueOut");

    c.blendshape_profile = FT_BLENDSHAPES_CUSTOM;
    c.export_key_count = 3;
    strcpy(c.export_keys[0], "tongueOut");
    strcpy(c.export_keys[1], "jawOpen");
    strcpy(c.export_keys[2], "_neutral");
    n = ft_blendshape_keys(&c, "opencv_yunet_pyfeat", keys);
    assert_int_equal(n, 2); /* in ARKit's order; _neutral is not in its set */
    assert_string_equal(keys[0].name, "jawOpen");
    assert_string_equal(keys[1].name, "tongueOut");

    c.blendshape_profile = FT_BLENDSHAPES_NONE;
    assert_int_equal(ft_blendshape_keys(&c, "opencv_yunet_pyfeat", keys), 0);
    assert_true(ft_blendshape_keys_arkit("opencv_yunet_pyfeat"));
    assert_false(ft_blendshape_keys_arkit("mediapipe_landmarker"));
    assert_false(ft_blendshape_keys_arkit(NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(mediapipe_keys_unchanged),
        cmocka_unit_test(arkit_keys),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
