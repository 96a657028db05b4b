/* Unit tests of atomic output files: the final name appears whole on commit,
 * never on abort, and no temporary file is left behind either way. */
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

#include "base/atomic_file.h"

typedef struct fixture {
    char dir[64];
    char path[128]; /* "<dir>/out.txt" */
} fixture;

static int setup(void **state)
{
    fixture *fx = calloc(1, sizeof *fx);
    if (!fx)
        return -1;
    strcpy(fx->dir, "/tmp/ft_atomic_XXXXXX");
    if (!mkdtemp(fx->dir)) {
        free(fx);
        return -1;
    }
    snprintf(fx->path, sizeof fx->path, "%s/out.txt", fx->dir);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    fixture *fx = *state;
    DIR *d = opendir(fx->dir);
    if (d) {
        struct dirent *e;
        while ((e = readdir(d))) {
            char p[512];
            if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
                snprintf(p, sizeof p, "%s/%s", fx->dir, e->d_name);
                unlink(p);
            }
        }
        closedir(d);
    }
    rmdir(fx->dir);
    free(fx);
    return 0;
}

/* Names in DIR other than . and .., joined by '/' in sorted order. */
static void list_dir(const char *dir, char *out, size_t size)
{
    struct dirent **names;
    int n = scandir(dir, &names, NULL, alphasort);
    assert_true(n >= 0);
    out[0] = '\0';
    for (int i = 0; i < n; i++) {
        if (strcmp(names[i]->d_name, ".") && strcmp(names[i]->d_name, "..")) {
            if (out[0])
                strncat(out, "/", size - strlen(out) - 1);
            strncat(out, names[i]->d_name, size - strlen(out) - 1);
        }
        free(names[i]);
    }
    free(names);
}

static void expect_dir(const fixture *fx, const char *expected)
{
    char names[512];
    list_dir(fx->dir, names, sizeof names);
    assert_string_equal(names, expected);
}

static void expect_content(const char *path, const char *expected)
{
    char buf[256];
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    size_t n = fread(buf, 1, sizeof buf - 1, fp);
    buf[n] = '\0';
    fclose(fp);
    assert_string_equal(buf, expected);
}

static void write_file(const char *path, const char *text)
{
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    fputs(text, fp);
    assert_int_equal(fclose(fp), 0);
}

