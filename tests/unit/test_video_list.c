/* Unit tests of the batch tracker's inputs: folder scans, JSON lists,
 * shards, output names, and telling whole tracking outputs from cut or
 * short ones. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "track/video_list.h"
#include "track/folder_scan.h"
#include "track/output_complete.h"
#include "track/outputs.h"

typedef struct fixture {
    char dir[64];
    char cwd[4096]; /* restored after tests that change it */
} fixture;

static int setup(void **state)
{
    fixture *fx = calloc(1, sizeof *fx);
    if (!fx)
        return -1;
    strcpy(fx->dir, "/tmp/ft_video_list_XXXXXX");
    if (!mkdtemp(fx->dir) || !getcwd(fx->cwd, sizeof fx->cwd)) {
        free(fx);
        return -1;
    }
    *state = fx;
    return 0;
}

/* rm -r PATH, without following links. */
static void remove_tree(const char *path)
{
    struct stat sb;
    if (lstat(path, &sb) == 0 && S_ISDIR(sb.st_mode)) {
        DIR *d = opendir(path);
        struct dirent *e;
        while (d && (e = readdir(d))) {
            char sub[1024];
            if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
                snprintf(sub, sizeof sub, "%s/%s", path, e->d_name);
                remove_tree(sub);
            }
        }
        if (d)
            closedir(d);
    }
    remove(path);
}

static int teardown(void **state)
{
    fixture *fx = *state;
    if (chdir(fx->cwd) != 0)
        return -1;
    remove_tree(fx->dir);
    free(fx);
    return 0;
}

/* "<dir>/<rel>" into a static buffer (one at a time). */
static const char *in_dir(const fixture *fx, const char *rel)
{
    static char path[512];
    snprintf(path, sizeof path, "%s/%s", fx->dir, rel);
    return path;
}

static void write_bytes(const char *path, const char *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

static void write_text(const char *path, const char *text)
{
    write_bytes(path, text, strlen(text));
}

static void make_dir(const char *path)
{
    assert_int_equal(mkdir(path, 0755), 0);
}

/* The list as "a|b|c", paths relative to the fixture folder. */
static const char *joined(const fixture *fx, const ft_video_list *list)
{
    static char out[4096];
    size_t dl = strlen(fx->dir), n = 0;
    out[0] = '\0';
    for (size_t i = 0; i < list->count; i++) {
        const char *p = list->paths[i];
        if (strncmp(p, fx->dir, dl) == 0 && p[dl] == '/')
            p += dl + 1;
        n += (size_t)snprintf(out + n, sizeof out - n, "%s%s", i ? "|" : "", p);
        assert_true(n < sizeof out);
    }
    return out;
}

static void test_video_names(void **state)
{
    (void)state;
    static const char *const yes[] = {"a.mp4", "b.AVI", "c.Mov", "d.mkv", "e.WEBM", "x.y.mp4",
                                      "dir.d/clip.mp4", ".hidden/clip.mkv"};
    static const char *const no[] = {"a.mp3", "mp4", ".mp4", "a.mp4.part", "a.", "a",
                                     "dir.mp4/clip", "a.webmx", "", "clip.mp"};
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++)
        assert_true(ft_is_video_name(yes[i]));
    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
        assert_false(ft_is_video_name(no[i]));
    assert_false(ft_is_video_name(NULL));
}

/* A tree with every case a scan meets: nested folders, extensions in any
 * case, hidden names, other files, links to files, to folders and in a
 * loop. */
static void make_tree(const fixture *fx)
{
    make_dir(in_dir(fx, "root"));
    make_dir(in_dir(fx, "root/sub"));
    make_dir(in_dir(fx, "root/sub/deeper"));
    make_dir(in_dir(fx, "root/.cache"));
    make_dir(in_dir(fx, "root/folder.mp4")); /* a folder, whatever its name */
    make_dir(in_dir(fx, "outside"));
    write_text(in_dir(fx, "root/b.MP4"), "");
    write_text(in_dir(fx, "root/a.mkv"), "");
    write_text(in_dir(fx, "root/a-c.mov"), "");
    write_text(in_dir(fx, "root/notes.txt"), "");
    write_text(in_dir(fx, "root/clip.mov.part"), "");
    write_text(in_dir(fx, "root/.hidden.mp4"), "");
    write_text(in_dir(fx, "root/.cache/e.mp4"), "");
    write_text(in_dir(fx, "root/folder.mp4/f.webm"), "");
    write_text(in_dir(fx, "root/sub/c.WebM"), "");
    write_text(in_dir(fx, "root/sub/deeper/d.avi"), "");
    write_text(in_dir(fx, "outside/x.mp4"), "");
    /* a second name of a.mkv, a link to a folder elsewhere, loops, a dead link */
    assert_int_equal(symlink("a.mkv", in_dir(fx, "root/z_link.mp4")), 0);
    assert_int_equal(symlink("../outside", in_dir(fx, "root/ext")), 0);
    assert_int_equal(symlink("..", in_dir(fx, "root/sub/up")), 0);
    assert_int_equal(symlink("../..", in_dir(fx, "root/sub/deeper/top")), 0);
    assert_int_equal(symlink("nowhere.mp4", in_dir(fx, "root/dead.mp4")), 0);
}

