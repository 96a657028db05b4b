/* Unit tests of the model search path: its order and origins, the first
 * folder holding a file wins, absent folders are skipped, aliases, and where
 * `models pull` writes. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "models/model_path.h"

typedef struct fixture {
    char root[64];   /* a temporary folder */
    char a[128], b[128], absent[128];
} fixture;

static void clear_env(void)
{
    unsetenv("FACETRACK_MODEL_PATH");
    unsetenv("FACETRACK_MODELS_DIR");
    unsetenv("XDG_CACHE_HOME");
    unsetenv("HOME");
}

static int setup(void **state)
{
    fixture *fx = calloc(1, sizeof *fx);
    if (!fx)
        return -1;
    strcpy(fx->root, "/tmp/ft_model_path_XXXXXX");
    if (!mkdtemp(fx->root))
        return -1;
    snprintf(fx->a, sizeof fx->a, "%s/a", fx->root);
    snprintf(fx->b, sizeof fx->b, "%s/b", fx->root);
    snprintf(fx->absent, sizeof fx->absent, "%s/absent", fx->root);
    if (mkdir(fx->a, 0755) || mkdir(fx->b, 0755))
        return -1;
    clear_env();
    /* The user cache is isolated too: a folder that does not exist. */
    char cache[128];
    snprintf(cache, sizeof cache, "%s/cache", fx->root);
    setenv("XDG_CACHE_HOME", cache, 1);
    *state = fx;
    return 0;
}

static void touch(const char *dir, const char *name)
{
    char p[256];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    FILE *f = fopen(p, "wb");
    assert_non_null(f);
    fclose(f);
}

static int teardown(void **state)
{
    fixture *fx = *state;
    const char *dirs[] = {fx->a, fx->b};
    const char *names[] = {"ft_test_model.tflite", "face_landmarker.task",
                           "face_landmarker_v2_with_blendshapes.task", "subdir.onnx"};
    for (int d = 0; d < 2; d++)
        for (int n = 0; n < 4; n++) {
            char p[256];
            snprintf(p, sizeof p, "%s/%s", dirs[d], names[n]);
            if (unlink(p) != 0)
                rmdir(p);
        }
    rmdir(fx->a);
    rmdir(fx->b);
    rmdir(fx->root);
    free(fx);
    clear_env();
    return 0;
}

static void test_order_and_origins(void **state)
{
    (void)state;
    setenv("FACETRACK_MODEL_PATH", "/p/one::/p/two:", 1); /* empty entries skipped */
    setenv("FACETRACK_MODELS_DIR", "/p/models", 1);
    setenv("XDG_CACHE_HOME", "/p/cache", 1);
    ft_model_dir dirs[FT_MODEL_MAX_DIRS];
    int n = ft_model_search_dirs(dirs, FT_MODEL_MAX_DIRS);
    assert_int_equal(n, 6);
    assert_string_equal(dirs[0].path, "/p/one");
    assert_string_equal(dirs[0].origin, "FACETRACK_MODEL_PATH");
    assert_string_equal(dirs[1].path, "/p/two");
    assert_string_equal(dirs[1].origin, "FACETRACK_MODEL_PATH");
    assert_string_equal(dirs[2].path, "/p/models");
    assert_string_equal(dirs[2].origin, "FACETRACK_MODELS_DIR");
    assert_string_equal(dirs[3].path, "/p/cache/facetrack/models");
    assert_string_equal(dirs[3].origin, "user cache");
    assert_string_equal(dirs[4].origin, "install");
    assert_non_null(strstr(dirs[4].path, "/facetrack/models"));
    assert_string_equal(dirs[5].origin, "build tree");
    const char *src = getenv("FT_SOURCE_DIR");
    if (src) {
        char want[1024];
        snprintf(want, sizeof want, "%s/build/models", src);
        assert_string_equal(dirs[5].path, want);
    }
    /* At most MAX entries. */
    assert_int_equal(ft_model_search_dirs(dirs, 2), 2);
    assert_string_equal(dirs[1].path, "/p/two");
}

static void test_duplicates_listed_once(void **state)
{
    (void)state;
    setenv("FACETRACK_MODEL_PATH", "/p/x:/p/x", 1);
    setenv("FACETRACK_MODELS_DIR", "/p/x", 1);
    ft_model_dir dirs[FT_MODEL_MAX_DIRS];
    int n = ft_model_search_dirs(dirs, FT_MODEL_MAX_DIRS);
    assert_int_equal(n, 4); /* /p/x, user cache, install, build tree */
    assert_string_equal(dirs[0].path, "/p/x");
    assert_string_equal(dirs[0].origin, "FACETRACK_MODEL_PATH");
}

