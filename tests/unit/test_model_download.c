/* Unit tests of ft_model_download against a local HTTP server on 127.0.0.1
 * (never the internet): the file appears only whole and with the pinned
 * SHA-256; every failure leaves the destination as it was and no temporary
 * file behind. */
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
#include <unistd.h>

#include "base/sha256.h"
#include "http_test_server.h"
#include "models/model_download.h"
#include "models/model_registry.h"

#define PAYLOAD_SIZE (300 * 1000) /* several reads on both sides */

typedef struct fixture {
    char dir[64];
    char dest[256];
    uint8_t *payload;
    char pin[FT_SHA256_HEX_SIZE];
    char url[256];
    http_test_server *server;
    /* seen by the midway hook, on the server thread */
    int dest_existed_midway;
    int temp_existed_midway;
} fixture;

static void hash_bytes(const void *data, size_t size, char hex[FT_SHA256_HEX_SIZE])
{
    ft_sha256 *h = ft_sha256_new();
    assert_non_null(h);
    ft_sha256_update(h, data, size);
    ft_sha256_final(h, hex);
    ft_sha256_free(h);
}

static int setup(void **state)
{
    fixture *fx = calloc(1, sizeof *fx);
    if (!fx)
        return -1;
    strcpy(fx->dir, "/tmp/ft_download_XXXXXX");
    if (!mkdtemp(fx->dir))
        return -1;
    snprintf(fx->dest, sizeof fx->dest, "%s/model.bin", fx->dir);
    fx->payload = malloc(PAYLOAD_SIZE);
    if (!fx->payload)
        return -1;
    uint32_t x = 12345;
    for (size_t i = 0; i < PAYLOAD_SIZE; i++) {
        x = x * 1664525u + 1013904223u;
        fx->payload[i] = (uint8_t)(x >> 24);
    }
    hash_bytes(fx->payload, PAYLOAD_SIZE, fx->pin);
    /* A proxy from the environment must not see our 127.0.0.1 requests. */
    setenv("no_proxy", "127.0.0.1", 1);
    setenv("NO_PROXY", "127.0.0.1", 1);
    *state = fx;
    return 0;
}

static void remove_tree(const char *dir)
{
    DIR *d = opendir(dir);
    if (d) {
        struct dirent *e;
        while ((e = readdir(d))) {
            char p[512];
            if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
                continue;
            snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
            struct stat sb;
            if (lstat(p, &sb) == 0 && S_ISDIR(sb.st_mode))
                remove_tree(p);
            else
                unlink(p);
        }
        closedir(d);
    }
    rmdir(dir);
}

static int teardown(void **state)
{
    fixture *fx = *state;
    http_test_server_stop(fx->server);
    remove_tree(fx->dir);
    free(fx->payload);
    free(fx);
    return 0;
}

/* Starts the server with ROUTES and sets fx->url to PATH on it. */
static void serve(fixture *fx, const http_test_route *routes, int count, const char *path)
{
    fx->server = http_test_server_start(routes, count);
    assert_non_null(fx->server);
    snprintf(fx->url, sizeof fx->url, "http://127.0.0.1:%d%s", http_test_server_port(fx->server),
             path);
}

/* Names in DIR other than . and .., joined by '/' in sorted order. */
static void list_dir(const char *dir, char *out, size_t size)
{
    struct dirent **names;
    int n = scandir(dir, &names, NULL, alphasort);
    out[0] = '\0';
    for (int i = 0; i < n; i++) {
        if (strcmp(names[i]->d_name, ".") && strcmp(names[i]->d_name, "..")) {
            if (out[0])
                strncat(out, "/", size - strlen(out) - 1);
            strncat(out, names[i]->d_name, size - strlen(out) - 1);
        }
        free(names[i]);
    }
    if (n >= 0)
        free(names);
}

static void expect_dir(const char *dir, const char *expected)
{
    char names[512];
    list_dir(dir, names, sizeof names);
    assert_string_equal(names, expected);
}

static void expect_file(const char *path, const void *data, size_t size)
{
    struct stat sb;
    assert_int_equal(stat(path, &sb), 0);
    assert_int_equal((size_t)sb.st_size, size);
    uint8_t *got = malloc(size);
    assert_non_null(got);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    assert_int_equal(fread(got, 1, size, f), size);
    fclose(f);
    assert_memory_equal(got, data, size);
    free(got);
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
}

/* Server thread, half-way through the body: the final name must not exist
 * yet, the temporary file beside it must. */