static void test_folder_scan(void **state)
{
    fixture *fx = *state;
    make_tree(fx);
    ft_video_list list = {0};
    char err[512];
    assert_int_equal(ft_video_list_add(&list, in_dir(fx, "root"), err, sizeof err), FT_OK);
    assert_string_equal(err, "");
    /* Sorted by the whole path ('-' sorts before '/'); "outside" is reached
     * through the link, and the loops end. */
    assert_string_equal(joined(fx, &list), "root/a-c.mov|root/a.mkv|root/b.MP4|root/ext/x.mp4|"
                                           "root/folder.mp4/f.webm|root/sub/c.WebM|"
                                           "root/sub/deeper/d.avi");

    /* Again, directly, through another spelling or a trailing slash:
     * nothing new. The link to a.mkv was dropped above for the same reason. */
    assert_int_equal(ft_video_list_add(&list, in_dir(fx, "root/a.mkv"), err, sizeof err), FT_OK);
    assert_int_equal(ft_video_list_add(&list, in_dir(fx, "root/sub/../z_link.mp4"), err,
                                       sizeof err), FT_OK);
    assert_int_equal(ft_video_list_add(&list, in_dir(fx, "root/"), err, sizeof err), FT_OK);
    assert_int_equal(ft_video_list_add(&list, in_dir(fx, "outside"), err, sizeof err), FT_OK);
    assert_int_equal(list.count, 7);

    /* Named on its own, a file is taken whatever its name. */
    assert_int_equal(ft_video_list_add(&list, in_dir(fx, "root/notes.txt"), err, sizeof err),
                     FT_OK);
    assert_int_equal(ft_video_list_add(&list, in_dir(fx, "root/.hidden.mp4"), err, sizeof err),
                     FT_OK);
    assert_int_equal(list.count, 9);
    assert_string_equal(list.paths[7], in_dir(fx, "root/notes.txt"));
    assert_string_equal(list.paths[8], in_dir(fx, "root/.hidden.mp4"));
    ft_video_list_free(&list);
    assert_null(list.paths);
    assert_int_equal(list.count, 0);
    ft_video_list_free(&list); /* twice is fine */
}

/* Folders that all link to each other: each is read once, so the scan ends
 * at once instead of following every chain of links. */
static void test_link_web(void **state)
{
    fixture *fx = *state;
    enum { N = 12 };
    make_dir(in_dir(fx, "web"));
    for (int i = 0; i < N; i++) {
        char rel[64];
        snprintf(rel, sizeof rel, "web/d%02d", i);
        make_dir(in_dir(fx, rel));
        snprintf(rel, sizeof rel, "web/d%02d/v.mp4", i);
        write_text(in_dir(fx, rel), "");
    }
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) {
            char rel[64], target[32];
            snprintf(rel, sizeof rel, "web/d%02d/l%02d", i, j);
            snprintf(target, sizeof target, "../d%02d", j);
            assert_int_equal(symlink(target, in_dir(fx, rel)), 0);
        }
    ft_video_list list = {0};
    assert_int_equal(ft_video_list_add(&list, in_dir(fx, "web"), NULL, 0), FT_OK);
    assert_int_equal(list.count, N);
    /* The same answer every time: links are followed in name order. */
    assert_string_equal(list.paths[0], in_dir(fx, "web/d00/l01/l02/l03/l04/l05/l06/l07/l08/l09/"
                                                  "l10/l11/v.mp4"));
    assert_string_equal(list.paths[N - 1], in_dir(fx, "web/d00/v.mp4"));
    ft_video_list_free(&list);
}

/* A folder with a trailing slash gives paths without a doubled one. */
static void test_folder_trailing_slash(void **state)
{
    fixture *fx = *state;
    make_dir(in_dir(fx, "v"));
    write_text(in_dir(fx, "v/one.mp4"), "");
    ft_video_list list = {0};
    assert_int_equal(ft_video_list_add(&list, in_dir(fx, "v/"), NULL, 0), FT_OK);
    assert_string_equal(joined(fx, &list), "v/one.mp4");
    ft_video_list_free(&list);
}

