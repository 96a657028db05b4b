/* The original STEP3's settings: its defaults and CONFIG_EFFECTIVE line,
 * its JSON file read as its Python read it (float("0.4"), int(2.9), bool(1),
 * null kept), values facetrack cannot honour kept at their default with a
 * warning naming the file and the key, options checked strictly. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "scenes/step3_config.h"

static char warnings[4096];

static void capture(ft_log_level level, const char *message, void *user)
{
    (void)user;
    if (level != FT_LOG_WARN)
        return;
    const size_t n = strlen(warnings);
    snprintf(warnings + n, sizeof warnings - n, "%s\n", message);
}

static ft_status read_json(ft_step3_config *c, const char *text)
{
    char err[512];
    warnings[0] = '\0';
    return ft_step3_config_read_json(c, "step3.json", text, strlen(text), err, sizeof err);
}

static void test_defaults_and_line(void **state)
{
    (void)state;
    ft_step3_config c;
    ft_step3_config_init(&c);
    char line[1024];
    ft_step3_config_describe(&c, line, sizeof line);
    assert_string_equal(line,
                        "threshold=0.5, window=100, stride=50, padding=25, device=auto, "
                        "ffmpeg_threads=0, mixed_precision=False, amp_dtype=float16, "
                        "num_workers=1, batch_size=16, torchscript=False, warmup=True, "
                        "warmup_batches=1, torchscript_auto_fallback=True");
    assert_int_equal(c.given, 0);
}

static void test_file_read_as_python_did(void **state)
{
    (void)state;
    ft_step3_config c;
    ft_step3_config_init(&c);
    assert_int_equal(read_json(&c, "{\"threshold\": \"0.35\", \"num_workers\": 2.9, "
                                   "\"mixed_precision\": 1, \"warmup\": \"\", \"device\": \"cpu\", "
                                   "\"amp_dtype\": \"bfloat16\", \"stride\": null, "
                                   "\"ffmpeg_threads\": \"3\"}"),
                     FT_OK);
    assert_string_equal(warnings, "");
    char line[1024];
    ft_step3_config_describe(&c, line, sizeof line);
    assert_string_equal(line,
                        "threshold=0.35, window=100, stride=50, padding=25, device=cpu, "
                        "ffmpeg_threads=3, mixed_precision=True, amp_dtype=bfloat16, "
                        "num_workers=2, batch_size=16, torchscript=False, warmup=False, "
                        "warmup_batches=1, torchscript_auto_fallback=True");
    assert_int_equal(c.given, FT_STEP3_GIVEN_THRESHOLD | FT_STEP3_GIVEN_NUM_WORKERS |
                                  FT_STEP3_GIVEN_FFMPEG_THREADS);
}

static void test_bad_values_warn_and_keep_defaults(void **state)
{
    (void)state;
    ft_step3_config c;
    ft_step3_config_init(&c);
    assert_int_equal(read_json(&c, "{\"threshold\": 1.5, \"window\": 64, \"device\": \"gpu\", "
                                   "\"batch_size\": [], \"colour\": 1, \"size\": 2}"),
                     FT_OK);
    assert_non_null(strstr(warnings, "step3.json: threshold: 1.5 is not supported"));
    assert_non_null(strstr(warnings, "step3.json: window: 64 is not supported"));
    assert_non_null(strstr(warnings, "step3.json: device: 'gpu' is not auto, cpu or cuda"));
    assert_non_null(strstr(warnings, "step3.json: batch_size: [] is not an integer"));
    assert_non_null(strstr(warnings, "step3.json: ignored: colour, size (not settings of STEP3)"));
    assert_true(c.threshold == 0.5);
    assert_int_equal(c.window, 100);
    assert_string_equal(c.device, "auto");
    assert_int_equal(c.batch_size, 16);
    assert_int_equal(c.given, 0);
}

static void test_not_an_object(void **state)
{
    (void)state;
    ft_step3_config c;
    ft_step3_config_init(&c);
    char err[512];
    const char *texts[] = {"[1, 2]", "{\"threshold\": 0.4,", "{} {}", "", "nul"};
    for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) {
        assert_int_equal(ft_step3_config_read_json(&c, "step3.json", texts[i], strlen(texts[i]),
                                                   err, sizeof err),
                         FT_ERR_FORMAT);
        assert_non_null(strstr(err, "step3.json: "));
    }
    assert_true(c.threshold == 0.5);
}

static void test_options(void **state)
{
    (void)state;
    ft_step3_config c;
    ft_step3_config_init(&c);
    char key[64], err[256];
    assert_true(ft_step3_config_key("num-workers", key, sizeof key));
    assert_string_equal(key, "num_workers");
    assert_false(ft_step3_config_key("workers", key, sizeof key));
    assert_true(ft_step3_config_is_flag("torchscript"));
    assert_false(ft_step3_config_is_flag("window"));
    assert_int_equal(ft_step3_config_set(&c, "torchscript", NULL, err, sizeof err), FT_OK);
    assert_int_equal(c.torchscript, 1);
    assert_int_equal(ft_step3_config_set(&c, "threshold", "0.25", err, sizeof err), FT_OK);
    assert_true(c.threshold == 0.25);
    assert_int_equal(ft_step3_config_set(&c, "num_workers", "2.5", err, sizeof err),
                     FT_ERR_INVALID_ARG);
    assert_string_equal(err, "--num_workers: needs an integer (1 to 256)");
    assert_int_equal(ft_step3_config_set(&c, "padding", "30", err, sizeof err), FT_ERR_INVALID_ARG);
    assert_non_null(strstr(err, "--padding: 30 is not supported"));
    assert_int_equal(ft_step3_config_set(&c, "device", NULL, err, sizeof err), FT_ERR_INVALID_ARG);
    assert_int_equal(c.padding, 25);
}

int main(void)
{
    ft_log_set_sink(capture, NULL);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults_and_line),
        cmocka_unit_test(test_file_read_as_python_did),
        cmocka_unit_test(test_bad_values_warn_and_keep_defaults),
        cmocka_unit_test(test_not_an_object),
        cmocka_unit_test(test_options),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
