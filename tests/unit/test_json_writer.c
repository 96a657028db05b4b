/* Unit tests of the streaming JSON writer: exact text, escaping, numbers,
 * misuse detection and write failures. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/json_writer.h"

typedef void (*writer_fn)(ft_json *w);

/* Runs FN on a writer over a memory stream; returns the text (caller frees)
 * and stores what ft_json_finish() said in *STATUS. */
static char *render(writer_fn fn, int pretty, ft_status *status)
{
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&text, &size);
    assert_non_null(out);
    ft_json w;
    ft_json_init(&w, out, pretty);
    fn(&w);
    *status = ft_json_finish(&w);
    assert_int_equal(fclose(out), 0);
    return text;
}

static void expect_text(writer_fn fn, int pretty, const char *expected)
{
    ft_status status;
    char *text = render(fn, pretty, &status);
    assert_int_equal(status, FT_OK);
    assert_string_equal(text, expected);
    free(text);
}

static void expect_misuse(writer_fn fn)
{
    ft_status status;
    free(render(fn, 0, &status));
    assert_int_equal(status, FT_ERR_INVALID_ARG);
    free(render(fn, 1, &status));
    assert_int_equal(status, FT_ERR_INVALID_ARG);
}

/* ------------------------------------------------------------ structure */

static void write_nested(ft_json *w)
{
    ft_json_object_begin(w);
    ft_json_kv_int(w, "a", 1);
    ft_json_key(w, "b");
    ft_json_array_begin(w);
    ft_json_bool(w, 1);
    ft_json_bool(w, 0);
    ft_json_null(w);
    ft_json_string(w, "x");
    ft_json_array_end(w);
    ft_json_key(w, "c");
    ft_json_object_begin(w);
    ft_json_object_end(w);
    ft_json_key(w, "d");
    ft_json_array_begin(w);
    ft_json_array_end(w);
    ft_json_key(w, "e");
    ft_json_object_begin(w);
    ft_json_key(w, "f");
    ft_json_array_begin(w);
    ft_json_array_begin(w);
    ft_json_int(w, -7);
    ft_json_array_end(w);
    ft_json_object_begin(w);
    ft_json_object_end(w);
    ft_json_array_end(w);
    ft_json_kv_string(w, "g", NULL);
    ft_json_kv_bool(w, "h", 42);
    ft_json_kv_double(w, "i", 0.5);
    ft_json_object_end(w);
    ft_json_object_end(w);
}

static void test_nested_compact(void **state)
{
    (void)state;
    expect_text(write_nested, 0,
                "{\"a\":1,\"b\":[true,false,null,\"x\"],\"c\":{},\"d\":[],"
                "\"e\":{\"f\":[[-7],{}],\"g\":null,\"h\":true,\"i\":0.5}}\n");
}

static void test_nested_pretty(void **state)
{
    (void)state;
    expect_text(write_nested, 1,
                "{\n"
                "  \"a\": 1,\n"
                "  \"b\": [\n"
                "    true,\n"
                "    false,\n"
                "    null,\n"
                "    \"x\"\n"
                "  ],\n"
                "  \"c\": {},\n"
                "  \"d\": [],\n"
                "  \"e\": {\n"
                "    \"f\": [\n"
                "      [\n"
                "        -7\n"
                "      ],\n"
                "      {}\n"
                "    ],\n"
                "    \"g\": null,\n"
                "    \"h\": true,\n"
                "    \"i\": 0.5\n"
                "  }\n"
                "}\n");
}

static void write_int_limits(ft_json *w)
{
    ft_json_array_begin(w);
    ft_json_int(w, INT64_MIN);
    ft_json_int(w, INT64_MAX);
    ft_json_int(w, 0);
    ft_json_array_end(w);
}

static void write_top_scalar(ft_json *w) { ft_json_string(w, "only"); }

static void write_empty_array(ft_json *w)
{
    ft_json_array_begin(w);
    ft_json_array_end(w);
}

static void test_top_level_values(void **state)
{
    (void)state;
    expect_text(write_int_limits, 0, "[-9223372036854775808,9223372036854775807,0]\n");
    expect_text(write_top_scalar, 1, "\"only\"\n");
    expect_text(write_empty_array, 1, "[]\n");
}

/* Exactly FT_JSON_MAX_DEPTH levels are allowed. */
static void write_max_depth(ft_json *w)
{
    for (int i = 0; i < FT_JSON_MAX_DEPTH; i++)
        ft_json_array_begin(w);
    for (int i = 0; i < FT_JSON_MAX_DEPTH; i++)
        ft_json_array_end(w);
}

