/* Logger: level parsing, filtering by level, one line per message. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "facetrack.h"

typedef struct captured {
    int calls;
    ft_log_level level;
    char text[256];
} captured;

static void capture(ft_log_level level, const char *message, void *user)
{
    captured *c = user;
    c->calls++;
    c->level = level;
    snprintf(c->text, sizeof c->text, "%s", message);
}

static void parses_names_and_digits(void **state)
{
    (void)state;
    ft_log_level level;
    assert_int_equal(ft_log_parse_level("debug", &level), FT_OK);
    assert_int_equal(level, FT_LOG_DEBUG);
    assert_int_equal(ft_log_parse_level("WARNING", &level), FT_OK);
    assert_int_equal(level, FT_LOG_WARN);
    assert_int_equal(ft_log_parse_level("0", &level), FT_OK);
    assert_int_equal(level, FT_LOG_QUIET);
    assert_int_equal(ft_log_parse_level("5", &level), FT_OK);
    assert_int_equal(level, FT_LOG_TRACE);
    assert_int_equal(ft_log_parse_level("6", &level), FT_ERR_INVALID_ARG);
    assert_int_equal(ft_log_parse_level("loud", &level), FT_ERR_INVALID_ARG);
    assert_int_equal(ft_log_parse_level("", &level), FT_ERR_INVALID_ARG);
    assert_int_equal(ft_log_parse_level(NULL, &level), FT_ERR_INVALID_ARG);
}

static void filters_by_level(void **state)
{
    (void)state;
    captured c = {0};
    ft_log_set_sink(capture, &c);
    ft_log_set_level(FT_LOG_WARN);
    ft_log(FT_LOG_INFO, "hidden %d", 1);
    assert_int_equal(c.calls, 0);
    ft_log(FT_LOG_ERROR, "shown %d", 2);
    assert_int_equal(c.calls, 1);
    assert_int_equal(c.level, FT_LOG_ERROR);
    assert_string_equal(c.text, "shown 2");
    ft_log_set_level(FT_LOG_QUIET);
    ft_log(FT_LOG_ERROR, "nothing");
    assert_int_equal(c.calls, 1);
    ft_log_set_level(FT_LOG_TRACE);
    assert_int_equal(ft_log_get_level(), FT_LOG_TRACE);
    ft_log_set_sink(NULL, NULL);
}

static void one_line_per_message(void **state)
{
    (void)state;
    captured c = {0};
    ft_log_set_sink(capture, &c);
    ft_log_set_level(FT_LOG_INFO);
    ft_log(FT_LOG_WARN, "first\nsecond\r\nthird");
    assert_null(strchr(c.text, '\n'));
    assert_null(strchr(c.text, '\r'));
    assert_non_null(strstr(c.text, "third"));
    ft_log_set_sink(NULL, NULL);
}

static void status_strings_are_distinct(void **state)
{
    (void)state;
    const ft_status all[] = {FT_OK, FT_EOF, FT_ERR_INVALID_ARG, FT_ERR_NOMEM, FT_ERR_NOT_FOUND,
                             FT_ERR_IO, FT_ERR_FORMAT, FT_ERR_TRUNCATED, FT_ERR_UNSUPPORTED,
                             FT_ERR_INTERNAL};
    const size_t n = sizeof all / sizeof all[0];
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++)
            assert_string_not_equal(ft_status_str(all[i]), ft_status_str(all[j]));
    assert_string_equal(ft_status_str((ft_status)1234), "unknown status");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parses_names_and_digits),
        cmocka_unit_test(filters_by_level),
        cmocka_unit_test(one_line_per_message),
        cmocka_unit_test(status_strings_are_distinct),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