static void look_midway(void *user)
{
    fixture *fx = user;
    char dir[256], names[512];
    snprintf(dir, sizeof dir, "%s/sub/deeper", fx->dir);
    char dest[300];
    snprintf(dest, sizeof dest, "%s/model.bin", dir);
    fx->dest_existed_midway = access(dest, F_OK) == 0;
    list_dir(dir, names, sizeof names);
    fx->temp_existed_midway = strncmp(names, ".model.bin.tmp-", 15) == 0;
}

static void test_good_pull(void **state)
{
    fixture *fx = *state;
    http_test_route r = {.path = "/m/model.bin", .body = fx->payload, .size = PAYLOAD_SIZE,
                         .midway = look_midway, .user = fx};
    serve(fx, &r, 1, "/m/model.bin");
    char dest[300], err[512] = "", sub[256];
    snprintf(sub, sizeof sub, "%s/sub/deeper", fx->dir);
    snprintf(dest, sizeof dest, "%s/model.bin", sub); /* folders made as needed */
    assert_int_equal(ft_model_download(fx->url, fx->pin, dest, err, sizeof err), FT_OK);
    expect_file(dest, fx->payload, PAYLOAD_SIZE);
    expect_dir(sub, "model.bin"); /* no temporary file left */
    assert_false(fx->dest_existed_midway);
    assert_true(fx->temp_existed_midway);
    assert_int_equal(http_test_server_requests(fx->server), 1);
}

static void test_redirect_followed(void **state)
{
    fixture *fx = *state;
    http_test_route r[] = {{.path = "/old", .redirect = "/new/model.bin"},
                           {.path = "/new/model.bin", .body = fx->payload,
                            .size = PAYLOAD_SIZE}};
    serve(fx, r, 2, "/old");
    char err[512] = "";
    assert_int_equal(ft_model_download(fx->url, fx->pin, fx->dest, err, sizeof err), FT_OK);
    expect_file(fx->dest, fx->payload, PAYLOAD_SIZE);
    assert_int_equal(http_test_server_requests(fx->server), 2);
}

static void test_hash_mismatch(void **state)
{
    fixture *fx = *state;
    http_test_route r = {.path = "/m/model.bin", .body = fx->payload, .size = PAYLOAD_SIZE};
    serve(fx, &r, 1, "/m/model.bin");
    write_file(fx->dest, "the old file\n");
    const char *pin = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
    char err[512] = "";
    assert_int_equal(ft_model_download(fx->url, pin, fx->dest, err, sizeof err), FT_ERR_FORMAT);
    /* One line naming the URL and both hashes. */
    assert_non_null(strstr(err, fx->url));
    assert_non_null(strstr(err, fx->pin));
    assert_non_null(strstr(err, pin));
    assert_null(strchr(err, '\n'));
    expect_file(fx->dest, "the old file\n", 13); /* left as it was */
    expect_dir(fx->dir, "model.bin");
}

static void test_not_found(void **state)
{
    fixture *fx = *state;
    http_test_route r = {.path = "/m/model.bin", .body = fx->payload, .size = PAYLOAD_SIZE};
    serve(fx, &r, 1, "/m/other.bin");
    char err[512] = "";
    assert_int_equal(ft_model_download(fx->url, fx->pin, fx->dest, err, sizeof err),
                     FT_ERR_NOT_FOUND);
    assert_non_null(strstr(err, fx->url));
    assert_non_null(strstr(err, "HTTP 404"));
    expect_dir(fx->dir, "");
}

static void test_connection_refused(void **state)
{
    fixture *fx = *state;
    int fd;
    int port = http_test_closed_port(&fd);
    assert_true(port > 0);
    snprintf(fx->url, sizeof fx->url, "http://127.0.0.1:%d/model.bin", port);
    char err[512] = "";
    ft_status st = ft_model_download(fx->url, fx->pin, fx->dest, err, sizeof err);
    close(fd);
    assert_int_equal(st, FT_ERR_IO);
    assert_non_null(strstr(err, fx->url));
    expect_dir(fx->dir, "");
}

static void test_truncated_body(void **state)
{
    fixture *fx = *state;
    http_test_route r = {.path = "/m/model.bin", .body = fx->payload, .size = PAYLOAD_SIZE,
                         .truncate = 1};
    serve(fx, &r, 1, "/m/model.bin");
    char err[512] = "";
    assert_int_equal(ft_model_download(fx->url, fx->pin, fx->dest, err, sizeof err),
                     FT_ERR_TRUNCATED);
    assert_non_null(strstr(err, fx->url));
    assert_non_null(strstr(err, "ended early"));
    expect_dir(fx->dir, "");
}