static void test_max_depth(void **state)
{
    (void)state;
    char expected[2 * FT_JSON_MAX_DEPTH + 2];
    memset(expected, '[', FT_JSON_MAX_DEPTH);
    memset(expected + FT_JSON_MAX_DEPTH, ']', FT_JSON_MAX_DEPTH);
    strcpy(expected + 2 * FT_JSON_MAX_DEPTH, "\n");
    expect_text(write_max_depth, 0, expected);
}

/* ------------------------------------------------------------- escaping */

static void write_escapes(ft_json *w)
{
    ft_json_object_begin(w);
    ft_json_kv_string(w, "k\"\n", "q\"b\\s/\n\t\r\b\f\x01\x1f\x7f end");
    ft_json_object_end(w);
}

static void test_escape_ascii(void **state)
{
    (void)state;
    expect_text(write_escapes, 0,
                "{\"k\\\"\\n\":\"q\\\"b\\\\s/\\n\\t\\r\\b\\f\\u0001\\u001f\x7f end\"}\n");
}

static void write_unicode(ft_json *w)
{
    /* 2, 3 and 4 byte sequences, including the highest code point. */
    ft_json_string(w, "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80 \xF4\x8F\xBF\xBF \xED\x9F\xBF");
}

static void test_unicode_passthrough(void **state)
{
    (void)state;
    expect_text(write_unicode, 0,
                "\"caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80 \xF4\x8F\xBF\xBF \xED\x9F\xBF\"\n");
}

#define REPL "\xEF\xBF\xBD"

static void write_invalid_utf8(ft_json *w)
{
    ft_json_array_begin(w);
    ft_json_string(w, "a\xFF" "b");              /* never valid */
    ft_json_string(w, "\x80");                   /* lone continuation */
    ft_json_string(w, "\xC0\xAF");               /* overlong '/' */
    ft_json_string(w, "\xED\xA0\x80");           /* surrogate U+D800 */
    ft_json_string(w, "\xF4\x90\x80\x80");       /* above U+10FFFF */
    ft_json_string(w, "x\xE2\x82");              /* truncated at the end */
    ft_json_string(w, "\xE2\x82z");              /* truncated mid-string */
    ft_json_array_end(w);
}

static void test_invalid_utf8_replaced(void **state)
{
    (void)state;
    expect_text(write_invalid_utf8, 0,
                "[\"a" REPL "b\",\"" REPL "\",\"" REPL REPL "\",\""
                REPL REPL REPL "\",\"" REPL REPL REPL REPL "\",\"x" REPL REPL "\",\""
                REPL REPL "z\"]\n");
}

/* -------------------------------------------------------------- numbers */

/* Writes V alone and returns the number text without the newline. */
static char *double_text(double v)
{
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&text, &size);
    assert_non_null(out);
    ft_json w;
    ft_json_init(&w, out, 0);
    ft_json_double(&w, v);
    assert_int_equal(ft_json_finish(&w), FT_OK);
    assert_int_equal(fclose(out), 0);
    assert_true(size > 1 && text[size - 1] == '\n');
    text[size - 1] = '\0';
    return text;
}

static void expect_double(double v, const char *expected)
{
    char *text = double_text(v);
    assert_string_equal(text, expected);
    free(text);
}

static void test_double_shortest(void **state)
{
    (void)state;
    expect_double(0.1, "0.1");
    expect_double(3.0, "3");
    expect_double(-0.0, "-0");
    expect_double(1.0 / 3.0, "0.3333333333333333");  /* needs 16 digits */
    expect_double(0.1 + 0.2, "0.30000000000000004"); /* needs 17 digits */
    expect_double(1e300, "1e+300");
    expect_double(5e-324, "4.94065645841247e-324");  /* subnormal: 15 suffice */
    expect_double(2.2250738585072014e-308, "2.2250738585072014e-308");
    expect_double(NAN, "null");
    expect_double(INFINITY, "null");
    expect_double(-INFINITY, "null");
}

static uint64_t xorshift64(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

#define ROUND_TRIP_COUNT 20000

static double round_trip_values[2 * ROUND_TRIP_COUNT];

static void write_round_trip_values(ft_json *w)
{
    ft_json_array_begin(w);
    for (size_t i = 0; i < 2 * ROUND_TRIP_COUNT; i++)
        ft_json_double(w, round_trip_values[i]);
    ft_json_array_end(w);
}

static void test_double_round_trip(void **state)
{
    (void)state;
    uint64_t seed = 0x9E3779B97F4A7C15u;
    size_t n = 0;
    while (n < ROUND_TRIP_COUNT) {
        /* Random bit patterns cover every exponent; skip NaN and Inf. */
        uint64_t bits = xorshift64(&seed);
        double v;
        memcpy(&v, &bits, sizeof v);
        if (isfinite(v))
            round_trip_values[n++] = v;
    }
    while (n < 2 * ROUND_TRIP_COUNT) /* values of everyday size */
        round_trip_values[n++] = (double)(xorshift64(&seed) >> 11) / (1 << 20) - 1000.0;

    ft_status status;
    char *text = render(write_round_trip_values, 0, &status);
    assert_int_equal(status, FT_OK);
    const char *p = text;
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(*p, i == 0 ? '[' : ',');
        char *end;
        double back = strtod(p + 1, &end);
        assert_true(end > p + 1);
        assert_memory_equal(&back, &round_trip_values[i], sizeof back);
        p = end;
    }
    assert_string_equal(p, "]\n");
    free(text);
}

