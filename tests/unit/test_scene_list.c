/* The STEP3 shot-list reader: the real Malcolm CSV (CRLF), line-ending and
 * trailing-newline variants, lookups, and malformed files that must fail
 * with FT_ERR_FORMAT and a message naming file, line and reason. */
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
#include "track/scene_list.h"

#define HEADER "No,Timecode In,Timecode Out,Frame In,Frame Out"

static scratch_file scratch;

static int group_setup(void **state)
{
    (void)state;
    return scratch_file_init(&scratch, "scenes", "scenes.csv");
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

static ft_status load_text(const char *text, ft_scene_list *list, char *err, size_t err_size)
{
    write_bytes(text, strlen(text));
    return ft_scene_list_load(scratch.path, list, err, err_size);
}

/* TEXT must fail on LINE (0: no line) with a message holding WHY. */
static void expect_bad(const char *text, long line, const char *why)
{
    ft_scene_list list;
    char err[512];
    assert_int_equal(load_text(text, &list, err, sizeof err), FT_ERR_FORMAT);
    assert_null(list.scenes);
    assert_int_equal(list.count, 0);
    char prefix[256];
    if (line > 0)
        snprintf(prefix, sizeof prefix, "%s:%ld: ", scratch.path, line);
    else
        snprintf(prefix, sizeof prefix, "%s: ", scratch.path);
    if (strncmp(err, prefix, strlen(prefix)) != 0 || !strstr(err, why))
        fail_msg("expected \"%s...%s\", got \"%s\"", prefix, why, err);
    assert_null(strchr(err, '\n'));
}

static void test_malcolm(void **state)
{
    (void)state;
    const char *path = ft_test_shared_path("reference/original/step3_scenes_Malcolm.csv");
    if (!ft_test_have(path))
        skip();
    ft_scene_list list;
    char err[512];
    assert_int_equal(ft_scene_list_load(path, &list, err, sizeof err), FT_OK);
    assert_int_equal(list.count, 19);
    assert_int_equal(list.scenes[0].first, 1);
    assert_int_equal(list.scenes[0].last, 42);
    assert_int_equal(list.scenes[1].first, 43);
    assert_int_equal(list.scenes[1].last, 77);
    assert_int_equal(list.scenes[18].first, 1059);
    assert_int_equal(list.scenes[18].last, 1076);
    for (size_t i = 1; i < list.count; i++) /* STEP3's scenes tile the video */
        assert_int_equal(list.scenes[i].first, list.scenes[i - 1].last + 1);
    assert_int_equal(ft_scene_list_find(&list, 43), 1);
    assert_int_equal(ft_scene_list_find(&list, 42), 0);
    assert_int_equal(ft_scene_list_find(&list, 1), 0);
    assert_int_equal(ft_scene_list_find(&list, 77), 1);
    assert_int_equal(ft_scene_list_find(&list, 1076), 18);
    assert_int_equal(ft_scene_list_find(&list, 0), -1);
    assert_int_equal(ft_scene_list_find(&list, 1077), -1);
    for (size_t i = 0; i < list.count; i++) {
        for (int64_t f = list.scenes[i].first; f <= list.scenes[i].last; f++)
            assert_int_equal(ft_scene_list_find(&list, f), (long)i);
    }
    ft_scene_list_free(&list);
    assert_null(list.scenes);
    assert_int_equal(list.count, 0);
}

static void test_line_endings(void **state)
{
    (void)state;
    static const char *const texts[] = {
        HEADER "\n1,a,b,1,42\n2,c,d,43,77\n",           /* LF, trailing newline */
        HEADER "\n1,a,b,1,42\n2,c,d,43,77",             /* no trailing newline */
        HEADER "\r\n1,a,b,1,42\r\n2,c,d,43,77\r\n",     /* CRLF */
        HEADER "\r\n1,a,b,1,42\r\n2,c,d,43,77",         /* CRLF, none at the end */
        HEADER "\n1,a,b,1,42\n2,c,d,43,77\n\n\r\n",     /* blank lines at the end */
        "\xEF\xBB\xBF" HEADER "\n1,a,b,1,42\n2,c,d,43,77\n", /* byte-order mark */
        HEADER "\n1,a,b, 1 ,42\n2,c,d,43,\t77\n",       /* blanks around numbers */
    };
    for (size_t t = 0; t < sizeof texts / sizeof texts[0]; t++) {
        ft_scene_list list;
        char err[512] = "";
        if (load_text(texts[t], &list, err, sizeof err) != FT_OK)
            fail_msg("variant %zu: %s", t, err);
        assert_int_equal(list.count, 2);
        assert_int_equal(list.scenes[0].first, 1);
        assert_int_equal(list.scenes[0].last, 42);
        assert_int_equal(list.scenes[1].first, 43);
        assert_int_equal(list.scenes[1].last, 77);
        ft_scene_list_free(&list);
    }
}

static void test_header_only(void **state)
{
    (void)state;
    ft_scene_list list;
    char err[512];
    assert_int_equal(load_text(HEADER "\n", &list, err, sizeof err), FT_OK);
    assert_int_equal(list.count, 0);
    assert_int_equal(ft_scene_list_find(&list, 1), -1);
    ft_scene_list_free(&list);
    assert_int_equal(load_text(HEADER, &list, err, sizeof err), FT_OK);
    assert_int_equal(list.count, 0);
    ft_scene_list_free(&list);
}

/* One-frame scenes (STEP3 makes them) and gaps between scenes. */
static void test_short_scenes_and_gaps(void **state)
{
    (void)state;
    ft_scene_list list;
    char err[512];
    assert_int_equal(load_text(HEADER "\n1,a,b,1,10\n2,a,b,11,11\n3,a,b,12,12\n4,a,b,20,30\n",
                               &list, err, sizeof err),
                     FT_OK);
    assert_int_equal(list.count, 4);
    assert_int_equal(ft_scene_list_find(&list, 11), 1);
    assert_int_equal(ft_scene_list_find(&list, 12), 2);
    assert_int_equal(ft_scene_list_find(&list, 13), -1);
    assert_int_equal(ft_scene_list_find(&list, 19), -1);
    assert_int_equal(ft_scene_list_find(&list, 20), 3);
    assert_int_equal(ft_scene_list_find(&list, 30), 3);
    assert_int_equal(ft_scene_list_find(&list, 31), -1);
    assert_int_equal(ft_scene_list_find(NULL, 5), -1);
    ft_scene_list_free(&list);
    ft_scene_list_free(NULL);
}

static void test_bad_header(void **state)
{
    (void)state;
    expect_bad("", 1, "header");
    expect_bad("No,Timecode In,Timecode Out,Frame In\n1,a,b,1\n", 1, "header");
    expect_bad("no,timecode in,timecode out,frame in,frame out\n", 1, "header");
    expect_bad(HEADER ",Extra\n1,a,b,1,42,x\n", 1, "header");
    expect_bad(" " HEADER "\n", 1, "header");
    expect_bad("1,a,b,1,42\n", 1, "header");
}

static void test_bad_rows(void **state)
{
    (void)state;
    expect_bad(HEADER "\n1,a,b,1,42\n2,c,d,43\n", 3, "5 comma-separated fields");
    expect_bad(HEADER "\n1,a,b,1,42,\n", 2, "5 comma-separated fields");
    expect_bad(HEADER "\n1,a,b,x,42\n", 2, "'Frame In'");
    expect_bad(HEADER "\n1,a,b,1,4.5\n", 2, "'Frame Out'");
    expect_bad(HEADER "\n1,a,b,0,42\n", 2, "'Frame In' is not an integer >= 1");
    expect_bad(HEADER "\n1,a,b,-1,42\n", 2, "'Frame In'");
    expect_bad(HEADER "\n1,a,b,,42\n", 2, "'Frame In'");
    expect_bad(HEADER "\n1,a,b,1,99999999999999999999\n", 2, "'Frame Out'");
    expect_bad(HEADER "\n1,a,b,50,42\n", 2, "before 'Frame In'");
    expect_bad(HEADER "\nx,a,b,1,42\n", 2, "'No'");
    expect_bad(HEADER "\n1,a,b,1,42\n3,c,d,43,77\n", 3, "'No'");
    expect_bad(HEADER "\n1,,b,1,42\n", 2, "timecode");
    /* Rows must move forward: overlapping or repeated scenes are errors. */
    expect_bad(HEADER "\n1,a,b,1,42\n2,c,d,42,77\n", 3, "previous scene");
    expect_bad(HEADER "\n1,a,b,1,42\n2,c,d,1,42\n", 3, "previous scene");
    expect_bad(HEADER "\n1,a,b,43,77\n2,c,d,1,42\n", 3, "previous scene");
    /* A blank line inside the list, not at its end. */
    expect_bad(HEADER "\n1,a,b,1,42\n\n2,c,d,43,77\n", 3, "empty line");
    expect_bad(HEADER "\r\n1,a,b,1,42\r\n\r\n2,c,d,43,77\r\n", 3, "empty line");
}

static void test_binary_and_missing(void **state)
{
    (void)state;
    ft_scene_list list;
    char err[512];
    static const char nul[] = HEADER "\n1,a,b,1,4\0002\n";
    write_bytes(nul, sizeof nul - 1);
    assert_int_equal(ft_scene_list_load(scratch.path, &list, err, sizeof err), FT_ERR_FORMAT);
    assert_non_null(strstr(err, "NUL"));

    char missing[160];
    snprintf(missing, sizeof missing, "%s/absent.csv", scratch.dir);
    assert_int_equal(ft_scene_list_load(missing, &list, err, sizeof err), FT_ERR_NOT_FOUND);
    assert_non_null(strstr(err, missing));
    assert_int_equal(ft_scene_list_load(scratch.dir, &list, err, sizeof err), FT_ERR_IO);
    assert_non_null(strstr(err, scratch.dir));
    assert_int_equal(ft_scene_list_load(scratch.path, NULL, err, sizeof err), FT_ERR_INVALID_ARG);
    assert_int_equal(ft_scene_list_load(NULL, &list, err, sizeof err), FT_ERR_INVALID_ARG);
    /* No error buffer is fine too. */
    assert_int_equal(ft_scene_list_load(missing, &list, NULL, 0), FT_ERR_NOT_FOUND);
}

/* Every prefix of a valid file either loads (a shorter list) or fails
 * cleanly; none crashes or leaks (the sanitizer build runs this). */
static void test_truncations(void **state)
{
    (void)state;
    const char *text = HEADER "\r\n1,00:00:00.000,00:00:01.640,1,42\r\n"
                              "2,00:00:01.680,00:00:03.040,43,77\r\n";
    for (size_t n = 0; n <= strlen(text); n++) {
        ft_scene_list list;
        char err[512];
        write_bytes(text, n);
        const ft_status st = ft_scene_list_load(scratch.path, &list, err, sizeof err);
        assert_true(st == FT_OK || st == FT_ERR_FORMAT);
        if (st == FT_OK)
            assert_true(list.count <= 2);
        ft_scene_list_free(&list);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_malcolm),
        cmocka_unit_test(test_line_endings),
        cmocka_unit_test(test_header_only),
        cmocka_unit_test(test_short_scenes_and_gaps),
        cmocka_unit_test(test_bad_header),
        cmocka_unit_test(test_bad_rows),
        cmocka_unit_test(test_binary_and_missing),
        cmocka_unit_test(test_truncations),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
