/* Unit tests of the size-rotated log files: lines kept whole and in order
 * across the files, no file past its limit, the oldest copies dropped,
 * several threads writing at once. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/rotating_log.h"

static char dir[64];

static int setup(void **state)
{
    (void)state;
    strcpy(dir, "/tmp/ft_rotating_log_XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static long file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

/* The numbers of the lines "line N ..." in PATH, appended to OUT. */
static void read_numbers(const char *path, int *out, int *n)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return;
    char line[256];
    while (fgets(line, sizeof line, f)) {
        int k;
        assert_int_equal(sscanf(line, "line %d", &k), 1);
        assert_non_null(strchr(line, '\n')); /* whole lines */
        out[(*n)++] = k;
    }
    fclose(f);
}

static void test_rotation_keeps_order_and_limits(void **state)
{
    (void)state;
    char path[128], err[256];
    snprintf(path, sizeof path, "%s/run.log", dir);
    ft_rotating_log *log;
    assert_int_equal(ft_rotating_log_open(path, 1000, 2, &log, err, sizeof err), FT_OK);
    char line[128];
    for (int i = 0; i < 100; i++) {
        snprintf(line, sizeof line, "line %03d %s", i, "................................................");
        ft_rotating_log_line(log, line); /* 58 bytes with its newline */
    }
    ft_rotating_log_close(log);
    char one[160], two[160], three[160];
    snprintf(one, sizeof one, "%s.1", path);
    snprintf(two, sizeof two, "%s.2", path);
    snprintf(three, sizeof three, "%s.3", path);
    assert_true(file_size(path) > 0 && file_size(path) <= 1000);
    assert_true(file_size(one) > 900 && file_size(one) <= 1000);
    assert_true(file_size(two) > 900 && file_size(two) <= 1000);
    assert_int_equal(file_size(three), -1); /* two backups only */
    int numbers[300], n = 0;
    read_numbers(two, numbers, &n);
    read_numbers(one, numbers, &n);
    read_numbers(path, numbers, &n);
    for (int i = 1; i < n; i++)
        assert_int_equal(numbers[i], numbers[i - 1] + 1); /* oldest first, nothing lost between */
    assert_int_equal(numbers[n - 1], 99);
}

static void test_no_backups_starts_again(void **state)
{
    (void)state;
    char path[128], err[256];
    snprintf(path, sizeof path, "%s/solo.log", dir);
    ft_rotating_log *log;
    assert_int_equal(ft_rotating_log_open(path, 100, 0, &log, err, sizeof err), FT_OK);
    for (int i = 0; i < 10; i++)
        ft_rotating_log_line(log, "line 1 abcdefghijklmnopqrstuvwxyz");
    ft_rotating_log_close(log);
    assert_true(file_size(path) <= 100);
    char one[160];
    snprintf(one, sizeof one, "%s.1", path);
    assert_int_equal(file_size(one), -1);
}

static void test_bad_path_is_named(void **state)
{
    (void)state;
    ft_rotating_log *log = (ft_rotating_log *)1;
    char err[256];
    assert_int_equal(ft_rotating_log_open("/nonexistent-dir/x.log", 100, 1, &log, err, sizeof err),
                     FT_ERR_IO);
    assert_null(log);
    assert_non_null(strstr(err, "/nonexistent-dir/x.log: cannot create the log file"));
}

static ft_rotating_log *shared_log;

static void *writer(void *arg)
{
    char line[64];
    for (int i = 0; i < 200; i++) {
        snprintf(line, sizeof line, "line %d from thread %d", i, (int)(intptr_t)arg);
        ft_rotating_log_line(shared_log, line);
    }
    return NULL;
}

static void test_threads(void **state)
{
    (void)state;
    char path[128], err[256];
    snprintf(path, sizeof path, "%s/threads.log", dir);
    assert_int_equal(ft_rotating_log_open(path, 1 << 20, 1, &shared_log, err, sizeof err), FT_OK);
    pthread_t t[4];
    for (int i = 0; i < 4; i++)
        assert_int_equal(pthread_create(&t[i], NULL, writer, (void *)(intptr_t)i), 0);
    for (int i = 0; i < 4; i++)
        pthread_join(t[i], NULL);
    ft_rotating_log_close(shared_log);
    int numbers[1000], n = 0;
    read_numbers(path, numbers, &n);
    assert_int_equal(n, 800); /* every line whole, none lost */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rotation_keeps_order_and_limits),
        cmocka_unit_test(test_no_backups_starts_again),
        cmocka_unit_test(test_bad_path_is_named),
        cmocka_unit_test(test_threads),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