static void test_user_cache(void **state)
{
    (void)state;
    setenv("HOME", "/home/someone", 1);
    setenv("XDG_CACHE_HOME", "relative/cache", 1); /* the XDG spec: ignored */
    ft_model_dir dirs[FT_MODEL_MAX_DIRS];
    assert_int_equal(ft_model_search_dirs(dirs, FT_MODEL_MAX_DIRS), 3);
    assert_string_equal(dirs[0].path, "/home/someone/.cache/facetrack/models");
    char out[256];
    assert_int_equal(ft_model_pull_dir(out, sizeof out), FT_OK);
    assert_string_equal(out, "/home/someone/.cache/facetrack/models");

    setenv("XDG_CACHE_HOME", "/xdg", 1);
    assert_int_equal(ft_model_pull_dir(out, sizeof out), FT_OK);
    assert_string_equal(out, "/xdg/facetrack/models");

    setenv("FACETRACK_MODELS_DIR", "/mine", 1);
    assert_int_equal(ft_model_pull_dir(out, sizeof out), FT_OK);
    assert_string_equal(out, "/mine");
    setenv("FACETRACK_MODELS_DIR", "", 1); /* empty counts as unset */
    assert_int_equal(ft_model_pull_dir(out, sizeof out), FT_OK);
    assert_string_equal(out, "/xdg/facetrack/models");
    assert_int_equal(ft_model_pull_dir(out, 8), FT_ERR_INVALID_ARG); /* does not fit */

    clear_env();
    assert_int_equal(ft_model_pull_dir(out, sizeof out), FT_ERR_NOT_FOUND);
    assert_int_equal(ft_model_search_dirs(dirs, FT_MODEL_MAX_DIRS), 2); /* install, build */
}

static void test_first_folder_wins(void **state)
{
    fixture *fx = *state;
    char list[512], out[512];
    snprintf(list, sizeof list, "%s:%s:%s", fx->absent, fx->a, fx->b);
    setenv("FACETRACK_MODEL_PATH", list, 1);

    assert_int_equal(ft_model_find("ft_test_model.tflite", out, sizeof out), FT_ERR_NOT_FOUND);
    assert_string_equal(out, "");

    touch(fx->b, "ft_test_model.tflite");
    char want[512];
    snprintf(want, sizeof want, "%s/ft_test_model.tflite", fx->b);
    assert_int_equal(ft_model_find("ft_test_model.tflite", out, sizeof out), FT_OK);
    assert_string_equal(out, want);

    touch(fx->a, "ft_test_model.tflite");
    snprintf(want, sizeof want, "%s/ft_test_model.tflite", fx->a);
    assert_int_equal(ft_model_find("ft_test_model.tflite", out, sizeof out), FT_OK);
    assert_string_equal(out, want);

    /* Folders are not model files. */
    char sub[256];
    snprintf(sub, sizeof sub, "%s/subdir.onnx", fx->a);
    assert_int_equal(mkdir(sub, 0755), 0);
    assert_int_equal(ft_model_find("subdir.onnx", out, sizeof out), FT_ERR_NOT_FOUND);

    /* FACETRACK_MODELS_DIR comes after FACETRACK_MODEL_PATH. */
    setenv("FACETRACK_MODEL_PATH", fx->absent, 1);
    setenv("FACETRACK_MODELS_DIR", fx->b, 1);
    snprintf(want, sizeof want, "%s/ft_test_model.tflite", fx->b);
    assert_int_equal(ft_model_find("ft_test_model.tflite", out, sizeof out), FT_OK);
    assert_string_equal(out, want);
}

static void test_alias(void **state)
{
    fixture *fx = *state;
    char list[512], out[512], want[512];
    snprintf(list, sizeof list, "%s:%s", fx->a, fx->b);
    setenv("FACETRACK_MODEL_PATH", list, 1);
    /* The bundle under its other name is found by its registry name ... */
    touch(fx->b, "face_landmarker_v2_with_blendshapes.task");
    snprintf(want, sizeof want, "%s/face_landmarker_v2_with_blendshapes.task", fx->b);
    assert_int_equal(ft_model_find("face_landmarker.task", out, sizeof out), FT_OK);
    assert_string_equal(out, want);
    /* ... and the other way round; within a folder the name asked wins. */
    touch(fx->a, "face_landmarker.task");
    snprintf(want, sizeof want, "%s/face_landmarker.task", fx->a);
    assert_int_equal(ft_model_find("face_landmarker_v2_with_blendshapes.task", out, sizeof out),
                     FT_OK);
    assert_string_equal(out, want);
    touch(fx->a, "face_landmarker_v2_with_blendshapes.task");
    snprintf(want, sizeof want, "%s/face_landmarker_v2_with_blendshapes.task", fx->a);
    assert_int_equal(ft_model_find("face_landmarker_v2_with_blendshapes.task", out, sizeof out),
                     FT_OK);
    assert_string_equal(out, want);
}

static void test_bad_arguments(void **state)
{
    fixture *fx = *state;
    char out[512];
    setenv("FACETRACK_MODEL_PATH", fx->a, 1);
    touch(fx->a, "ft_test_model.tflite");
    assert_int_equal(ft_model_find("a/ft_test_model.tflite", out, sizeof out), FT_ERR_INVALID_ARG);
    assert_int_equal(ft_model_find("", out, sizeof out), FT_ERR_INVALID_ARG);
    assert_int_equal(ft_model_find(NULL, out, sizeof out), FT_ERR_INVALID_ARG);
    assert_int_equal(ft_model_find("ft_test_model.tflite", out, 8), FT_ERR_INVALID_ARG);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_order_and_origins, setup, teardown),
        cmocka_unit_test_setup_teardown(test_duplicates_listed_once, setup, teardown),
        cmocka_unit_test_setup_teardown(test_user_cache, setup, teardown),
        cmocka_unit_test_setup_teardown(test_first_folder_wins, setup, teardown),
        cmocka_unit_test_setup_teardown(test_alias, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_arguments, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