static void test_commit(void **state)
{
    fixture *fx = *state;
    ft_atomic_file f;
    char err[256];
    assert_int_equal(ft_atomic_file_open(&f, fx->path, err, sizeof err), FT_OK);
    assert_string_equal(err, "");

    /* While open, only the hidden temporary exists, next to the target. */
    char prefix[160];
    snprintf(prefix, sizeof prefix, "%s/.out.txt.tmp-", fx->dir);
    assert_int_equal(strncmp(f.tmp_path, prefix, strlen(prefix)), 0);
    assert_int_equal(strlen(f.tmp_path), strlen(prefix) + 6);
    assert_int_equal(access(fx->path, F_OK), -1);

    fputs("hello\n", f.fp);
    fprintf(f.fp, "%d\n", 42);
    assert_int_equal(ft_atomic_file_commit(&f, err, sizeof err), FT_OK);
    assert_null(f.fp);
    expect_content(fx->path, "hello\n42\n");
    expect_dir(fx, "out.txt");

    struct stat st;
    assert_int_equal(stat(fx->path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0644);

    ft_atomic_file_abort(&f); /* safe after commit; must not remove it */
    expect_content(fx->path, "hello\n42\n");
}

static void test_abort(void **state)
{
    fixture *fx = *state;
    ft_atomic_file f;
    assert_int_equal(ft_atomic_file_open(&f, fx->path, NULL, 0), FT_OK);
    fputs("never seen", f.fp);
    ft_atomic_file_abort(&f);
    expect_dir(fx, "");
    ft_atomic_file_abort(&f); /* twice is harmless */
    expect_dir(fx, "");
}

static void test_replace_existing(void **state)
{
    fixture *fx = *state;
    write_file(fx->path, "old content\n");
    ft_atomic_file f;
    assert_int_equal(ft_atomic_file_open(&f, fx->path, NULL, 0), FT_OK);
    fputs("new content\n", f.fp);
    fflush(f.fp);
    /* Until commit, readers still see the old file whole. */
    expect_content(fx->path, "old content\n");
    assert_int_equal(ft_atomic_file_commit(&f, NULL, 0), FT_OK);
    expect_content(fx->path, "new content\n");
    expect_dir(fx, "out.txt");

    /* Abort keeps the old file untouched. */
    assert_int_equal(ft_atomic_file_open(&f, fx->path, NULL, 0), FT_OK);
    fputs("discarded\n", f.fp);
    ft_atomic_file_abort(&f);
    expect_content(fx->path, "new content\n");
    expect_dir(fx, "out.txt");
}

static void test_missing_directory(void **state)
{
    fixture *fx = *state;
    char path[192];
    snprintf(path, sizeof path, "%s/no/such/dir/out.txt", fx->dir);
    ft_atomic_file f;
    char err[512];
    assert_int_equal(ft_atomic_file_open(&f, path, err, sizeof err), FT_ERR_NOT_FOUND);
    char expected[256];
    snprintf(expected, sizeof expected, "%s: cannot create temporary file: ", path);
    assert_int_equal(strncmp(err, expected, strlen(expected)), 0);
    assert_true(strlen(err) > strlen(expected));
    assert_null(strchr(err, '\n'));
    assert_null(f.fp);
    ft_atomic_file_abort(&f); /* safe after a failed open */
    expect_dir(fx, "");

    /* A short buffer still gets a terminated prefix of the message. */
    char tiny[8];
    assert_int_equal(ft_atomic_file_open(&f, path, tiny, sizeof tiny), FT_ERR_NOT_FOUND);
    assert_int_equal(strlen(tiny), sizeof tiny - 1);
}

static void test_write_failure(void **state)
{
    fixture *fx = *state;
    ft_atomic_file f;
    char err[512];
    assert_int_equal(ft_atomic_file_open(&f, fx->path, err, sizeof err), FT_OK);
    fputs("partial", f.fp);
    /* Reading a write-only stream sets its error flag, as a failed write
     * would; commit must refuse to publish the file. */
    assert_int_equal(fgetc(f.fp), EOF);
    assert_true(ferror(f.fp));
    assert_int_equal(ft_atomic_file_commit(&f, err, sizeof err), FT_ERR_IO);
    char expected[256];
    snprintf(expected, sizeof expected, "%s: write failed: ", fx->path);
    assert_int_equal(strncmp(err, expected, strlen(expected)), 0);
    assert_null(strchr(err, '\n'));
    expect_dir(fx, "");
    ft_atomic_file_abort(&f);
}

static void test_relative_path(void **state)
{
    fixture *fx = *state;
    char cwd[4096];
    assert_non_null(getcwd(cwd, sizeof cwd));
    assert_int_equal(chdir(fx->dir), 0);
    ft_atomic_file f;
    ft_status open_status = ft_atomic_file_open(&f, "plain.txt", NULL, 0);
    if (open_status == FT_OK) {
        fputs("x", f.fp);
        open_status = ft_atomic_file_commit(&f, NULL, 0);
    }
    assert_int_equal(chdir(cwd), 0);
    assert_int_equal(open_status, FT_OK);
    expect_dir(fx, "plain.txt");
}

static void test_invalid_arguments(void **state)
{
    fixture *fx = *state;
    ft_atomic_file f;
    char err[256];
    char path[128];
    snprintf(path, sizeof path, "%s/", fx->dir);
    assert_int_equal(ft_atomic_file_open(&f, path, err, sizeof err), FT_ERR_INVALID_ARG);
    assert_int_equal(strncmp(err, path, strlen(path)), 0);
    assert_int_equal(ft_atomic_file_open(&f, NULL, err, sizeof err), FT_ERR_INVALID_ARG);
    assert_int_equal(ft_atomic_file_open(NULL, fx->path, err, sizeof err), FT_ERR_INVALID_ARG);
    memset(&f, 0, sizeof f);
    assert_int_equal(ft_atomic_file_commit(&f, err, sizeof err), FT_ERR_INVALID_ARG);
    assert_int_equal(ft_atomic_file_commit(NULL, NULL, 0), FT_ERR_INVALID_ARG);
    ft_atomic_file_abort(NULL);
    expect_dir(fx, "");
}

/* A name as long as NAME_MAX still gets a temporary name within it. */
static void test_long_name(void **state)
{
    fixture *fx = *state;
    char name[256], path[512];
    memset(name, 'a', 250);
    strcpy(name + 250, ".json"); /* 255 bytes */
    snprintf(path, sizeof path, "%s/%s", fx->dir, name);
    ft_atomic_file f, g;
    char err[256];
    assert_int_equal(ft_atomic_file_open(&f, path, err, sizeof err), FT_OK);
    assert_int_equal(ft_atomic_file_open(&g, path, err, sizeof err), FT_OK);
    const char *base = strrchr(f.tmp_path, '/') + 1;
    assert_true(strlen(base) <= 255);
    assert_string_not_equal(f.tmp_path, g.tmp_path); /* still unique */
    char prefix[256];
    assert_int_equal(ft_atomic_file_tmp_prefix(path, prefix, sizeof prefix), 0);
    assert_int_equal(strncmp(base, prefix, strlen(prefix)), 0);
    ft_atomic_file_abort(&g);
    fputs("x", f.fp);
    assert_int_equal(ft_atomic_file_commit(&f, err, sizeof err), FT_OK);
    expect_content(path, "x");
    unlink(path);
}

/* Stale temporary files (nobody holds them locked) of the given outputs are
 * removed; a live writer's, and those of other names, are kept. */
static void test_remove_stale(void **state)
{
    fixture *fx = *state;
    char stale[256], other[256];
    snprintf(stale, sizeof stale, "%s/.out.txt.tmp-AbC123", fx->dir);
    snprintf(other, sizeof other, "%s/.other.txt.tmp-AbC123", fx->dir);
    write_file(stale, "old");
    write_file(other, "old");
    ft_atomic_file live;
    char err[256];
    assert_int_equal(ft_atomic_file_open(&live, fx->path, err, sizeof err), FT_OK);
    const char *paths[] = {fx->path};
    assert_int_equal(ft_atomic_file_remove_stale(paths, 1), 1);
    assert_int_equal(access(stale, F_OK), -1);
    assert_int_equal(access(live.tmp_path, F_OK), 0);
    assert_int_equal(access(other, F_OK), 0);
    fputs("new", live.fp);
    assert_int_equal(ft_atomic_file_commit(&live, err, sizeof err), FT_OK);
    expect_content(fx->path, "new");

    /* Under a root, recursively: any stale one goes, a live one stays. */
    char sub[128], deep[256];
    snprintf(sub, sizeof sub, "%s/sub", fx->dir);
    assert_int_equal(mkdir(sub, 0755), 0);
    snprintf(deep, sizeof deep, "%s/.v.json.tmp-XyZ789", sub);
    write_file(deep, "old");
    assert_int_equal(ft_atomic_file_open(&live, fx->path, err, sizeof err), FT_OK);
    assert_int_equal(ft_atomic_file_remove_stale_under(fx->dir), 2); /* deep and other */
    assert_int_equal(access(deep, F_OK), -1);
    assert_int_equal(access(other, F_OK), -1);
    assert_int_equal(access(live.tmp_path, F_OK), 0);
    ft_atomic_file_abort(&live);
    rmdir(sub);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_commit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_abort, setup, teardown),
        cmocka_unit_test_setup_teardown(test_replace_existing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_missing_directory, setup, teardown),
        cmocka_unit_test_setup_teardown(test_write_failure, setup, teardown),
        cmocka_unit_test_setup_teardown(test_relative_path, setup, teardown),
        cmocka_unit_test_setup_teardown(test_invalid_arguments, setup, teardown),
        cmocka_unit_test_setup_teardown(test_long_name, setup, teardown),
        cmocka_unit_test_setup_teardown(test_remove_stale, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