static void write_digits(ft_json *w)
{
    ft_json_array_begin(w);
    ft_json_double_digits(w, 3.14159265, 3);
    ft_json_double_digits(w, 2.5, 6);       /* no trailing zeros */
    ft_json_double_digits(w, 123456.0, 2);
    ft_json_double_digits(w, 0.000123456, 4);
    ft_json_double_digits(w, 7.77, 0);      /* clamped to 1 */
    ft_json_double_digits(w, 0.1, 40);      /* clamped to 17 */
    ft_json_double_digits(w, NAN, 5);
    ft_json_double_digits(w, -INFINITY, 5);
    ft_json_array_end(w);
}

static void test_double_digits(void **state)
{
    (void)state;
    expect_text(write_digits, 0,
                "[3.14,2.5,1.2e+05,0.0001235,8,0.10000000000000001,null,null]\n");
}

/* The printf-free path of ft_format_double_places against printf itself:
 * floats (the fast path's domain, ties and halves included), doubles that
 * fall back, and the signs and zeros around 0. */
static void naive_places(char *out, size_t size, double v, int places)
{
    char buf[64];
    snprintf(buf, sizeof buf, "%.*f", places, v);
    char *dot = strchr(buf, '.');
    if (dot) {
        char *end = buf + strlen(buf) - 1;
        while (end > dot && *end == '0')
            *end-- = '\0';
        if (end == dot)
            *end = '\0';
    }
    snprintf(out, size, "%s", strcmp(buf, "-0") == 0 ? "0" : buf);
}

static void test_double_places_as_printf(void **state)
{
    (void)state;
    srand(20261207);
    static const double fixed[] = {0.0, -0.0, 0.5, -0.5, 1.5, 2.5, 0.125, -0.125, 0.005,
                                   -0.004, 0.045, 1e-9, -1e-9, 99.995, 1234567.0, 0.1f, 1919.99f};
    char fast[64], slow[64];
    long compared = 0;
    for (int places = 0; places <= 6; places++) {
        for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++) {
            ft_format_double_places(fast, sizeof fast, fixed[i], places);
            naive_places(slow, sizeof slow, fixed[i], places);
            if (strcmp(fast, slow) != 0)
                fail_msg("%.17g at %d places: %s, printf %s", fixed[i], places, fast, slow);
        }
        for (int i = 0; i < 200000; i++) {
            /* floats over a frame's coordinates and beyond, then doubles */
            const double scale = i % 3 == 0 ? 4000.0 : i % 3 == 1 ? 2.0 : 1e6;
            const float f = (float)(((double)rand() / RAND_MAX - 0.5) * scale);
            const double d = ((double)rand() / RAND_MAX - 0.5) * scale;
            const double v = i % 2 ? (double)f : d;
            ft_format_double_places(fast, sizeof fast, v, places);
            naive_places(slow, sizeof slow, v, places);
            if (strcmp(fast, slow) != 0)
                fail_msg("%.17g at %d places: %s, printf %s", v, places, fast, slow);
            compared++;
        }
    }
    printf("%ld values at 0 to 6 places as printf writes them\n", compared);
}

/* The writer must print a point even where the locale uses a comma. */
static void test_double_locale(void **state)
{
    (void)state;
    static const char *const names[] = {"de_DE.UTF-8", "de_DE.utf8", "fr_FR.UTF-8", "fr_FR.utf8"};
    const char *found = NULL;
    for (size_t i = 0; i < sizeof names / sizeof names[0] && !found; i++)
        found = setlocale(LC_NUMERIC, names[i]);
    if (!found)
        skip();
    expect_double(0.1, "0.1");
    expect_double(-1234.5678, "-1234.5678");
    setlocale(LC_NUMERIC, "C");
}

/* --------------------------------------------------------------- misuse */

static void value_without_key(ft_json *w)
{
    ft_json_object_begin(w);
    ft_json_int(w, 1);
    ft_json_object_end(w);
}

static void key_at_top_level(ft_json *w)
{
    ft_json_key(w, "k");
    ft_json_int(w, 1);
}