static void test_already_present(void **state)
{
    fixture *fx = *state;
    http_test_route r = {.path = "/m/model.bin", .body = fx->payload, .size = PAYLOAD_SIZE};
    serve(fx, &r, 1, "/m/model.bin");
    FILE *f = fopen(fx->dest, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(fx->payload, 1, PAYLOAD_SIZE, f), PAYLOAD_SIZE);
    assert_int_equal(fclose(f), 0);
    char err[512] = "";
    assert_int_equal(ft_model_download(fx->url, fx->pin, fx->dest, err, sizeof err), FT_OK);
    assert_int_equal(http_test_server_requests(fx->server), 0); /* nothing fetched */
    expect_dir(fx->dir, "model.bin");
}

static void test_wrong_file_replaced(void **state)
{
    fixture *fx = *state;
    http_test_route r = {.path = "/m/model.bin", .body = fx->payload, .size = PAYLOAD_SIZE};
    serve(fx, &r, 1, "/m/model.bin");
    write_file(fx->dest, "a damaged copy\n");
    char err[512] = "";
    assert_int_equal(ft_model_download(fx->url, fx->pin, fx->dest, err, sizeof err), FT_OK);
    expect_file(fx->dest, fx->payload, PAYLOAD_SIZE);
    expect_dir(fx->dir, "model.bin");
}

static void test_bad_arguments(void **state)
{
    fixture *fx = *state;
    char err[512] = "";
    const char *url = "http://127.0.0.1:1/model.bin";
    assert_int_equal(ft_model_download(url, "abc", fx->dest, err, sizeof err),
                     FT_ERR_INVALID_ARG);
    assert_non_null(strstr(err, "64 hex digits"));
    assert_int_equal(ft_model_download(url, NULL, fx->dest, err, sizeof err), FT_ERR_INVALID_ARG);
    assert_int_equal(ft_model_download(NULL, fx->pin, fx->dest, err, sizeof err),
                     FT_ERR_INVALID_ARG);
    assert_int_equal(ft_model_download(url, fx->pin, "", err, sizeof err), FT_ERR_INVALID_ARG);
    /* Only http and https: a mirror URL cannot read local files. */
    assert_int_equal(ft_model_download("file:///etc/hostname", fx->pin, fx->dest, err, sizeof err),
                     FT_ERR_IO);
    assert_non_null(strstr(err, "file:///etc/hostname"));
    expect_dir(fx->dir, "");
}

/* The registry's pin of face_landmarker.task against the real file (the
 * shared copy is the official float16/1 download). */
static void test_face_landmarker_pin(void **state)
{
    fixture *fx = *state;
    const char *shared = getenv("FT_SHARED_DIR");
    char path[1024];
    snprintf(path, sizeof path, "%s/models/face_landmarker_v2_with_blendshapes.task",
             shared ? shared : "../shared");
    FILE *f = fopen(path, "rb");
    if (!f) {
        printf("SKIP: %s not found\n", path);
        skip();
    }
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    rewind(f);
    assert_true(size > 0);
    uint8_t *bytes = malloc((size_t)size);
    assert_non_null(bytes);
    assert_int_equal(fread(bytes, 1, (size_t)size, f), (size_t)size);
    fclose(f);

    const ft_model_info *m = ft_model_lookup("face_landmarker.task");
    assert_non_null(m);
    http_test_route r = {.path = "/face_landmarker.task", .body = bytes, .size = (size_t)size};
    serve(fx, &r, 1, "/face_landmarker.task");
    char dest[256], err[512] = "";
    snprintf(dest, sizeof dest, "%s/%s", fx->dir, m->file);
    assert_int_equal(ft_model_download(fx->url, m->sha256, dest, err, sizeof err), FT_OK);
    expect_file(dest, bytes, (size_t)size);
    expect_dir(fx->dir, "face_landmarker.task");
    free(bytes);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_good_pull, setup, teardown),
        cmocka_unit_test_setup_teardown(test_redirect_followed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hash_mismatch, setup, teardown),
        cmocka_unit_test_setup_teardown(test_not_found, setup, teardown),
        cmocka_unit_test_setup_teardown(test_connection_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_truncated_body, setup, teardown),
        cmocka_unit_test_setup_teardown(test_already_present, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wrong_file_replaced, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_arguments, setup, teardown),
        cmocka_unit_test_setup_teardown(test_face_landmarker_pin, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