static void test_missing_path(void **state)
{
    fixture *fx = *state;
    ft_video_list list = {0};
    char err[512], expected[600];
    const char *missing = in_dir(fx, "no/such.mp4");
    snprintf(expected, sizeof expected, "%s: no such file or folder", missing);
    assert_int_equal(ft_video_list_add(&list, missing, err, sizeof err), FT_ERR_NOT_FOUND);
    assert_string_equal(err, expected);
    assert_int_equal(list.count, 0);
    /* A dead link is missing too. */
    assert_int_equal(symlink("gone.mp4", in_dir(fx, "dead.mp4")), 0);
    assert_int_equal(ft_video_list_add(&list, in_dir(fx, "dead.mp4"), err, sizeof err),
                     FT_ERR_NOT_FOUND);
    assert_int_equal(ft_video_list_add(&list, NULL, err, sizeof err), FT_ERR_INVALID_ARG);
    assert_int_equal(ft_video_list_add(NULL, fx->dir, err, sizeof err), FT_ERR_INVALID_ARG);
    ft_video_list_free(&list);
}

/* ------------------------------------------------------------ JSON lists */

/* Three videos in the fixture folder, and the current folder there too, so
 * that lists can name them relatively. */
static void make_videos(fixture *fx)
{
    make_dir(in_dir(fx, "v"));
    write_text(in_dir(fx, "v/a.mp4"), "");
    write_text(in_dir(fx, "v/b.mov"), "");
    write_text(in_dir(fx, "v/c.mkv"), "");
    assert_int_equal(chdir(fx->dir), 0);
}

static void test_json_array(void **state)
{
    fixture *fx = *state;
    make_videos(fx);
    char text[1024];
    snprintf(text, sizeof text, "[\"v/b.mov\", \"%s/v/a.mp4\",\n \"v/./b.mov\", \"v\"]\n",
             fx->dir);
    write_text("list.json", text);
    ft_video_list list = {0};
    char err[512];
    assert_int_equal(ft_video_list_add_json(&list, "list.json", err, sizeof err), FT_OK);
    assert_string_equal(err, "");
    /* In list order; the folder adds only what is new. */
    assert_string_equal(joined(fx, &list), "v/b.mov|v/a.mp4|v/c.mkv");
    assert_string_equal(list.paths[0], "v/b.mov");
    ft_video_list_free(&list);

    write_text("empty.json", " [ ] ");
    assert_int_equal(ft_video_list_add_json(&list, "empty.json", err, sizeof err), FT_OK);
    assert_int_equal(list.count, 0);
    ft_video_list_free(&list);
}

static void test_json_videos_object(void **state)
{
    fixture *fx = *state;
    make_videos(fx);
    write_text("list.json", "{\"note\": \"other keys are fine\",\n"
                            " \"videos\": [\"v/c.mkv\", \"v/a.mp4\"]}");
    ft_video_list list = {0};
    char err[512];
    assert_int_equal(ft_video_list_add_json(&list, "list.json", err, sizeof err), FT_OK);
    assert_string_equal(joined(fx, &list), "v/c.mkv|v/a.mp4");
    ft_video_list_free(&list);
}

/* The error for CONTENT written to bad.json; the list is left untouched. */
static ft_status json_error(const char *content, char *err, size_t err_size)
{
    write_text("bad.json", content);
    ft_video_list list = {0};
    assert_int_equal(ft_video_list_add(&list, "v/a.mp4", NULL, 0), FT_OK);
    ft_status st = ft_video_list_add_json(&list, "bad.json", err, err_size);
    assert_int_equal(list.count, 1);
    assert_string_equal(list.paths[0], "v/a.mp4");
    /* The entries added before the failure were taken back, so adding them
     * again is not a duplicate. */
    assert_int_equal(ft_video_list_add(&list, "v/b.mov", NULL, 0), FT_OK);
    assert_int_equal(list.count, 2);
    ft_video_list_free(&list);
    return st;
}

static void test_json_bad_shape(void **state)
{
    fixture *fx = *state;
    make_videos(fx);
    static const char *const shapes[] = {"{\"paths\": [\"v/a.mp4\"]}", "{\"videos\": \"v/a.mp4\"}",
                                         "\"v/a.mp4\"", "42", "null", "{}"};
    char err[512];
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
        assert_int_equal(json_error(shapes[i], err, sizeof err), FT_ERR_FORMAT);
        assert_string_equal(err, "bad.json: expected a JSON array of paths or {\"videos\": [...]}");
    }
    assert_int_equal(json_error("[\"v/b.mov\", 3]", err, sizeof err), FT_ERR_FORMAT);
    assert_string_equal(err, "bad.json: entry 2: expected a path (a string)");
    assert_int_equal(json_error("{\"videos\": [\"v/b.mov\", null]}", err, sizeof err),
                     FT_ERR_FORMAT);
    assert_string_equal(err, "bad.json: entry 2: expected a path (a string)");
    assert_int_equal(json_error("[\"v/b\\u0000.mov\"]", err, sizeof err), FT_ERR_FORMAT);
}

