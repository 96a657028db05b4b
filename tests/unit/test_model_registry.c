/* Unit tests of the model registry: lookups, download URLs and mirrors, and
 * that its npm pins are those of scripts/models.sha256, which
 * scripts/models.sh checks the installed files against. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/sha256.h"
#include "models/model_registry.h"

static void test_entries_well_formed(void **state)
{
    (void)state;
    int count;
    const ft_model_info *m = ft_model_registry(&count);
    assert_true(count > 0);
    for (int i = 0; i < count; i++) {
        assert_non_null(m[i].file);
        assert_null(strchr(m[i].file, '/'));
        assert_non_null(m[i].what);
        assert_non_null(m[i].source);
        assert_true(ft_sha256_valid_hex(m[i].sha256));
        for (const char *c = m[i].sha256; *c; c++) /* pins are printed as sha256sum does */
            assert_true((*c >= '0' && *c <= '9') || (*c >= 'a' && *c <= 'f'));
        assert_true(m[i].url == NULL || strncmp(m[i].url, "https://", 8) == 0);
        assert_ptr_equal(ft_model_lookup(m[i].file), &m[i]);
        for (int j = 0; j < i; j++)
            assert_string_not_equal(m[i].file, m[j].file);
    }
}

static void test_lookup(void **state)
{
    (void)state;
    const ft_model_info *m = ft_model_lookup("face_landmarker.task");
    assert_non_null(m);
    assert_string_equal(m->sha256,
                        "64184e229b263107bc2b804c6625db1341ff2bb731874b0bcc2fe6544e0bc9ff");
    assert_string_equal(m->url, "https://storage.googleapis.com/mediapipe-models/"
                                "face_landmarker/face_landmarker/float16/1/face_landmarker.task");
    assert_ptr_equal(ft_model_lookup("face_landmarker"), m);
    assert_ptr_equal(ft_model_lookup("face_landmarker_v2_with_blendshapes.task"), m);
    assert_non_null(ft_model_lookup("face_detection_short_range"));
    assert_null(ft_model_lookup("face_landmarker.tflite"));
    assert_null(ft_model_lookup("face"));
    assert_null(ft_model_lookup(""));
    assert_null(ft_model_lookup(NULL));
}

static void test_source_url(void **state)
{
    (void)state;
    const ft_model_info *m = ft_model_lookup("face_landmarker.task");
    char url[512];
    unsetenv("FACETRACK_MODEL_URL_BASE");
    assert_int_equal(ft_model_source_url(m, url, sizeof url), FT_OK);
    assert_string_equal(url, m->url);
    assert_int_equal(ft_model_source_url(m, url, 16), FT_ERR_INVALID_ARG);

    setenv("FACETRACK_MODEL_URL_BASE", "http://mirror.example/models//", 1);
    assert_int_equal(ft_model_source_url(m, url, sizeof url), FT_OK);
    assert_string_equal(url, "http://mirror.example/models/face_landmarker.task");
    setenv("FACETRACK_MODEL_URL_BASE", "", 1);
    assert_int_equal(ft_model_source_url(m, url, sizeof url), FT_OK);
    assert_string_equal(url, m->url);

    /* npm-distributed models have no URL, mirror or not. */
    setenv("FACETRACK_MODEL_URL_BASE", "http://mirror.example", 1);
    assert_int_equal(ft_model_source_url(ft_model_lookup("face_landmark.tflite"), url, sizeof url),
                     FT_ERR_NOT_FOUND);
    unsetenv("FACETRACK_MODEL_URL_BASE");
}

static void test_pins_match_models_sha256(void **state)
{
    (void)state;
    const char *src = getenv("FT_SOURCE_DIR");
    char path[1024];
    snprintf(path, sizeof path, "%s/scripts/models.sha256", src ? src : ".");
    FILE *f = fopen(path, "r");
    if (!f) {
        printf("SKIP: %s not found (FT_SOURCE_DIR unset?)\n", path);
        skip();
    }
    char line[512];
    int listed = 0;
    while (fgets(line, sizeof line, f)) {
        char hex[80], name[256];
        if (line[0] == '#' || sscanf(line, "%79s %255s", hex, name) != 2)
            continue;
        const ft_model_info *m = ft_model_lookup(name);
        if (!m)
            fail_msg("%s of models.sha256 is not in the registry", name);
        assert_string_equal(m->file, name);
        assert_string_equal(m->sha256, hex);
        assert_null(m->url);
        assert_non_null(strstr(m->source, "npm @"));
        listed++;
    }
    fclose(f);
    /* ... and every npm entry of the registry is in the file. */
    int count, npm = 0;
    const ft_model_info *m = ft_model_registry(&count);
    for (int i = 0; i < count; i++)
        npm += strstr(m[i].source, "npm ") != NULL;
    assert_int_equal(listed, npm);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_entries_well_formed),
        cmocka_unit_test(test_lookup),
        cmocka_unit_test(test_source_url),
        cmocka_unit_test(test_pins_match_models_sha256),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
