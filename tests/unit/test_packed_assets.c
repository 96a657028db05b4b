/* Members of npm packed assets through ft_model_bytes_read: a small
 * hand-made .data with its loader, malformed loaders and offsets (one-line
 * errors), and, when scripts/models.sh has run, the real face_mesh package
 * against the files it extracted. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "nn/model_file.h"

static char dir[256];

static void write_file(const char *name, const char *text, size_t n)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, n, f), n);
    fclose(f);
}

static void loader(const char *files)
{
    char js[1024];
    int n = snprintf(js, sizeof js,
                     "var Module = {};\n(function() { function loadPackage(metadata) {}\n"
                     " loadPackage({\"files\": %s, \"remote_package_size\": 10, \"package_uuid\": \"x\"});\n})();\n",
                     files);
    write_file("pack_loader.js", js, (size_t)n);
}

static ft_status read_member(const char *member, ft_model_bytes *b, char *err, size_t size)
{
    char spec[512];
    snprintf(spec, sizeof spec, "%s/pack.data:%s", dir, member);
    return ft_model_bytes_read(spec, b, err, size);
}

static void expect_error(const char *member, ft_status want, const char *text)
{
    ft_model_bytes b;
    char err[512] = "";
    assert_int_equal(read_member(member, &b, err, sizeof err), want);
    if (!strstr(err, text) || strchr(err, '\n'))
        fail_msg("error '%s' lacks '%s' or is not one line", err, text);
    assert_null(b.data);
}

static void reads_members(void **state)
{
    (void)state;
    write_file("pack.data", "AAAABBBBBB", 10);
    loader("[{\"filename\": \"/m/a.tflite\", \"start\": 0, \"end\": 4},\n"
           " {\"end\": 10, \"filename\": \"/m/b.bin\", \"start\": 4}]");
    ft_model_bytes b;
    char err[512];
    assert_int_equal(read_member("a.tflite", &b, err, sizeof err), FT_OK);
    assert_int_equal(b.size, 4);
    assert_memory_equal(b.data, "AAAA", 4);
    ft_model_bytes_free(&b);
    assert_int_equal(read_member("/m/b.bin", &b, err, sizeof err), FT_OK);
    assert_int_equal(b.size, 6);
    assert_memory_equal(b.data, "BBBBBB", 6);
    ft_model_bytes_free(&b);
    expect_error("c.bin", FT_ERR_NOT_FOUND, "no member 'c.bin'");
    expect_error("b.tflite", FT_ERR_NOT_FOUND, "no member"); /* a suffix is not a name */
}

static void bad_offsets_and_loaders_fail_cleanly(void **state)
{
    (void)state;
    write_file("pack.data", "AAAABBBBBB", 10);
    loader("[{\"filename\": \"/m/a.tflite\", \"start\": 4, \"end\": 11}]");
    expect_error("a.tflite", FT_ERR_FORMAT, "outside the 10-byte file");
    loader("[{\"filename\": \"/m/a.tflite\", \"start\": 5, \"end\": 4}]");
    expect_error("a.tflite", FT_ERR_FORMAT, "outside");
    loader("[{\"filename\": \"/m/a.tflite\", \"start\": 0, \"end\": 99999999999999999999999}]");
    expect_error("a.tflite", FT_ERR_FORMAT, "malformed packed-assets loader");
    loader("[{\"filename\": \"/m/a.tflite\", \"start\": -1, \"end\": 4}]");
    expect_error("a.tflite", FT_ERR_FORMAT, "malformed packed-assets loader");
    loader("[{\"filename\": \"/m/a.tflite\", \"start\": 0}]");
    expect_error("a.tflite", FT_ERR_FORMAT, "malformed packed-assets loader");
    loader("[{\"filename\": \"/m/a.tflite\", \"start\": 0, \"end\": 4}");
    expect_error("zzz", FT_ERR_FORMAT, "malformed packed-assets loader");
    write_file("pack_loader.js", "loadPackage({});", 16);
    expect_error("a.tflite", FT_ERR_FORMAT, "malformed packed-assets loader");
    /* Every truncation of a good loader fails cleanly or finds nothing. */
    static const char good[] = "loadPackage({\"files\": [{\"filename\": \"/m/a\", \"start\": 0, \"end\": 4}]});";
    for (size_t n = 0; n < sizeof good - 1; n++) {
        ft_model_bytes b;
        char err[512];
        write_file("pack_loader.js", good, n);
        ft_status st = read_member("a", &b, err, sizeof err);
        if (st == FT_OK)
            ft_model_bytes_free(&b);
        else
            assert_null(strchr(err, '\n'));
    }
    char path[512];
    snprintf(path, sizeof path, "%s/pack_loader.js", dir);
    unlink(path);
    expect_error("a.tflite", FT_ERR_NOT_FOUND, "pack_loader.js");
}

static void npm_face_mesh_package(void **state)
{
    (void)state;
    const char *models = getenv("FT_NPM_MODELS_DIR");
    char data[1024], plain[1024], err[512];
    snprintf(data, sizeof data, "%s/face_mesh_solution_packed_assets.data:face_landmark.tflite",
             models ? models : "build/models");
    snprintf(plain, sizeof plain, "%s/face_landmark.tflite", models ? models : "build/models");
    ft_model_bytes a, b;
    if (ft_model_bytes_read(plain, &b, err, sizeof err) != FT_OK) {
        printf("npm models not installed (%s): skipped this part\n", err);
        return;
    }
    if (ft_model_bytes_read(data, &a, err, sizeof err) != FT_OK)
        fail_msg("%s", err);
    assert_int_equal(a.size, 1241896);
    assert_int_equal(a.size, b.size);
    assert_memory_equal(a.data, b.data, a.size);
    ft_model_bytes_free(&a);
    ft_model_bytes_free(&b);
}

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/ft_packed_XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    static const char *names[] = {"pack.data", "pack_loader.js"};
    for (size_t i = 0; i < 2; i++) {
        char path[512];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        unlink(path);
    }
    return rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(reads_members),
        cmocka_unit_test(bad_offsets_and_loaders_fail_cleanly),
        cmocka_unit_test(npm_face_mesh_package),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