static void test_json_parse_errors(void **state)
{
    fixture *fx = *state;
    make_videos(fx);
    char err[512];
    assert_int_equal(json_error("[\"v/a.mp4\",\n \"v/b.mov\"", err, sizeof err), FT_ERR_FORMAT);
    assert_string_equal(err, "bad.json: invalid JSON: unexpected end of file");
    assert_int_equal(json_error("", err, sizeof err), FT_ERR_FORMAT);
    assert_string_equal(err, "bad.json: invalid JSON: unexpected end of file");
    /* json-c's own reason, after the line. */
    assert_int_equal(json_error("[\n\"v/a.mp4\",\n oops]", err, sizeof err), FT_ERR_FORMAT);
    assert_int_equal(strncmp(err, "bad.json: invalid JSON at line 3: ", 34), 0);
    assert_true(strlen(err) > 34);
    /* Strict, as Python's json was: no trailing comma, no second value. */
    assert_int_equal(json_error("[\"v/a.mp4\",]", err, sizeof err), FT_ERR_FORMAT);
    assert_int_equal(strncmp(err, "bad.json: invalid JSON at line 1: ", 34), 0);
    assert_int_equal(json_error("[\"v/a.mp4\"]\n[]", err, sizeof err), FT_ERR_FORMAT);
    assert_int_equal(strncmp(err, "bad.json: invalid JSON at line 2: ", 34), 0);
    write_bytes("bad.json", "[\"v/a.mp4\"]\0", 12);
    ft_video_list list = {0};
    assert_int_equal(ft_video_list_add_json(&list, "bad.json", err, sizeof err), FT_ERR_FORMAT);
    assert_string_equal(err, "bad.json: invalid JSON: a NUL byte");
}

static void test_json_missing(void **state)
{
    fixture *fx = *state;
    make_videos(fx);
    char err[512];
    assert_int_equal(json_error("[\"v/b.mov\", \"v/gone.mp4\", \"v/c.mkv\"]", err, sizeof err),
                     FT_ERR_NOT_FOUND);
    assert_string_equal(err, "bad.json: entry 2: v/gone.mp4: no such file or folder");

    ft_video_list list = {0};
    assert_int_equal(ft_video_list_add_json(&list, "absent.json", err, sizeof err),
                     FT_ERR_NOT_FOUND);
    assert_string_equal(err, "absent.json: no such file");
    assert_int_equal(ft_video_list_add_json(&list, "v", err, sizeof err), FT_ERR_IO);
    assert_int_equal(strncmp(err, "v: ", 3), 0);
    assert_int_equal(list.count, 0);
}

/* List files must be regular files of at most 64 MiB: a link to /dev/zero,
 * a FIFO (which must not block) and a huge file are refused at once. */
static void test_json_bounded(void **state)
{
    make_videos(*state); /* and into the fixture's folder */
    char err[512];
    ft_video_list list = {0};
    assert_int_equal(symlink("/dev/zero", "zero.json"), 0);
    assert_int_equal(ft_video_list_add_json(&list, "zero.json", err, sizeof err), FT_ERR_IO);
    assert_non_null(strstr(err, "zero.json: not a regular file"));
    assert_int_equal(mkfifo("fifo.json", 0600), 0);
    assert_int_equal(ft_video_list_add_json(&list, "fifo.json", err, sizeof err), FT_ERR_IO);
    assert_non_null(strstr(err, "fifo.json: not a regular file"));
    FILE *f = fopen("big.json", "wb");
    assert_non_null(f);
    assert_int_equal(ftruncate(fileno(f), (off_t)FT_VIDEO_LIST_MAX_BYTES + 1), 0);
    fclose(f);
    assert_int_equal(ft_video_list_add_json(&list, "big.json", err, sizeof err), FT_ERR_IO);
    assert_string_equal(err, "big.json: too large for a list of videos (over 64 MiB)");
    assert_int_equal(list.count, 0);
}

static char rejected_line[1024];
static void on_reject(const void *user, const char *message)
{
    assert_string_equal(user, "me");
    snprintf(rejected_line, sizeof rejected_line, "%s", message);
}

/* With on_reject, a missing entry is reported and the others are kept. */
static void test_json_reject(void **state)
{
    fixture *fx = *state;
    make_videos(fx);
    write_text("some.json", "[\"v/b.mov\", \"v/gone.mp4\", \"v/c.mkv\"]");
    ft_video_list list = {.on_reject = on_reject, .reject_user = "me"};
    char err[512];
    assert_int_equal(ft_video_list_add_json(&list, "some.json", err, sizeof err), FT_OK);
    assert_string_equal(joined(fx, &list), "v/b.mov|v/c.mkv");
    assert_int_equal(list.rejected, 1);
    assert_string_equal(rejected_line, "some.json: entry 2: v/gone.mp4: no such file or folder");
    ft_video_list_free(&list);
}

/* -------------------------------------------------------------- shards */

static void make_list(fixture *fx, ft_video_list *list, int n)
{
    for (int i = 0; i < n; i++) {
        char rel[32];
        snprintf(rel, sizeof rel, "%02d.mp4", i);
        write_text(in_dir(fx, rel), "");
        assert_int_equal(ft_video_list_add(list, in_dir(fx, rel), NULL, 0), FT_OK);
    }
}

