/* The table of output names (track/outputs.h) that track, scenes and serve
 * share. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "track/outputs.h"

static void every_kind_is_found_by_its_name(void **state)
{
    (void)state;
    for (int k = 0; k < FT_OUTPUT_KIND_COUNT; k++) {
        const ft_output_info *info = ft_output_info_of((ft_output_kind)k);
        assert_non_null(info);
        assert_int_equal(info->kind, k);
        assert_ptr_equal(ft_output_find(info->name), info);
        assert_string_equal(ft_output_suffix((ft_output_kind)k), info->suffix);
        for (int other = 0; other < k; other++)
            assert_string_not_equal(ft_output_suffix((ft_output_kind)other), info->suffix);
    }
    assert_null(ft_output_info_of(FT_OUTPUT_KIND_COUNT));
    assert_null(ft_output_suffix(FT_OUTPUT_KIND_COUNT));
    assert_null(ft_output_find("tracking.json"));
    assert_null(ft_output_find(NULL));
}

static void names_are_the_originals(void **state)
{
    (void)state;
    const char *const expected[FT_OUTPUT_KIND_COUNT] = {
        [FT_OUTPUT_TRACKING] = "/media/a.b/clip.json",
        [FT_OUTPUT_REDUCED] = "/media/a.b/clip_tracking.json",
        [FT_OUTPUT_SCENES_CSV] = "/media/a.b/clip.csv",
        [FT_OUTPUT_SCENES_JSON] = "/media/a.b/clip_scenes.json",
    };
    char out[256];
    for (int k = 0; k < FT_OUTPUT_KIND_COUNT; k++) {
        assert_int_equal(ft_output_path_of("/media/a.b/clip.mp4", NULL, (ft_output_kind)k, out,
                                           sizeof out),
                         FT_OK);
        assert_string_equal(out, expected[k]);
    }
    assert_int_equal(ft_output_path_of("/v/clip.mp4", "/out", FT_OUTPUT_REDUCED, out, sizeof out),
                     FT_OK);
    assert_string_equal(out, "/out/clip_tracking.json");
    assert_int_equal(ft_output_path_of("/v/clip.mp4", NULL, FT_OUTPUT_KIND_COUNT, out, sizeof out),
                     FT_ERR_INVALID_ARG);
    assert_string_equal(out, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_kind_is_found_by_its_name),
        cmocka_unit_test(names_are_the_originals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