static void key_in_array(ft_json *w)
{
    ft_json_array_begin(w);
    ft_json_key(w, "k");
    ft_json_array_end(w);
}

static void key_twice(ft_json *w)
{
    ft_json_object_begin(w);
    ft_json_key(w, "a");
    ft_json_key(w, "b");
    ft_json_int(w, 1);
    ft_json_object_end(w);
}

static void null_key(ft_json *w)
{
    ft_json_object_begin(w);
    ft_json_key(w, NULL);
    ft_json_int(w, 1);
    ft_json_object_end(w);
}

static void close_mismatched(ft_json *w)
{
    ft_json_array_begin(w);
    ft_json_object_end(w);
}

static void close_with_key_pending(ft_json *w)
{
    ft_json_object_begin(w);
    ft_json_key(w, "a");
    ft_json_object_end(w);
}

static void close_at_top_level(ft_json *w)
{
    ft_json_int(w, 1);
    ft_json_array_end(w);
}

static void unbalanced(ft_json *w)
{
    ft_json_object_begin(w);
    ft_json_key(w, "a");
    ft_json_array_begin(w);
}

static void too_deep(ft_json *w)
{
    for (int i = 0; i <= FT_JSON_MAX_DEPTH; i++)
        ft_json_array_begin(w);
    for (int i = 0; i <= FT_JSON_MAX_DEPTH; i++)
        ft_json_array_end(w);
}

static void two_top_level_values(ft_json *w)
{
    ft_json_int(w, 1);
    ft_json_int(w, 2);
}

static void empty_document(ft_json *w) { (void)w; }

static void test_misuse(void **state)
{
    (void)state;
    expect_misuse(value_without_key);
    expect_misuse(key_at_top_level);
    expect_misuse(key_in_array);
    expect_misuse(key_twice);
    expect_misuse(null_key);
    expect_misuse(close_mismatched);
    expect_misuse(close_with_key_pending);
    expect_misuse(close_at_top_level);
    expect_misuse(unbalanced);
    expect_misuse(too_deep);
    expect_misuse(two_top_level_values);
    expect_misuse(empty_document);
}

static void test_null_arguments(void **state)
{
    (void)state;
    ft_json w;
    ft_json_init(&w, NULL, 0);
    ft_json_int(&w, 1);
    assert_int_equal(ft_json_finish(&w), FT_ERR_INVALID_ARG);
    assert_int_equal(ft_json_finish(NULL), FT_ERR_INVALID_ARG);
    ft_json_object_begin(NULL); /* must not crash */
    ft_json_string(NULL, NULL);
}

/* ------------------------------------------------------- write failures */

static void test_write_to_dev_full(void **state)
{
    (void)state;
    FILE *out = fopen("/dev/full", "w");
    if (!out)
        skip();
    ft_json w;
    ft_json_init(&w, out, 1);
    ft_json_array_begin(&w);
    for (int i = 0; i < 10000; i++) /* more than one stdio buffer */
        ft_json_string(&w, "filler filler filler");
    ft_json_array_end(&w);
    assert_int_equal(ft_json_finish(&w), FT_ERR_IO);
    fclose(out);

    /* Small enough to stay buffered: the failure shows only at finish. */
    out = fopen("/dev/full", "w");
    assert_non_null(out);
    ft_json_init(&w, out, 0);
    ft_json_int(&w, 1);
    assert_int_equal(w.failed, 0);
    assert_int_equal(ft_json_finish(&w), FT_ERR_IO);
    fclose(out);
}

static void test_write_to_read_only_stream(void **state)
{
    (void)state;
    char path[] = "/tmp/ft_json_ro_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *out = fopen(path, "r");
    assert_non_null(out);
    ft_json w;
    ft_json_init(&w, out, 0);
    ft_json_object_begin(&w);
    ft_json_kv_int(&w, "a", 1);
    ft_json_object_end(&w);
    assert_int_equal(ft_json_finish(&w), FT_ERR_IO);
    fclose(out);
    close(fd);
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nested_compact),
        cmocka_unit_test(test_nested_pretty),
        cmocka_unit_test(test_top_level_values),
        cmocka_unit_test(test_max_depth),
        cmocka_unit_test(test_escape_ascii),
        cmocka_unit_test(test_unicode_passthrough),
        cmocka_unit_test(test_invalid_utf8_replaced),
        cmocka_unit_test(test_double_shortest),
        cmocka_unit_test(test_double_round_trip),
        cmocka_unit_test(test_double_digits),
        cmocka_unit_test(test_double_places_as_printf),
        cmocka_unit_test(test_double_locale),
        cmocka_unit_test(test_misuse),
        cmocka_unit_test(test_null_arguments),
        cmocka_unit_test(test_write_to_dev_full),
        cmocka_unit_test(test_write_to_read_only_stream),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