static void test_shard(void **state)
{
    fixture *fx = *state;
    ft_video_list list = {0};
    make_list(fx, &list, 8);
    ft_video_list_shard(&list, 2, 3);
    assert_string_equal(joined(fx, &list), "01.mp4|04.mp4|07.mp4");
    /* What was dropped may come back; what was kept is still a duplicate. */
    assert_int_equal(ft_video_list_add(&list, in_dir(fx, "00.mp4"), NULL, 0), FT_OK);
    assert_int_equal(ft_video_list_add(&list, in_dir(fx, "04.mp4"), NULL, 0), FT_OK);
    assert_string_equal(joined(fx, &list), "01.mp4|04.mp4|07.mp4|00.mp4");
    ft_video_list_free(&list);

    /* Every entry lands in exactly one of the N slices. */
    for (int k = 1; k <= 3; k++) {
        make_list(fx, &list, 8);
        ft_video_list_shard(&list, k, 3);
        assert_int_equal(list.count, k == 3 ? 2 : 3);
        ft_video_list_free(&list);
    }
    make_list(fx, &list, 2);
    ft_video_list_shard(&list, 3, 3); /* more slices than videos */
    assert_int_equal(list.count, 0);
    ft_video_list_free(&list);

    /* 1/1 keeps all; out-of-range slices change nothing. */
    make_list(fx, &list, 4);
    ft_video_list_shard(&list, 1, 1);
    ft_video_list_shard(&list, 0, 2);
    ft_video_list_shard(&list, 3, 2);
    ft_video_list_shard(&list, 1, 0);
    assert_int_equal(list.count, 4);
    ft_video_list_free(&list);
    ft_video_list_shard(&list, 1, 2); /* empty */
    ft_video_list_shard(NULL, 1, 2);
}

/* Many files: the duplicate index grows past its first sizes. */
static void test_many(void **state)
{
    fixture *fx = *state;
    make_dir(in_dir(fx, "many"));
    for (int i = 0; i < 300; i++) {
        char rel[64];
        snprintf(rel, sizeof rel, "many/%03d.webm", i);
        write_text(in_dir(fx, rel), "");
    }
    ft_video_list list = {0};
    assert_int_equal(ft_video_list_add(&list, in_dir(fx, "many"), NULL, 0), FT_OK);
    assert_int_equal(ft_video_list_add(&list, in_dir(fx, "many/"), NULL, 0), FT_OK);
    assert_int_equal(ft_video_list_add(&list, in_dir(fx, "many/123.webm"), NULL, 0), FT_OK);
    assert_int_equal(list.count, 300);
    for (size_t i = 0; i < list.count; i++) {
        char rel[64];
        snprintf(rel, sizeof rel, "many/%03zu.webm", i);
        assert_string_equal(list.paths[i], in_dir(fx, rel));
    }
    ft_video_list_free(&list);
}

/* -------------------------------------------------------- output names */

static void expect_output(const char *video, const char *dir, const char *suffix,
                          const char *expected)
{
    char out[256];
    assert_int_equal(ft_output_path(video, dir, suffix, out, sizeof out), FT_OK);
    assert_string_equal(out, expected);
}

static void test_output_path(void **state)
{
    (void)state;
    expect_output("/data/p/clip.mp4", NULL, ".json", "/data/p/clip.json");
    expect_output("/data/p/clip.mp4", "", "_tracking.json", "/data/p/clip_tracking.json");
    expect_output("/data/p/clip.mp4", "/out", ".json", "/out/clip.json");
    expect_output("/data/p/clip.mp4", "/out/", ".json", "/out/clip.json");
    expect_output("/data/p/my.clip.v2.MOV", "out", ".json", "out/my.clip.v2.json");
    expect_output("clip.mkv", NULL, ".json", "clip.json");
    expect_output("clip.mkv", "o", NULL, "o/clip");
    expect_output("/clip.webm", NULL, ".json", "/clip.json");
    expect_output("d.ir/noext", NULL, ".json", "d.ir/noext.json");
    expect_output("d/.hidden", NULL, ".json", "d/.hidden.json"); /* as Python's stem */
    expect_output("d/trailing.", NULL, ".json", "d/trailing..json");

    char out[16];
    assert_int_equal(ft_output_path("/data/p/a_long_name.mp4", NULL, ".json", out, sizeof out),
                     FT_ERR_INVALID_ARG);
    assert_string_equal(out, "");
    assert_int_equal(ft_output_path("/data/p/", NULL, ".json", out, sizeof out),
                     FT_ERR_INVALID_ARG);
    assert_int_equal(ft_output_path(NULL, NULL, ".json", out, sizeof out), FT_ERR_INVALID_ARG);
    assert_int_equal(ft_output_path("a.mp4", NULL, ".json", NULL, 0), FT_ERR_INVALID_ARG);
}

/* ------------------------------------------------ output completeness */

static const char raw_compact[] =
    "{\"metadata\":{\"video_path\":\"/v/a \\\"b\\\".mp4\",\"total_frames\":3,\"fps\":25.0},"
    "\"frames\":[{\"frame\":1,\"tracked_objects\":[]},"
    "{\"frame\":2,\"tracked_objects\":[{\"id\":\"obj_1\",\"centroid_x\":10,\"frame\":99,"
    "\"confidence\":-1.5e-3,\"blendshapes\":null,\"is_speaking\":true,\"label\":\"\\u00e9\\\\\"}]},"
    "{\"tracked_objects\":[],\"frame\":3}]}";

static const char raw_indented[] = "{\n"
                                   "  \"metadata\": {\n"
                                   "    \"video_path\": \"/v/a.mp4\",\n"
                                   "    \"total_frames\": 2,\n"
                                   "    \"fps\": 25.0,\n"
                                   "    \"tracking_engine\": \"insightface\"\n"
                                   "  },\n"
                                   "  \"frames\": [\n"
                                   "    {\n"
                                   "      \"frame\": 1,\n"
                                   "      \"tracked_objects\": []\n"
                                   "    },\n"
                                   "    {\n"
                                   "      \"frame\": 2,\n"
                                   "      \"tracked_objects\": [\n"
                                   "        {\n"
                                   "          \"id\": \"obj_1\",\n"
                                   "          \"blendshapes\": {\"jawOpen\": 0.4, \"frame\": 7},\n"
                                   "          \"speaking_confidence\": NaN\n"
                                   "        }\n"
                                   "      ]\n"
                                   "    }\n"
                                   "  ]\n"
                                   "}\n";

/* The reduced format: its totals come after the frame list. */
static const char reduced[] =
    "{\"frames_analysis\": [{\"frame\": 1, \"tracked_objects\": []},\n"
    " {\"frame\": 2, \"tracked_objects\": [{\"id\": \"obj_4\", \"centroid_x\": 1202,"
    " \"source\": \"face_landmarker\", \"label\": \"face\","
    " \"active_speakers\": [\"SPEAKER_00\"]}]}],\n"
    " \"fps\": 25.0, \"total_frames\": 2,\n"
    " \"temporal_alignment\": {\"video_total_frames\": 2, \"audio_total_frames\": 3,"
    " \"video_fps\": 25.0, \"audio_fps\": 25.0, \"warnings\": [\"frame_count_mismatch\"]}}\n";

static int complete_text(const fixture *fx, const char *text)
{
    const char *path = in_dir(fx, "out.json");
    write_text(path, text);
    return ft_tracking_output_complete(path);
}

static void test_complete_forms(void **state)
{
    fixture *fx = *state;
    assert_true(complete_text(fx, raw_compact));
    assert_true(complete_text(fx, raw_indented));
    assert_true(complete_text(fx, reduced));
    assert_true(complete_text(fx, "{\"metadata\":{\"total_frames\":0},\"frames\":[]}"));
    assert_true(complete_text(fx, "{\"frames_analysis\":[],\"total_frames\":0}"));
    assert_true(complete_text(fx, " \r\n\t{\"total_frames\":1,\"frames\":[{\"frame\":1}]} \n\n"));
    /* metadata's total wins over a top-level one; "frames" over "frames_analysis". */
    assert_true(complete_text(fx, "{\"total_frames\":5,\"metadata\":{\"total_frames\":1},"
                                  "\"frames\":[{\"frame\":1}]}"));
    assert_true(complete_text(fx, "{\"total_frames\":1,\"frames\":[{\"frame\":1}],"
                                  "\"frames_analysis\":[{\"frame\":4}]}"));
    assert_true(complete_text(fx, "{\"total_frames\":1,\"frames\":[{\"frame\":-Infinity},"
                                  "{\"frame\":1,\"x\":[Infinity,true,false,null,0,-0.0,1E+2]}]}"));
}

/* An output is complete for the video it came from, not for another of
 * the same stem: raw outputs by metadata.video_path's file name. */
static void test_complete_source(void **state)
{
    fixture *fx = *state;
    const char *path = in_dir(fx, "y.json");
    write_text(path, "{\"metadata\":{\"video_path\":\"/m/y.mkv\",\"total_frames\":1},"
                     "\"frames\":[{\"frame\":1}]}");
    assert_true(ft_tracking_output_complete(path));
    assert_true(ft_tracking_output_complete_for(path, "/m/y.mkv"));
    assert_true(ft_tracking_output_complete_for(path, "elsewhere/y.mkv")); /* a moved folder */
    assert_false(ft_tracking_output_complete_for(path, "/m/y.mp4"));
    /* Escaped as JSON: "\u00e9t\u00e9\/x" is "été/x". */
    write_text(path, "{\"metadata\":{\"total_frames\":1,\"video_path\":\"/m/\\u00e9t\\u00e9.mp4\"},"
                     "\"frames\":[{\"frame\":1}]}");
    assert_true(ft_tracking_output_complete_for(path, "m/\xc3\xa9t\xc3\xa9.mp4"));
    assert_false(ft_tracking_output_complete_for(path, "m/ete.mp4"));
    /* No source recorded: complete (older outputs). */
    write_text(path, "{\"metadata\":{\"total_frames\":1},\"frames\":[{\"frame\":1}]}");
    assert_true(ft_tracking_output_complete_for(path, "/m/y.mp4"));
    /* The reduced format: the extended attribute, where kept. */
    write_text(path, "{\"frames_analysis\":[{\"frame\":1}],\"total_frames\":1}");
    if (setxattr(path, FT_OUTPUT_SOURCE_XATTR, "/m/y.mkv", 8, 0) == 0) {
        assert_true(ft_tracking_output_complete_for(path, "/m/y.mkv"));
        assert_false(ft_tracking_output_complete_for(path, "/m/y.mp4"));
    }
}

static void test_incomplete_forms(void **state)
{
    fixture *fx = *state;
    static const char *const bad[] = {
        /* short: frames end before total_frames */
        "{\"metadata\":{\"total_frames\":1701},\"frames\":[{\"frame\":951}]}",
        /* no total, a negative or non-integer one, no frame list */
        "{\"frames\":[{\"frame\":1}]}",
        "{\"total_frames\":-1,\"frames\":[]}",
        "{\"total_frames\":1.0,\"frames\":[{\"frame\":1}]}",
        "{\"total_frames\":\"1\",\"frames\":[{\"frame\":1}]}",
        "{\"total_frames\":0}",
        "{\"total_frames\":0,\"frames\":{}}",
        /* the last entry's frame missing, not an integer, or the entry not an object */
        "{\"total_frames\":1,\"frames\":[{\"frame\":1},{}]}",
        "{\"total_frames\":1,\"frames\":[{\"frame\":1.0}]}",
        "{\"total_frames\":1,\"frames\":[{\"frame\":1},1]}",
        "{\"total_frames\":1,\"frames\":[{\"frame\":1},{\"x\":{\"frame\":1}}]}",
        /* an empty list with frames expected */
        "{\"total_frames\":3,\"frames\":[]}",
        /* keys that only look alike */
        "{\"total_frames\":1,\"frames \":[{\"frame\":1}]}",
        "{\"total_frame\\u0073\":1,\"frames\":[{\"frame\":1}]}",
        "{\"x\":{\"total_frames\":1},\"frames\":[{\"frame\":1}]}",
        /* a later duplicate wins */
        "{\"total_frames\":1,\"frames\":[{\"frame\":1}],\"total_frames\":2}",
        "{\"total_frames\":1,\"frames\":[{\"frame\":1}],\"frames\":[{\"frame\":2}]}",
        "{\"total_frames\":1,\"frames\":[{\"frame\":1,\"frame\":2}]}",
        /* not one whole object */
        "[{\"total_frames\":0,\"frames\":[]}]",
        "{\"total_frames\":0,\"frames\":[]}{}",
        "{\"total_frames\":0,\"frames\":[]},",
        "{\"total_frames\":0,\"frames\":[]} x",
        "",
        "   ",
        "\xef\xbb\xbf{\"total_frames\":0,\"frames\":[]}",
        /* syntax errors after a complete-looking start */
        "{\"total_frames\":0,\"frames\":[],}",
        "{\"total_frames\":0,\"frames\":[],\"x\":[1,]}",
        "{\"total_frames\":0,\"frames\":[],\"x\":01}",
        "{\"total_frames\":0,\"frames\":[],\"x\":1.}",
        "{\"total_frames\":0,\"frames\":[],\"x\":.5}",
        "{\"total_frames\":0,\"frames\":[],\"x\":1e}",
        "{\"total_frames\":0,\"frames\":[],\"x\":-}",
        "{\"total_frames\":0,\"frames\":[],\"x\":+1}",
        "{\"total_frames\":0,\"frames\":[],\"x\":tru}",
        "{\"total_frames\":0,\"frames\":[],\"x\":True}",
        "{\"total_frames\":0,\"frames\":[],\"x\":nan}",
        "{\"total_frames\":0,\"frames\":[],\"x\":\"a\\x\"}",
        "{\"total_frames\":0,\"frames\":[],\"x\":\"\\u12g4\"}",
        "{\"total_frames\":0,\"frames\":[],\"x\":\"tab\there\"}",
        "{\"total_frames\":0,\"frames\":[],\"x\":[}",
        "{\"total_frames\":0,\"frames\":[],\"x\":{]}",
        "{\"total_frames\":0,\"frames\":[],\"x\" 1}",
        "{\"total_frames\":0,\"frames\":[],1:1}",
        "{\"total_frames\":0,\"frames\":[]]",
        "{\"total_frames\":0 \"frames\":[]}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (complete_text(fx, bad[i]))
            fail_msg("taken as complete: %s", bad[i]);
    }
    assert_false(ft_tracking_output_complete(in_dir(fx, "absent.json")));
    assert_false(ft_tracking_output_complete(fx->dir)); /* a folder */
    assert_false(ft_tracking_output_complete(NULL));

    /* A NUL byte is no white space. */
    static const char nul[] = "{\"total_frames\":0,\"frames\":[]}\0";
    write_bytes(in_dir(fx, "out.json"), nul, sizeof nul - 1);
    assert_false(ft_tracking_output_complete(in_dir(fx, "out.json")));
}

/* Every cut of TEXT before its final '}' is incomplete; cuts after it only
 * lose white space. */
static void expect_every_cut(const fixture *fx, const char *text)
{
    const char *path = in_dir(fx, "cut.json");
    size_t len = strlen(text);
    size_t last = (size_t)(strrchr(text, '}') - text);
    for (size_t cut = 0; cut <= len; cut++) {
        write_bytes(path, text, cut);
        int expected = cut > last;
        if (ft_tracking_output_complete(path) != expected)
            fail_msg("cut at %zu of %zu: expected %s", cut, len,
                     expected ? "complete" : "incomplete");
    }
}

static void test_truncated_everywhere(void **state)
{
    fixture *fx = *state;
    expect_every_cut(fx, raw_compact);
    expect_every_cut(fx, raw_indented);
    expect_every_cut(fx, reduced);
}

/* Deeper than the checker follows: refused, not a crash. */
static void test_deep_nesting(void **state)
{
    fixture *fx = *state;
    size_t depth = 100000;
    char *text = malloc(2 * depth + 64);
    assert_non_null(text);
    size_t n = (size_t)sprintf(text, "{\"total_frames\":0,\"frames\":[],\"x\":");
    memset(text + n, '[', depth);
    memset(text + n + depth, ']', depth);
    strcpy(text + n + 2 * depth, "}");
    assert_false(complete_text(fx, text));
    /* 200 levels are fine. */
    n = (size_t)sprintf(text, "{\"total_frames\":0,\"frames\":[],\"x\":");
    memset(text + n, '[', 200);
    memset(text + n + 200, ']', 200);
    strcpy(text + n + 400, "}");
    assert_true(complete_text(fx, text));
    free(text);
}

/* A file over several read chunks, with tokens cut at chunk edges. */
static void test_large_file(void **state)
{
    fixture *fx = *state;
    const char *path = in_dir(fx, "big.json");
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    int total = 20000;
    fprintf(f, "{\"metadata\": {\"video_path\": \"x.mp4\", \"total_frames\": %d, \"fps\": 25.0},\n"
               " \"frames\": [\n", total);
    for (int i = 1; i <= total; i++)
        fprintf(f, "  {\"frame\": %d, \"tracked_objects\": [{\"id\": \"obj_%d\","
                   " \"centroid_x\": %d, \"label\": \"face \\\"%d\\\"\","
                   " \"blendshapes\": {\"jawOpen\": %.17g}}]}%s\n",
                i, i % 7, i % 1920, i, i * 1e-7, i < total ? "," : "");
    fprintf(f, " ]\n}\n");
    assert_int_equal(fclose(f), 0);
    assert_true(ft_tracking_output_complete(path));
    /* Cut just before the end. */
    struct stat sb;
    assert_int_equal(stat(path, &sb), 0);
    assert_int_equal(truncate(path, sb.st_size - 3), 0);
    assert_false(ft_tracking_output_complete(path));
}

/* The real outputs of the original system, when the shared folder is here. */
static const char *shared_path(const char *rel)
{
    static char path[2048];
    const char *dir = getenv("FT_SHARED_DIR");
    snprintf(path, sizeof path, "%s/%s", dir && *dir ? dir : "../shared", rel);
    return path;
}

static void test_reference_outputs(void **state)
{
    (void)state;
    const char *raw =
        shared_path("reference/original/raw_step5_insightface_run_IDLT_RS_alpha.json");
    if (access(raw, R_OK) != 0) {
        printf("SKIP: %s not found (the shared test data)\n", raw);
        skip();
    }
    assert_true(ft_tracking_output_complete(raw));
    /* An excerpt: 40 frames of a file whose metadata says 1701. */
    assert_false(ft_tracking_output_complete(
        shared_path("reference/original/raw_step5_mediapipe_faces_excerpt_Goonies.json")));
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_video_names),        T(test_folder_scan),
        T(test_link_web),           T(test_folder_trailing_slash),
        T(test_missing_path),
        T(test_json_array),         T(test_json_videos_object),
        T(test_json_bad_shape),     T(test_json_parse_errors),
        T(test_json_missing),       T(test_shard),
        T(test_json_bounded),       T(test_json_reject),
        T(test_complete_source),
        T(test_many),               T(test_output_path),
        T(test_complete_forms),     T(test_incomplete_forms),
        T(test_truncated_everywhere), T(test_deep_nesting),
        T(test_large_file),         T(test_reference_outputs),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
