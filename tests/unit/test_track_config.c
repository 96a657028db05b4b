/* Unit tests of `facetrack track`'s settings: defaults, the layers
 * (command line > environment > .env > default) for every setting, strict
 * parsing with one-line messages, the original's quirks (STEP5_ENABLE_GPU
 * is on only for "1", "mediapipe" is an alias), profiles, export keys,
 * shards, and .env files that are missing or malformed. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/thread_pool.h"
#include "track/track_config.h"

/* Every variable the resolver reads; cleared around each test. */
static const char *const env_vars[] = {
    "STEP5_TRACKING_ENGINE", "STEP5_MEDIAPIPE_MAX_FACES", "STEP5_MEDIAPIPE_MAX_WIDTH",
    "STEP5_YUNET_MAX_WIDTH", "STEP5_MEDIAPIPE_JAWOPEN_SCALE", "STEP5_BLENDSHAPES_THROTTLE_N",
    "STEP5_BLENDSHAPES_PROFILE", "STEP5_BLENDSHAPES_INCLUDE_TONGUE",
    "STEP5_BLENDSHAPES_EXPORT_KEYS", "TRACKING_CPU_WORKERS", "TRACKING_DISABLE_GPU",
    "STEP5_ENABLE_GPU", "STEP5_GPU_ENGINES", "STEP5_GPU_FALLBACK_AUTO", "STEP5_GPU_MAX_VRAM_MB",
    "STEP5_EXPORT_VERBOSE_FIELDS", "STEP5_ENABLE_PROFILING", "STEP5_YUNET_MODEL_PATH",
    "STEP5_OPENCV_MAX_FACES", "STEP5_OPENCV_HAAR_CASCADE_PATH", "STEP5_INSIGHTFACE_MODEL_PATH",
    "INSIGHTFACE_HOME",
    "STEP5_INSIGHTFACE_MODEL_NAME", "STEP5_INSIGHTFACE_DET_SIZE", "STEP5_INSIGHTFACE_MAX_WIDTH",
    "STEP5_INSIGHTFACE_MAX_FACES", "STEP5_INSIGHTFACE_DETECT_EVERY_N",
    "STEP5_EOS_MODELS_DIR", "STEP5_EOS_SFM_MODEL_PATH", "STEP5_EOS_FIT_EVERY_N",
    "STEP5_EOS_MAX_FACES", "STEP5_EOS_MAX_WIDTH", "STEP5_EOS_JAWOPEN_SCALE",
    "STEP5_OPENSEEFACE_MODELS_DIR",
    "STEP5_OPENSEEFACE_MODEL_ID", "STEP5_OPENSEEFACE_DETECTION_MODEL_PATH",
    "STEP5_OPENSEEFACE_LANDMARK_MODEL_PATH", "STEP5_OPENSEEFACE_DETECT_EVERY_N",
    "STEP5_OPENSEEFACE_DETECTION_THRESHOLD", "STEP5_OPENSEEFACE_MAX_FACES",
    "STEP5_OPENSEEFACE_MAX_WIDTH", "STEP5_OPENSEEFACE_JAWOPEN_SCALE", "FACETRACK_MODEL_PATH",
    "FACETRACK_ENV_FILE", "STEP5_PYFEAT_STRICT", "STEP5_OPENCV_JAWOPEN_SCALE",
    /* CLI-only names, which must never be read from the environment */
    "detect-every", "format", "pretty"};
#define ENV_COUNT (sizeof env_vars / sizeof env_vars[0])

typedef struct fixture {
    char dir[64];          /* a temporary folder, the current one during a test */
    char cwd[PATH_MAX];    /* the one to go back to */
    char *saved[ENV_COUNT]; /* the variables as they were, NULL when unset */
} fixture;

static int setup(void **state)
{
    fixture *fx = calloc(1, sizeof *fx);
    if (!fx)
        return -1;
    strcpy(fx->dir, "/tmp/ft_track_config_XXXXXX");
    if (!getcwd(fx->cwd, sizeof fx->cwd) || !mkdtemp(fx->dir) || chdir(fx->dir) != 0) {
        free(fx);
        return -1;
    }
    for (size_t i = 0; i < ENV_COUNT; i++) {
        const char *v = getenv(env_vars[i]);
        fx->saved[i] = v ? strdup(v) : NULL;
        unsetenv(env_vars[i]);
    }
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    fixture *fx = *state;
    for (size_t i = 0; i < ENV_COUNT; i++) {
        if (fx->saved[i])
            setenv(env_vars[i], fx->saved[i], 1);
        else
            unsetenv(env_vars[i]);
        free(fx->saved[i]);
    }
    if (chdir(fx->cwd) != 0)
        return -1;
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

static void write_file(const char *path, const char *text)
{
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    fputs(text, fp);
    assert_int_equal(fclose(fp), 0);
}

/* ./.env, read when no file is named. */
static void write_dotenv(const char *text)
{
    write_file(".env", text);
}

static ft_track_config resolve_ok(const ft_config_value *cli, size_t n, const char *env_file)
{
    ft_track_config cfg;
    char err[512] = "x";
    ft_status st = ft_track_config_resolve(&cfg, cli, n, env_file, err, sizeof err);
    if (st != FT_OK)
        print_message("unexpected error: %s\n", err);
    assert_int_equal(st, FT_OK);
    assert_string_equal(err, "");
    return cfg;
}

static void expect_error(const ft_config_value *cli, size_t n, const char *env_file,
                         ft_status want, const char *message)
{
    ft_track_config cfg;
    char err[512];
    assert_int_equal(ft_track_config_resolve(&cfg, cli, n, env_file, err, sizeof err), want);
    assert_string_equal(err, message);
}

/* One value from one layer must fail with MESSAGE. */
static void env_fails(const char *name, const char *value, const char *message)
{
    setenv(name, value, 1);
    expect_error(NULL, 0, NULL, FT_ERR_INVALID_ARG, message);
    unsetenv(name);
}

static void cli_fails(const char *name, const char *value, const char *message)
{
    ft_config_value cli = {name, value};
    expect_error(&cli, 1, NULL, FT_ERR_INVALID_ARG, message);
}

static void test_defaults(void **state)
{
    (void)state;
    ft_track_config cfg = resolve_ok(NULL, 0, NULL); /* no ./.env: fine */
    assert_string_equal(cfg.engine, "mediapipe_landmarker");
    assert_int_equal(cfg.max_faces, 5);
    assert_float_equal(cfg.min_detection_confidence, 0.5, 0);
    assert_float_equal(cfg.min_presence_confidence, 0.5, 0);
    assert_float_equal(cfg.min_tracking_confidence, 0.5, 0);
    assert_int_equal(cfg.detect_every, 10);
    assert_int_equal(cfg.max_width, 0);
    assert_int_equal(cfg.yunet_max_width, 640);
    assert_float_equal(cfg.jawopen_scale, 1.0, 0);
    assert_int_equal(cfg.blendshapes_every, 1);
    assert_int_equal(cfg.blendshape_profile, FT_BLENDSHAPES_FULL);
    assert_int_equal(cfg.include_tongue, 0);
    assert_int_equal(cfg.export_key_count, 0);
    int cpus = ft_cpu_count();
    assert_int_equal(cfg.workers, cpus < 256 ? cpus : 256);
    assert_int_equal(cfg.disable_gpu, 0);
    assert_int_equal(cfg.enable_gpu, 0);
    assert_string_equal(cfg.gpu_engines, "");
    assert_int_equal(cfg.gpu_fallback_auto, 1);
    assert_int_equal(cfg.gpu_max_vram_mb, 2048);
    assert_int_equal(cfg.format, FT_TRACK_FORMAT_RAW);
    assert_int_equal(cfg.verbose_fields, 0);
    assert_int_equal(cfg.pretty, 0);
    assert_int_equal(cfg.force, 0);
    assert_string_equal(cfg.output_dir, "");
    assert_int_equal(cfg.profiling, 0);
    assert_int_equal(cfg.progress, FT_PROGRESS_AUTO);
    assert_int_equal(cfg.shard_index, 1);
    assert_int_equal(cfg.shard_count, 1);
}

/* An int (or enum) setting with a value per layer, each unlike the default
 * and the layer below, and what each gives. */
typedef struct layer_case {
    const char *name;
    const char *dotenv, *env, *cli;
    int want_dotenv, want_env, want_cli;
    size_t offset;
} layer_case;

#define AT(f) offsetof(ft_track_config, f)

static const layer_case layer_cases[] = {
    {"STEP5_MEDIAPIPE_MAX_FACES", "3", "4", "6", 3, 4, 6, AT(max_faces)},
    {"STEP5_MEDIAPIPE_MAX_WIDTH", "320", "0", "1280", 320, 0, 1280, AT(max_width)},
    {"STEP5_YUNET_MAX_WIDTH", "320", "480", "800", 320, 480, 800, AT(yunet_max_width)},
    {"STEP5_BLENDSHAPES_THROTTLE_N", "2", "3", "4", 2, 3, 4, AT(blendshapes_every)},
    {"STEP5_BLENDSHAPES_PROFILE", "none", "Mouth", "mediapipe", FT_BLENDSHAPES_NONE,
     FT_BLENDSHAPES_MOUTH, FT_BLENDSHAPES_MEDIAPIPE, AT(blendshape_profile)},
    {"STEP5_BLENDSHAPES_INCLUDE_TONGUE", "1", "0", "yes", 1, 0, 1, AT(include_tongue)},
    {"TRACKING_CPU_WORKERS", "5", "6", "7", 5, 6, 7, AT(workers)},
    {"TRACKING_DISABLE_GPU", "true", "off", "1", 1, 0, 1, AT(disable_gpu)},
    {"STEP5_ENABLE_GPU", "1", "0", "1", 1, 0, 1, AT(enable_gpu)},
    {"STEP5_GPU_FALLBACK_AUTO", "0", "1", "0", 0, 1, 0, AT(gpu_fallback_auto)},
    {"STEP5_GPU_MAX_VRAM_MB", "512", "1024", "4096", 512, 1024, 4096, AT(gpu_max_vram_mb)},
    {"STEP5_EXPORT_VERBOSE_FIELDS", "all", "no", "1", 1, 0, 1, AT(verbose_fields)},
    {"STEP5_ENABLE_PROFILING", "on", "0", "1", 1, 0, 1, AT(profiling)},
};

static int int_at(const ft_track_config *cfg, size_t offset)
{
    int v;
    memcpy(&v, (const char *)cfg + offset, sizeof v);
    return v;
}

static void test_layers_per_setting(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof layer_cases / sizeof layer_cases[0]; i++) {
        const layer_case *c = &layer_cases[i];
        print_message("%s\n", c->name);
        char line[128];
        snprintf(line, sizeof line, "# one setting\n%s=%s\n", c->name, c->dotenv);
        write_dotenv(line);
        ft_track_config cfg = resolve_ok(NULL, 0, NULL);
        assert_int_equal(int_at(&cfg, c->offset), c->want_dotenv);

        setenv(c->name, c->env, 1);
        cfg = resolve_ok(NULL, 0, NULL);
        assert_int_equal(int_at(&cfg, c->offset), c->want_env);

        ft_config_value cli = {c->name, c->cli};
        cfg = resolve_ok(&cli, 1, NULL);
        assert_int_equal(int_at(&cfg, c->offset), c->want_cli);
        unsetenv(c->name);
        unlink(".env");
    }
}

static void test_layers_of_text_settings(void **state)
{
    (void)state;
    write_dotenv("STEP5_TRACKING_ENGINE=opencv_haar\n"
                 "STEP5_MEDIAPIPE_JAWOPEN_SCALE=0.5\n"
                 "STEP5_GPU_ENGINES=eos\n"
                 "STEP5_BLENDSHAPES_EXPORT_KEYS=jawOpen\n");
    ft_track_config cfg = resolve_ok(NULL, 0, NULL);
    assert_string_equal(cfg.engine, "opencv_haar");
    assert_float_equal(cfg.jawopen_scale, 0.5, 0);
    assert_string_equal(cfg.gpu_engines, "eos");
    assert_int_equal(cfg.export_key_count, 1);
    assert_string_equal(cfg.export_keys[0], "jawOpen");

    setenv("STEP5_TRACKING_ENGINE", "opencv_yunet", 1);
    setenv("STEP5_MEDIAPIPE_JAWOPEN_SCALE", "2", 1);
    setenv("STEP5_GPU_ENGINES", "insightface", 1);
    setenv("STEP5_BLENDSHAPES_EXPORT_KEYS", "mouthClose,mouthFunnel", 1);
    cfg = resolve_ok(NULL, 0, NULL);
    assert_string_equal(cfg.engine, "opencv_yunet");
    assert_float_equal(cfg.jawopen_scale, 2.0, 0);
    assert_string_equal(cfg.gpu_engines, "insightface");
    assert_int_equal(cfg.export_key_count, 2);
    assert_string_equal(cfg.export_keys[1], "mouthFunnel");

    ft_config_value cli[] = {{"STEP5_TRACKING_ENGINE", "opencv_yunet"},
                             {"STEP5_MEDIAPIPE_JAWOPEN_SCALE", "3.25"},
                             {"STEP5_GPU_ENGINES", "all"},
                             {"STEP5_BLENDSHAPES_EXPORT_KEYS", "tongueOut"}};
    cfg = resolve_ok(cli, 4, NULL);
    assert_string_equal(cfg.engine, "opencv_yunet");
    assert_float_equal(cfg.jawopen_scale, 3.25, 0);
    assert_string_equal(cfg.gpu_engines, "all");
    assert_int_equal(cfg.export_key_count, 1);
    assert_string_equal(cfg.export_keys[0], "tongueOut");
}

static void test_empty_env_counts(void **state)
{
    (void)state;
    /* A variable set to "" is set: it hides .env like any other value. */
    write_dotenv("TRACKING_DISABLE_GPU=1\nSTEP5_GPU_ENGINES=eos\n");
    setenv("TRACKING_DISABLE_GPU", "", 1);
    setenv("STEP5_GPU_ENGINES", "", 1);
    ft_track_config cfg = resolve_ok(NULL, 0, NULL);
    assert_int_equal(cfg.disable_gpu, 0);
    assert_string_equal(cfg.gpu_engines, "");
}

static void test_cli_only_settings(void **state)
{
    (void)state;
    /* Neither the environment nor .env can set them. */
    write_dotenv("format=reduced\npretty=1\n");
    setenv("detect-every", "3", 1);
    ft_track_config cfg = resolve_ok(NULL, 0, NULL);
    assert_int_equal(cfg.format, FT_TRACK_FORMAT_RAW);
    assert_int_equal(cfg.pretty, 0);
    assert_int_equal(cfg.detect_every, 10);

    ft_config_value cli[] = {
        {"min-detection-confidence", "0.25"}, {"min-presence-confidence", "0"},
        {"min-tracking-confidence", "1"},     {"detect-every", "1"},
        {"format", "REDUCED"},                {"pretty", "1"},
        {"force", "1"},                       {"output-dir", " /tmp/with spaces "},
        {"progress", "json"},                 {"shard", "2/3"}};
    cfg = resolve_ok(cli, sizeof cli / sizeof cli[0], NULL);
    assert_float_equal(cfg.min_detection_confidence, 0.25, 0);
    assert_float_equal(cfg.min_presence_confidence, 0.0, 0);
    assert_float_equal(cfg.min_tracking_confidence, 1.0, 0);
    assert_int_equal(cfg.detect_every, 1);
    assert_int_equal(cfg.format, FT_TRACK_FORMAT_REDUCED);
    assert_int_equal(cfg.pretty, 1);
    assert_int_equal(cfg.force, 1);
    assert_string_equal(cfg.output_dir, " /tmp/with spaces "); /* paths are kept as given */
    assert_int_equal(cfg.progress, FT_PROGRESS_JSON);
    assert_int_equal(cfg.shard_index, 2);
    assert_int_equal(cfg.shard_count, 3);

    static const struct {
        const char *name;
        ft_progress_mode mode;
    } modes[] = {{"auto", FT_PROGRESS_AUTO}, {"bar", FT_PROGRESS_BAR}, {"json", FT_PROGRESS_JSON},
                 {"legacy", FT_PROGRESS_LEGACY}, {"none", FT_PROGRESS_NONE}};
    for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++) {
        ft_config_value v = {"progress", modes[i].name};
        assert_int_equal(resolve_ok(&v, 1, NULL).progress, modes[i].mode);
    }
}

static void test_repeated_flag_last_wins(void **state)
{
    (void)state;
    ft_config_value cli[] = {{"TRACKING_CPU_WORKERS", "3"}, {"TRACKING_CPU_WORKERS", "9"}};
    assert_int_equal(resolve_ok(cli, 2, NULL).workers, 9);
}

static void test_message_shape(void **state)
{
    (void)state;
    write_dotenv("STEP5_BLENDSHAPES_THROTTLE_N=0\n");
    expect_error(NULL, 0, NULL, FT_ERR_INVALID_ARG,
                 "STEP5_BLENDSHAPES_THROTTLE_N=0 (from .env): must be an integer >= 1");
    unlink(".env");
    env_fails("STEP5_TRACKING_ENGINE", "foo",
              "STEP5_TRACKING_ENGINE=foo (from environment): unknown engine (known: "
              "mediapipe_landmarker, mediapipe, opencv_haar, opencv_yunet, opencv_yunet_pyfeat, "
              "openseeface, eos, insightface)");
    /* The command line is told by its flag where there is one. */
    cli_fails("STEP5_MEDIAPIPE_MAX_FACES", "65",
              "--max-faces=65 (from command line): must be an integer from 1 to 64");
    cli_fails("detect-every", "0",
              "--detect-every=0 (from command line): must be an integer >= 1");
    cli_fails("STEP5_YUNET_MAX_WIDTH", "8",
              "STEP5_YUNET_MAX_WIDTH=8 (from command line): must be an integer >= 16");
    /* A named .env file is named. */
    write_file("other.env", "STEP5_GPU_MAX_VRAM_MB=100\n");
    expect_error(NULL, 0, "other.env", FT_ERR_INVALID_ARG,
                 "STEP5_GPU_MAX_VRAM_MB=100 (from other.env): must be an integer >= 256");
    /* Control characters would break the line. */
    env_fails("STEP5_MEDIAPIPE_MAX_FACES", "1\n2",
              "STEP5_MEDIAPIPE_MAX_FACES=1?2 (from environment): must be an integer from 1 to 64");
}

static void test_invalid_integers(void **state)
{
    (void)state;
    static const char *const bad[] = {"", "5x", "x5", "0x10", "1.0", "1e2", "5 5",
                                      "99999999999999999999", "-99999999999999999999"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char want[256];
        snprintf(want, sizeof want,
                 "STEP5_MEDIAPIPE_MAX_FACES=%s (from environment): must be an integer from 1 to 64",
                 bad[i]);
        env_fails("STEP5_MEDIAPIPE_MAX_FACES", bad[i], want);
    }
    env_fails("STEP5_MEDIAPIPE_MAX_FACES", "0",
              "STEP5_MEDIAPIPE_MAX_FACES=0 (from environment): must be an integer from 1 to 64");
    env_fails("TRACKING_CPU_WORKERS", "257",
              "TRACKING_CPU_WORKERS=257 (from environment): must be an integer from 1 to 256");
    env_fails("TRACKING_CPU_WORKERS", "-1",
              "TRACKING_CPU_WORKERS=-1 (from environment): must be an integer from 1 to 256");
    env_fails("STEP5_GPU_MAX_VRAM_MB", "255",
              "STEP5_GPU_MAX_VRAM_MB=255 (from environment): must be an integer >= 256");
    env_fails("STEP5_MEDIAPIPE_MAX_WIDTH", "15",
              "STEP5_MEDIAPIPE_MAX_WIDTH=15 (from environment): must be 0 or an integer >= 16");
    env_fails("STEP5_MEDIAPIPE_MAX_WIDTH", "-16",
              "STEP5_MEDIAPIPE_MAX_WIDTH=-16 (from environment): must be 0 or an integer >= 16");
    env_fails("STEP5_YUNET_MAX_WIDTH", "",
              "STEP5_YUNET_MAX_WIDTH= (from environment): must be an integer >= 16");

    /* Surrounding blanks are no junk; a sign is fine. */
    setenv("STEP5_MEDIAPIPE_MAX_FACES", " 7\t", 1);
    setenv("TRACKING_CPU_WORKERS", "+2", 1);
    setenv("STEP5_MEDIAPIPE_MAX_WIDTH", "16", 1);
    ft_track_config cfg = resolve_ok(NULL, 0, NULL);
    assert_int_equal(cfg.max_faces, 7);
    assert_int_equal(cfg.workers, 2);
    assert_int_equal(cfg.max_width, 16);
}

static void test_invalid_numbers(void **state)
{
    (void)state;
    static const char *const bad[] = {"", "abc", "0.5x", "nan", "inf", "-inf", "1.5", "-0.1",
                                      "1e400"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char want[256];
        snprintf(want, sizeof want,
                 "--min-tracking-confidence=%s (from command line): must be a number from 0 to 1",
                 bad[i]);
        cli_fails("min-tracking-confidence", bad[i], want);
    }
    env_fails("STEP5_MEDIAPIPE_JAWOPEN_SCALE", "-0.1",
              "STEP5_MEDIAPIPE_JAWOPEN_SCALE=-0.1 (from environment): must be a number >= 0");
    env_fails("STEP5_MEDIAPIPE_JAWOPEN_SCALE", "1e39", /* beyond float */
              "STEP5_MEDIAPIPE_JAWOPEN_SCALE=1e39 (from environment): must be a number >= 0");
    env_fails("STEP5_MEDIAPIPE_JAWOPEN_SCALE", "inf",
              "STEP5_MEDIAPIPE_JAWOPEN_SCALE=inf (from environment): must be a number >= 0");

    setenv("STEP5_MEDIAPIPE_JAWOPEN_SCALE", "1e3", 1);
    assert_float_equal(resolve_ok(NULL, 0, NULL).jawopen_scale, 1000.0, 0);
    setenv("STEP5_MEDIAPIPE_JAWOPEN_SCALE", "0", 1);
    assert_float_equal(resolve_ok(NULL, 0, NULL).jawopen_scale, 0.0, 0);
}

static void test_booleans(void **state)
{
    (void)state;
    static const char *const yes[] = {"1", "true", "TRUE", "Yes", "on", "ON", " true "};
    static const char *const no[] = {"0", "false", "False", "NO", "off", "", "  "};
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++) {
        setenv("STEP5_ENABLE_PROFILING", yes[i], 1);
        assert_int_equal(resolve_ok(NULL, 0, NULL).profiling, 1);
    }
    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++) {
        setenv("STEP5_ENABLE_PROFILING", no[i], 1);
        assert_int_equal(resolve_ok(NULL, 0, NULL).profiling, 0);
    }
    unsetenv("STEP5_ENABLE_PROFILING");
    env_fails("TRACKING_DISABLE_GPU", "maybe",
              "TRACKING_DISABLE_GPU=maybe (from environment): must be a boolean "
              "(1, true, yes, on or 0, false, no, off)");
    env_fails("STEP5_ENABLE_PROFILING", "all",
              "STEP5_ENABLE_PROFILING=all (from environment): must be a boolean "
              "(1, true, yes, on or 0, false, no, off)");
    cli_fails("pretty", "2",
              "--pretty=2 (from command line): must be a boolean "
              "(1, true, yes, on or 0, false, no, off)");

    /* Only STEP5_EXPORT_VERBOSE_FIELDS takes "all". */
    setenv("STEP5_EXPORT_VERBOSE_FIELDS", "ALL", 1);
    assert_int_equal(resolve_ok(NULL, 0, NULL).verbose_fields, 1);
    env_fails("STEP5_EXPORT_VERBOSE_FIELDS", "some",
              "STEP5_EXPORT_VERBOSE_FIELDS=some (from environment): must be a boolean "
              "(1, true, yes, on, all or 0, false, no, off)");
}

static void test_enable_gpu_exactly_one(void **state)
{
    (void)state;
    static const struct {
        const char *value;
        int on;
    } cases[] = {{"1", 1}, {" 1\n", 1}, {"true", 0}, {"yes", 0}, {"on", 0}, {"01", 0},
                 {"2", 0}, {"", 0},     {"1.0", 0},  {"garbage", 0}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        setenv("STEP5_ENABLE_GPU", cases[i].value, 1);
        assert_int_equal(resolve_ok(NULL, 0, NULL).enable_gpu, cases[i].on);
    }
    unsetenv("STEP5_ENABLE_GPU");
    write_dotenv("STEP5_ENABLE_GPU=true\n");
    assert_int_equal(resolve_ok(NULL, 0, NULL).enable_gpu, 0);
    ft_config_value gpu = {"STEP5_ENABLE_GPU", "1"}; /* --gpu */
    assert_int_equal(resolve_ok(&gpu, 1, NULL).enable_gpu, 1);
}

static void test_engines(void **state)
{
    (void)state;
    setenv("STEP5_TRACKING_ENGINE", "MediaPipe", 1);
    assert_string_equal(resolve_ok(NULL, 0, NULL).engine, "mediapipe_landmarker");
    setenv("STEP5_TRACKING_ENGINE", " OpenCV_YuNet_PyFeat ", 1);
    assert_string_equal(resolve_ok(NULL, 0, NULL).engine, "opencv_yunet_pyfeat");
    env_fails("STEP5_TRACKING_ENGINE", "",
              "STEP5_TRACKING_ENGINE= (from environment): unknown engine (known: "
              "mediapipe_landmarker, mediapipe, opencv_haar, opencv_yunet, opencv_yunet_pyfeat, "
              "openseeface, eos, insightface)");

    /* the registry: the original's engines in its order, one alias */
    static const char *const want[] = {"mediapipe_landmarker", "opencv_haar", "opencv_yunet",
                                       "opencv_yunet_pyfeat", "openseeface", "eos",
                                       "insightface"};
    assert_int_equal(ft_engine_count(), (int)(sizeof want / sizeof want[0]));
    for (int i = 0; i < ft_engine_count(); i++) {
        const ft_engine_info *e = ft_engine_at(i);
        char why[256];
        assert_string_equal(e->name, want[i]);
        assert_string_equal(e->source, "face_landmarker");
        assert_string_equal(e->label, "face");
        /* engines built on models found on the search path are available
         * with them, else say which model is missing */
        const int built = i == 0 || strcmp(e->name, "opencv_yunet") == 0 ||
                          strcmp(e->name, "opencv_haar") == 0 ||
                          strcmp(e->name, "insightface") == 0 ||
                          strcmp(e->name, "openseeface") == 0 ||
                          strcmp(e->name, "opencv_yunet_pyfeat") == 0 ||
                          strcmp(e->name, "eos") == 0;
        const int available = ft_engine_available(e, why, sizeof why);
        if (i == 0)
            assert_true(available && why[0] == '\0');
        else if (!built)
            assert_true(!available && strstr(why, "not part of this build") != NULL);
        else
            assert_true(available ? why[0] == '\0' : strstr(why, "model") != NULL);
    }
    assert_ptr_equal(ft_engine_find("MediaPipe"), ft_engine_at(0));
    assert_null(ft_engine_find("foo"));
    assert_null(ft_engine_find(NULL));
    assert_false(ft_engine_available(NULL, NULL, 0));
}

/* What the detection-only engines get, with the original's fallbacks. */
static void test_detection_engines(void **state)
{
    (void)state;
    ft_track_config c = resolve_ok(NULL, 0, NULL); /* MediaPipe: none of it */
    assert_string_equal(c.detector_model, "");
    assert_int_equal(c.engine_max_width, 0);

    setenv("STEP5_TRACKING_ENGINE", "opencv_yunet", 1);
    setenv("STEP5_BLENDSHAPES_THROTTLE_N", "3", 1); /* not YuNet's throttle */
    c = resolve_ok(NULL, 0, NULL);
    assert_int_equal(c.engine_max_width, 640);
    assert_int_equal(c.detect_every_n, 1);
    assert_int_equal(c.max_faces, 5);
    setenv("STEP5_YUNET_MODEL_PATH", "/models/yunet.onnx", 1);
    setenv("STEP5_YUNET_MAX_WIDTH", "800", 1);
    setenv("STEP5_OPENCV_MAX_FACES", "3", 1);
    c = resolve_ok(NULL, 0, NULL);
    assert_string_equal(c.detector_model, "/models/yunet.onnx");
    assert_int_equal(c.engine_max_width, 800);
    assert_int_equal(c.max_faces, 3);
    const ft_config_value every[] = {{"detect-every", "4"}};
    assert_int_equal(resolve_ok(every, 1, NULL).detect_every_n, 4);

    /* opencv_haar: its cascade, the OpenCV face cap, detection every frame */
    setenv("STEP5_TRACKING_ENGINE", "opencv_haar", 1);
    setenv("STEP5_OPENCV_HAAR_CASCADE_PATH", "/cascades/lbp.xml", 1);
    c = resolve_ok(NULL, 0, NULL);
    assert_string_equal(c.detector_model, "/cascades/lbp.xml");
    assert_int_equal(c.max_faces, 3);
    assert_int_equal(c.detect_every_n, 1);
    assert_int_equal(resolve_ok(every, 1, NULL).detect_every_n, 4);
    unsetenv("STEP5_OPENCV_HAAR_CASCADE_PATH");

    /* opencv_yunet_pyfeat: YuNet's settings, its own jawOpen scale in place
     * of MediaPipe's, blendshapes on STEP5_BLENDSHAPES_THROTTLE_N */
    setenv("STEP5_TRACKING_ENGINE", "opencv_yunet_pyfeat", 1);
    setenv("STEP5_MEDIAPIPE_JAWOPEN_SCALE", "5", 1);
    c = resolve_ok(NULL, 0, NULL);
    assert_string_equal(c.detector_model, "/models/yunet.onnx");
    assert_int_equal(c.engine_max_width, 800);
    assert_int_equal(c.max_faces, 3);
    assert_int_equal(c.detect_every_n, 1);
    assert_int_equal(c.blendshapes_every, 3);
    assert_float_equal(c.jawopen_scale, 1.0, 1e-6);
    setenv("STEP5_OPENCV_JAWOPEN_SCALE", "2.5", 1);
    assert_float_equal(resolve_ok(NULL, 0, NULL).jawopen_scale, 2.5, 1e-6);
    unsetenv("STEP5_OPENCV_JAWOPEN_SCALE");
    unsetenv("STEP5_MEDIAPIPE_JAWOPEN_SCALE");

    /* InsightFace: max width from STEP5_YUNET_MAX_WIDTH when set (800 here),
     * the throttle from STEP5_BLENDSHAPES_THROTTLE_N */
    setenv("STEP5_TRACKING_ENGINE", "insightface", 1);
    c = resolve_ok(NULL, 0, NULL);
    assert_string_equal(c.detector_model, "");
    assert_int_equal(c.engine_max_width, 800);
    assert_int_equal(c.detect_every_n, 3);
    assert_int_equal(c.detector_size, 640);
    assert_int_equal(c.max_faces, 5);
    unsetenv("STEP5_YUNET_MAX_WIDTH");
    assert_int_equal(resolve_ok(NULL, 0, NULL).engine_max_width, 1280);
    setenv("STEP5_INSIGHTFACE_MAX_WIDTH", "960", 1);
    setenv("STEP5_INSIGHTFACE_DETECT_EVERY_N", "2", 1);
    setenv("STEP5_INSIGHTFACE_MAX_FACES", "2", 1);
    setenv("STEP5_INSIGHTFACE_DET_SIZE", "320", 1);
    setenv("STEP5_INSIGHTFACE_MODEL_PATH", "/models/scrfd.onnx", 1);
    c = resolve_ok(NULL, 0, NULL);
    assert_int_equal(c.engine_max_width, 960);
    assert_int_equal(c.detect_every_n, 2);
    assert_int_equal(c.max_faces, 2);
    assert_int_equal(c.detector_size, 320);
    assert_string_equal(c.detector_model, "/models/scrfd.onnx");
    env_fails("STEP5_INSIGHTFACE_DET_SIZE", "100",
              "STEP5_INSIGHTFACE_DET_SIZE=100 (from environment): must be a multiple of 32 (the "
              "detector's coarsest stride)");
    env_fails("STEP5_INSIGHTFACE_DET_SIZE", "32",
              "STEP5_INSIGHTFACE_DET_SIZE=32 (from environment): must be an integer from 64 to 4096");
    unsetenv("STEP5_INSIGHTFACE_MODEL_PATH");

    /* a model pack folder: its detector, or an error naming the folder */
    assert_int_equal(mkdir("pack", 0700), 0);
    assert_int_equal(mkdir("pack/models", 0700), 0);
    assert_int_equal(mkdir("pack/models/antelopev2", 0700), 0);
    setenv("INSIGHTFACE_HOME", "pack", 1);
    ft_track_config out;
    char err[512];
    assert_int_equal(ft_track_config_resolve(&out, NULL, 0, NULL, err, sizeof err), FT_ERR_NOT_FOUND);
    assert_non_null(strstr(err, "pack/models/antelopev2: no SCRFD detector"));
    FILE *f = fopen("pack/models/antelopev2/scrfd_10g_bnkps.onnx", "w");
    assert_non_null(f);
    fclose(f);
    assert_string_equal(resolve_ok(NULL, 0, NULL).detector_model,
                        "pack/models/antelopev2/scrfd_10g_bnkps.onnx");
    assert_string_equal(resolve_ok(NULL, 0, NULL).landmark_model, "");
    /* its landmark models: 1k3d68 first, as the allowed modules let them */
    static const char *const lms[] = {"pack/models/antelopev2/2d106det.onnx",
                                      "pack/models/antelopev2/1k3d68.onnx"};
    for (int i = 0; i < 2; i++) {
        assert_non_null(f = fopen(lms[i], "w"));
        fclose(f);
        assert_string_equal(resolve_ok(NULL, 0, NULL).landmark_model, lms[i]);
    }
    setenv("STEP5_INSIGHTFACE_ALLOWED_MODULES", "detection,landmark_2d_106", 1);
    assert_string_equal(resolve_ok(NULL, 0, NULL).landmark_model, lms[0]);
    setenv("STEP5_INSIGHTFACE_ALLOWED_MODULES", "detection, genderage", 1);
    c = resolve_ok(NULL, 0, NULL);
    assert_string_equal(c.landmark_model, "");
    assert_int_equal(c.landmarks_off, 1);
    unsetenv("STEP5_INSIGHTFACE_ALLOWED_MODULES");
    setenv("STEP5_INSIGHTFACE_JAWOPEN_SCALE", "1.5", 1);
    assert_float_equal(resolve_ok(NULL, 0, NULL).jawopen_scale, 1.5, 1e-6);
    unsetenv("STEP5_INSIGHTFACE_JAWOPEN_SCALE");
    /* the fixture removes files of its folder only */
    for (int i = 0; i < 2; i++)
        assert_int_equal(unlink(lms[i]), 0);
    assert_int_equal(unlink("pack/models/antelopev2/scrfd_10g_bnkps.onnx"), 0);
    assert_int_equal(rmdir("pack/models/antelopev2"), 0);
    assert_int_equal(rmdir("pack/models"), 0);
    assert_int_equal(rmdir("pack"), 0);
}

/* openseeface's variables with the original's defaults and fallbacks; its
 * models by path, by folder and id, and a missing one named. */
static void test_openseeface_settings(void **state)
{
    fixture *fx = *state;
    setenv("STEP5_TRACKING_ENGINE", "openseeface", 1);
    setenv("FACETRACK_MODEL_PATH", fx->dir, 1);
    ft_track_config c = resolve_ok(NULL, 0, NULL);
    assert_int_equal(c.max_faces, 1);
    assert_float_equal(c.min_detection_confidence, 0.6f, 1e-6);
    assert_int_equal(c.engine_max_width, 640);
    assert_float_equal(c.jawopen_scale, 1.0f, 0.0);
    assert_int_equal(c.detect_every, 10);
    assert_string_equal(c.detector_model, "");
    assert_string_equal(c.landmark_model, "");

    /* fallbacks: STEP5_YUNET_MAX_WIDTH; --max-faces and
     * --min-detection-confidence from the command line only */
    setenv("STEP5_YUNET_MAX_WIDTH", "800", 1);
    setenv("STEP5_MEDIAPIPE_MAX_FACES", "5", 1);
    setenv("STEP5_MEDIAPIPE_JAWOPEN_SCALE", "3", 1);
    const ft_config_value cli[] = {{"STEP5_MEDIAPIPE_MAX_FACES", "3"},
                                   {"min-detection-confidence", "0.3"}};
    c = resolve_ok(NULL, 0, NULL);
    assert_int_equal(c.engine_max_width, 800);
    assert_int_equal(c.max_faces, 1);
    assert_float_equal(c.jawopen_scale, 1.0f, 0.0);
    c = resolve_ok(cli, 2, NULL);
    assert_int_equal(c.max_faces, 3);
    assert_float_equal(c.min_detection_confidence, 0.3f, 1e-6);

    /* its own variables win */
    setenv("STEP5_OPENSEEFACE_MAX_WIDTH", "320", 1);
    setenv("STEP5_OPENSEEFACE_MAX_FACES", "2", 1);
    setenv("STEP5_OPENSEEFACE_DETECTION_THRESHOLD", "0.8", 1);
    setenv("STEP5_OPENSEEFACE_JAWOPEN_SCALE", "2", 1);
    setenv("STEP5_OPENSEEFACE_DETECT_EVERY_N", "4", 1);
    setenv("STEP5_OPENSEEFACE_DETECTION_MODEL_PATH", "/m/det.onnx", 1);
    setenv("STEP5_OPENSEEFACE_LANDMARK_MODEL_PATH", "/m/lm.onnx", 1);
    c = resolve_ok(cli, 2, NULL);
    assert_int_equal(c.engine_max_width, 320);
    assert_int_equal(c.max_faces, 2);
    assert_float_equal(c.min_detection_confidence, 0.8f, 1e-6);
    assert_float_equal(c.jawopen_scale, 2.0f, 0.0);
    assert_int_equal(c.detect_every, 4);
    assert_string_equal(c.detector_model, "/m/det.onnx");
    assert_string_equal(c.landmark_model, "/m/lm.onnx");
    unsetenv("STEP5_OPENSEEFACE_DETECTION_MODEL_PATH");
    unsetenv("STEP5_OPENSEEFACE_LANDMARK_MODEL_PATH");

    /* a folder and an id: the original's names, or the prefixed ones */
    FILE *f = fopen("mnv3_detection_opt.onnx", "w");
    FILE *g = fopen("openseeface_lm_model2_opt.onnx", "w");
    assert_non_null(f);
    assert_non_null(g);
    fclose(f);
    fclose(g);
    char want[1024];
    setenv("STEP5_OPENSEEFACE_MODELS_DIR", fx->dir, 1);
    setenv("STEP5_OPENSEEFACE_MODEL_ID", "2", 1);
    c = resolve_ok(NULL, 0, NULL);
    snprintf(want, sizeof want, "%s/mnv3_detection_opt.onnx", fx->dir);
    assert_string_equal(c.detector_model, want);
    snprintf(want, sizeof want, "%s/openseeface_lm_model2_opt.onnx", fx->dir);
    assert_string_equal(c.landmark_model, want);
    setenv("STEP5_OPENSEEFACE_MODEL_ID", "3", 1);
    snprintf(want, sizeof want,
             "%s/lm_model3_opt.onnx not found (STEP5_OPENSEEFACE_MODELS_DIR, "
             "STEP5_OPENSEEFACE_MODEL_ID=3)",
             fx->dir);
    expect_error(NULL, 0, NULL, FT_ERR_NOT_FOUND, want);
    /* an id alone: on the model search path */
    unsetenv("STEP5_OPENSEEFACE_MODELS_DIR");
    setenv("STEP5_OPENSEEFACE_MODEL_ID", "2", 1);
    c = resolve_ok(NULL, 0, NULL);
    snprintf(want, sizeof want, "%s/openseeface_lm_model2_opt.onnx", fx->dir);
    assert_string_equal(c.landmark_model, want);
    assert_string_equal(c.detector_model, "");
    setenv("STEP5_OPENSEEFACE_MODEL_ID", "4", 1);
    expect_error(NULL, 0, NULL, FT_ERR_NOT_FOUND,
                 "lm_model4_opt.onnx not found on the model search path "
                 "(with STEP5_OPENSEEFACE_MODEL_ID=4)");
    env_fails("STEP5_OPENSEEFACE_MODEL_ID", "5",
              "STEP5_OPENSEEFACE_MODEL_ID=5 (from environment): must be an integer from 0 to 4");
}

static void test_gpu_engines(void **state)
{
    (void)state;
    setenv("STEP5_GPU_ENGINES", " InsightFace , ALL ", 1);
    assert_string_equal(resolve_ok(NULL, 0, NULL).gpu_engines, "insightface,all");
    setenv("STEP5_GPU_ENGINES", ",insightface,,open seeface,", 1);
    assert_string_equal(resolve_ok(NULL, 0, NULL).gpu_engines, "insightface,openseeface");
    setenv("STEP5_GPU_ENGINES", "mediapipe", 1);
    assert_string_equal(resolve_ok(NULL, 0, NULL).gpu_engines, "mediapipe_landmarker");
    env_fails("STEP5_GPU_ENGINES", "insightface,bogus",
              "STEP5_GPU_ENGINES=insightface,bogus (from environment): unknown engine 'bogus' "
              "(known: mediapipe_landmarker, mediapipe, opencv_haar, opencv_yunet, "
              "opencv_yunet_pyfeat, openseeface, eos, insightface, all)");

    /* 26 times "insightface," is 312 characters. */
    char lots[400] = "";
    for (int i = 0; i < 26; i++)
        strcat(lots, "insightface,");
    setenv("STEP5_GPU_ENGINES", lots, 1);
    ft_track_config cfg;
    char err[512];
    assert_int_equal(ft_track_config_resolve(&cfg, NULL, 0, NULL, err, sizeof err),
                     FT_ERR_INVALID_ARG);
    assert_non_null(strstr(err, "(from environment): too long (255 characters at most)"));
}

static void test_profiles(void **state)
{
    (void)state;
    static const struct {
        const char *value;
        ft_blendshape_profile profile;
    } cases[] = {{"full", FT_BLENDSHAPES_FULL},   {"ALL", FT_BLENDSHAPES_FULL},
                 {"", FT_BLENDSHAPES_FULL},       {"none", FT_BLENDSHAPES_NONE},
                 {"Off", FT_BLENDSHAPES_NONE},    {"0", FT_BLENDSHAPES_NONE},
                 {"false", FT_BLENDSHAPES_NONE},  {"no", FT_BLENDSHAPES_NONE},
                 {"mouth", FT_BLENDSHAPES_MOUTH}, {"mediapipe", FT_BLENDSHAPES_MEDIAPIPE}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        setenv("STEP5_BLENDSHAPES_PROFILE", cases[i].value, 1);
        assert_int_equal(resolve_ok(NULL, 0, NULL).blendshape_profile, cases[i].profile);
    }
    env_fails("STEP5_BLENDSHAPES_PROFILE", "lips",
              "STEP5_BLENDSHAPES_PROFILE=lips (from environment): must be one of full, all, "
              "none, off, 0, false, no, mouth, mediapipe, custom");

    /* custom needs its list. */
    write_dotenv("STEP5_BLENDSHAPES_PROFILE=custom\n");
    unsetenv("STEP5_BLENDSHAPES_PROFILE");
    expect_error(NULL, 0, NULL, FT_ERR_INVALID_ARG,
                 "STEP5_BLENDSHAPES_PROFILE=custom (from .env): needs "
                 "STEP5_BLENDSHAPES_EXPORT_KEYS (comma-separated blendshape names)");
    setenv("STEP5_BLENDSHAPES_EXPORT_KEYS", " , ", 1); /* no name in it */
    expect_error(NULL, 0, NULL, FT_ERR_INVALID_ARG,
                 "STEP5_BLENDSHAPES_PROFILE=custom (from .env): needs "
                 "STEP5_BLENDSHAPES_EXPORT_KEYS (comma-separated blendshape names)");
    setenv("STEP5_BLENDSHAPES_EXPORT_KEYS", "jawOpen", 1);
    ft_track_config cfg = resolve_ok(NULL, 0, NULL);
    assert_int_equal(cfg.blendshape_profile, FT_BLENDSHAPES_CUSTOM);
    assert_int_equal(cfg.export_key_count, 1);
}

static void test_export_keys(void **state)
{
    (void)state;
    setenv("STEP5_BLENDSHAPES_EXPORT_KEYS",
           " jawOpen , mouthSmileLeft,,tongueOut,jawOpen, _neutral", 1);
    ft_track_config cfg = resolve_ok(NULL, 0, NULL);
    assert_int_equal(cfg.export_key_count, 4); /* the repeat is kept once */
    assert_string_equal(cfg.export_keys[0], "jawOpen");
    assert_string_equal(cfg.export_keys[1], "mouthSmileLeft");
    assert_string_equal(cfg.export_keys[2], "tongueOut");
    assert_string_equal(cfg.export_keys[3], "_neutral");

    /* Every name at once. */
    char all[2048] = "tongueOut";
    int n = 0;
    for (; ft_face_blendshape_name(n); n++) {
        strcat(all, ",");
        strcat(all, ft_face_blendshape_name(n));
    }
    assert_int_equal(n, 52);
    setenv("STEP5_BLENDSHAPES_EXPORT_KEYS", all, 1);
    cfg = resolve_ok(NULL, 0, NULL);
    assert_int_equal(cfg.export_key_count, 53);
    assert_string_equal(cfg.export_keys[52], ft_face_blendshape_name(51));

    env_fails("STEP5_BLENDSHAPES_EXPORT_KEYS", "jawOpen, smile ",
              "STEP5_BLENDSHAPES_EXPORT_KEYS=jawOpen, smile  (from environment): unknown "
              "blendshape 'smile' (MediaPipe's names, e.g. jawOpen, or tongueOut)");
    env_fails("STEP5_BLENDSHAPES_EXPORT_KEYS", "JawOpen", /* names are case-sensitive */
              "STEP5_BLENDSHAPES_EXPORT_KEYS=JawOpen (from environment): unknown "
              "blendshape 'JawOpen' (MediaPipe's names, e.g. jawOpen, or tongueOut)");
    env_fails("STEP5_BLENDSHAPES_EXPORT_KEYS", "aVeryLongNameThatIsNoBlendshapeAtAll",
              "STEP5_BLENDSHAPES_EXPORT_KEYS=aVeryLongNameThatIsNoBlendshapeAtAll (from "
              "environment): unknown blendshape 'aVeryLongNameThatIsNoBlendshapeAtAll' "
              "(MediaPipe's names, e.g. jawOpen, or tongueOut)");
}

static void test_shards(void **state)
{
    (void)state;
    static const struct {
        const char *value;
        int k, n;
    } good[] = {{"1/1", 1, 1}, {"2/4", 2, 4}, {"4/4", 4, 4}, {" 3/10 ", 3, 10}};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        ft_config_value v = {"shard", good[i].value};
        ft_track_config cfg = resolve_ok(&v, 1, NULL);
        assert_int_equal(cfg.shard_index, good[i].k);
        assert_int_equal(cfg.shard_count, good[i].n);
    }
    static const char *const bad[] = {"0/4", "5/4", "2", "2/", "/4", "a/b", "2/4/6", "2 /4",
                                      "-1/2", "1/99999999999999999999", ""};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char want[256];
        snprintf(want, sizeof want,
                 "--shard=%s (from command line): must be K/N with 1 <= K <= N (e.g. 2/4)",
                 bad[i]);
        cli_fails("shard", bad[i], want);
    }
}

static void test_choices(void **state)
{
    (void)state;
    cli_fails("format", "xml", "--format=xml (from command line): must be one of raw, reduced");
    cli_fails("progress", "fancy",
              "--progress=fancy (from command line): must be one of auto, bar, json, legacy, none");
    char path[1100];
    memset(path, 'a', 1024);
    path[1024] = '\0';
    ft_config_value v = {"output-dir", path};
    ft_track_config cfg;
    char err[1600];
    assert_int_equal(ft_track_config_resolve(&cfg, &v, 1, NULL, err, sizeof err),
                     FT_ERR_INVALID_ARG);
    /* The value shown is cut short too. */
    char want[300];
    snprintf(want, sizeof want,
             "--output-dir=%.156s... (from command line): too long (1023 bytes at most)", path);
    assert_string_equal(err, want);
    path[1023] = '\0';
    assert_int_equal(strlen(resolve_ok(&v, 1, NULL).output_dir), 1023);
}

static void test_env_files(void **state)
{
    (void)state;
    /* A named file is read instead of ./.env. */
    write_dotenv("STEP5_MEDIAPIPE_MAX_FACES=2\n");
    write_file("named.env", "export STEP5_MEDIAPIPE_MAX_FACES='3' # three\n");
    assert_int_equal(resolve_ok(NULL, 0, NULL).max_faces, 2);
    assert_int_equal(resolve_ok(NULL, 0, "named.env").max_faces, 3);
    assert_null(getenv("STEP5_MEDIAPIPE_MAX_FACES")); /* .env never reaches the environment */

    /* A named file must exist; ./.env need not. */
    expect_error(NULL, 0, "missing.env", FT_ERR_NOT_FOUND,
                 "missing.env: cannot open: No such file or directory");
    unlink(".env");
    assert_int_equal(resolve_ok(NULL, 0, NULL).max_faces, 5);

    /* A malformed line stops everything, named by file and line. */
    write_dotenv("# ok\nSTEP5_MEDIAPIPE_MAX_FACES 4\n");
    expect_error(NULL, 0, NULL, FT_ERR_FORMAT, ".env:2: expected KEY=VALUE");
}

static void test_caller_mistakes(void **state)
{
    (void)state;
    ft_config_value unknown[] = {{"STEP5_MEDIAPIPE_MAX_FACES", "3"}, {"bogus", "1"}};
    expect_error(unknown, 2, NULL, FT_ERR_INVALID_ARG,
                 "internal error: unknown setting 'bogus' from the command line");
    /* An environment-backed setting goes by its variable, not its flag. */
    ft_config_value flag = {"max-faces", "3"};
    expect_error(&flag, 1, NULL, FT_ERR_INVALID_ARG,
                 "internal error: unknown setting 'max-faces' from the command line");
    ft_config_value no_value = {"force", NULL};
    expect_error(&no_value, 1, NULL, FT_ERR_INVALID_ARG,
                 "internal error: no value for setting 'force' from the command line");
    assert_int_equal(ft_track_config_resolve(NULL, NULL, 0, NULL, NULL, 0), FT_ERR_INVALID_ARG);
    ft_track_config cfg;
    assert_int_equal(ft_track_config_resolve(&cfg, NULL, 1, NULL, NULL, 0), FT_ERR_INVALID_ARG);
    assert_int_equal(ft_track_config_resolve(&cfg, NULL, 0, NULL, NULL, 0), FT_OK); /* no ERR */
}

/* eos: YuNet's model, its own width (1280), faces and throttle with the
 * original's fallbacks, its jawOpen scale, its model files. */
static void test_eos_settings(void **state)
{
    (void)state;
    setenv("STEP5_TRACKING_ENGINE", "eos", 1);
    ft_track_config c = resolve_ok(NULL, 0, NULL);
    assert_int_equal(c.engine_max_width, 1280);
    assert_int_equal(c.detect_every_n, 1);
    assert_int_equal(c.max_faces, 5);
    assert_float_equal(c.jawopen_scale, 1.0, 1e-6);
    assert_string_equal(c.eos_models_dir, "");
    /* STEP5_OPENCV_MAX_FACES, then STEP5_EOS_MAX_FACES; the throttle */
    setenv("STEP5_OPENCV_MAX_FACES", "3", 1);
    setenv("STEP5_BLENDSHAPES_THROTTLE_N", "2", 1);
    setenv("STEP5_YUNET_MODEL_PATH", "/models/yunet.onnx", 1);
    c = resolve_ok(NULL, 0, NULL);
    assert_int_equal(c.max_faces, 3);
    assert_int_equal(c.detect_every_n, 2);
    assert_string_equal(c.detector_model, "/models/yunet.onnx");
    setenv("STEP5_EOS_MAX_FACES", "2", 1);
    setenv("STEP5_EOS_FIT_EVERY_N", "4", 1);
    setenv("STEP5_EOS_MAX_WIDTH", "640", 1);
    setenv("STEP5_EOS_JAWOPEN_SCALE", "2.5", 1);
    setenv("STEP5_EOS_MODELS_DIR", "/models/eos", 1);
    setenv("STEP5_EOS_SFM_MODEL_PATH", "/elsewhere/sfm.bin", 1);
    c = resolve_ok(NULL, 0, NULL);
    assert_int_equal(c.max_faces, 2);
    assert_int_equal(c.detect_every_n, 4);
    assert_int_equal(c.engine_max_width, 640);
    assert_float_equal(c.jawopen_scale, 2.5, 1e-6);
    assert_string_equal(c.eos_models_dir, "/models/eos");
    assert_string_equal(c.eos_shape, "/elsewhere/sfm.bin");
}

static void test_config_untouched_on_error(void **state)
{
    (void)state;
    ft_track_config cfg, before;
    memset(&cfg, 0x5a, sizeof cfg);
    before = cfg;
    setenv("STEP5_GPU_MAX_VRAM_MB", "12", 1);
    assert_int_equal(ft_track_config_resolve(&cfg, NULL, 0, NULL, NULL, 0), FT_ERR_INVALID_ARG);
    assert_memory_equal(&cfg, &before, sizeof cfg);
}

/* ---- a run's resolution: lenient outside the command line ------------ */

/* The warnings logged while resolving, one per line. */
static char warnings[8192];

static void collect(ft_log_level level, const char *message, void *user)
{
    (void)user;
    if (level == FT_LOG_WARN && strlen(warnings) + strlen(message) + 2 < sizeof warnings) {
        strcat(warnings, message);
        strcat(warnings, "\n");
    }
}

static ft_status resolve_run(ft_track_config *cfg, const ft_config_value *cli, size_t n,
                             const char *env_file, char *err)
{
    warnings[0] = '\0';
    ft_log_set_sink(collect, NULL);
    const ft_status st = ft_track_config_resolve_run(cfg, cli, n, env_file, err, 512);
    ft_log_set_sink(NULL, NULL);
    return st;
}

static void test_run_invalid_outside_cli_takes_default(void **state)
{
    (void)state;
    ft_track_config cfg;
    char err[512];
    write_dotenv("STEP5_BLENDSHAPES_THROTTLE_N=0\nSTEP5_BLENDSHAPES_PROFILE=custom\n");
    setenv("STEP5_INSIGHTFACE_DET_SIZE", "100", 1);
    setenv("STEP5_ENGINE_TYPO", "1", 1); /* not one of ours: STEP5_ but unknown */
    setenv("STEP5_TRACKING_ENGINE", "insightface", 1);
    assert_int_equal(resolve_run(&cfg, NULL, 0, NULL, err), FT_OK);
    assert_int_equal(cfg.blendshapes_every, 1);
    assert_int_equal(cfg.blendshape_profile, FT_BLENDSHAPES_FULL);
    assert_int_equal(cfg.insightface_det_size, 640);
    assert_non_null(strstr(warnings, "STEP5_BLENDSHAPES_THROTTLE_N=0 (from .env): must be an "
                                     "integer >= 1; using the default 1\n"));
    assert_non_null(strstr(warnings, "STEP5_BLENDSHAPES_PROFILE=custom (from .env): needs "
                                     "STEP5_BLENDSHAPES_EXPORT_KEYS"));
    assert_non_null(strstr(warnings, "STEP5_INSIGHTFACE_DET_SIZE=100 (from environment): must be "
                                     "a multiple of 32 (the detector's coarsest stride); using "
                                     "the default 640\n"));
    assert_non_null(strstr(warnings, "ignored: STEP5_ENGINE_TYPO (unknown setting, from "
                                     "environment)\n"));
    unsetenv("STEP5_ENGINE_TYPO");
    unsetenv("STEP5_TRACKING_ENGINE");
    unsetenv("STEP5_INSIGHTFACE_DET_SIZE");
    /* The same values on the command line stay errors. */
    ft_config_value cli = {"STEP5_BLENDSHAPES_THROTTLE_N", "0"};
    assert_int_equal(resolve_run(&cfg, &cli, 1, NULL, err), FT_ERR_INVALID_ARG);
    assert_string_equal(err, "--blendshapes-every=0 (from command line): must be an integer >= 1");
    /* An unknown engine stays an error from anywhere, as the original failed. */
    unlink(".env");
    setenv("STEP5_TRACKING_ENGINE", "nosuch", 1);
    assert_int_equal(resolve_run(&cfg, NULL, 0, NULL, err), FT_ERR_INVALID_ARG);
    unsetenv("STEP5_TRACKING_ENGINE");
}

static void test_run_names_ignored_variables(void **state)
{
    (void)state;
    ft_track_config cfg;
    char err[512];
    write_dotenv("STEP5_PYFEAT_STRICT=1\nHF_AUTH_TOKEN=x\n");
    setenv("STEP5_OPENCV_JAWOPEN_SCALE", "2", 1);
    assert_int_equal(resolve_run(&cfg, NULL, 0, NULL, err), FT_OK);
    assert_non_null(strstr(warnings, "ignored: STEP5_PYFEAT_STRICT (not supported: "));
    /* honoured by opencv_yunet_pyfeat, so not named with mediapipe_landmarker */
    assert_null(strstr(warnings, "STEP5_OPENCV_JAWOPEN_SCALE"));
    assert_null(strstr(warnings, "HF_AUTH_TOKEN"));
    ft_config_value engine = {"STEP5_TRACKING_ENGINE", "opencv_yunet"};
    assert_int_equal(resolve_run(&cfg, &engine, 1, NULL, err), FT_OK);
    assert_non_null(strstr(warnings, "ignored: STEP5_OPENCV_JAWOPEN_SCALE (not supported: the "
                                     "opencv_yunet engine gives no blendshapes)\n"));
    unsetenv("STEP5_OPENCV_JAWOPEN_SCALE");
    /* once per run each */
    const char *first = strstr(warnings, "STEP5_PYFEAT_STRICT");
    assert_null(strstr(first + 1, "STEP5_PYFEAT_STRICT"));
    unlink(".env");
    assert_int_equal(resolve_run(&cfg, NULL, 0, NULL, err), FT_OK);
    assert_string_equal(warnings, "");
}

static void test_run_env_file_lookup(void **state)
{
    (void)state;
    ft_track_config cfg;
    char err[512];
    assert_int_equal(mkdir("root", 0755), 0);
    write_file("root/.env", "STEP5_MEDIAPIPE_MAX_FACES=3\n");
    write_dotenv("STEP5_MEDIAPIPE_MAX_FACES=4\n");
    assert_int_equal(resolve_run(&cfg, NULL, 0, NULL, err), FT_OK);
    assert_int_equal(cfg.max_faces, 4); /* ./.env */
    setenv("FACETRACK_ENV_FILE", "root", 1);
    assert_int_equal(resolve_run(&cfg, NULL, 0, NULL, err), FT_OK);
    assert_int_equal(cfg.max_faces, 3); /* the folder's .env */
    setenv("FACETRACK_ENV_FILE", "root/.env", 1);
    assert_int_equal(resolve_run(&cfg, NULL, 0, NULL, err), FT_OK);
    assert_int_equal(cfg.max_faces, 3);
    assert_int_equal(resolve_run(&cfg, NULL, 0, ".env", err), FT_OK);
    assert_int_equal(cfg.max_faces, 4); /* a named file wins */
    setenv("FACETRACK_ENV_FILE", "root/missing.env", 1);
    assert_int_equal(resolve_run(&cfg, NULL, 0, NULL, err), FT_ERR_NOT_FOUND);
    assert_non_null(strstr(err, "root/missing.env"));
    unsetenv("FACETRACK_ENV_FILE");
    unlink("root/.env");
    rmdir("root");
    unlink(".env");
}

static void test_known_settings_and_flags(void **state)
{
    (void)state;
    const char *name, *def, *why;
    size_t honoured = 0, ignored = 0;
    for (size_t i = 0; ft_track_config_known(i, &name, &def, &why); i++) {
        assert_true(strncmp(name, "STEP5_", 6) == 0 || strncmp(name, "TRACKING_", 9) == 0 ||
                    strcmp(name, "INSIGHTFACE_HOME") == 0);
        for (size_t k = 0; k < i; k++) { /* each name once */
            const char *other, *d2, *w2;
            ft_track_config_known(k, &other, &d2, &w2);
            assert_string_not_equal(other, name);
        }
        *(why ? &ignored : &honoured) += 1;
    }
    /* the ignored list shrinks as engines that read them are built */
    assert_true(honoured >= 30 && ignored >= 10);
    const char *setting;
    int takes_value;
    assert_true(ft_track_original_flag("--mp_landmarker_num_faces", &setting, &takes_value, &why));
    assert_string_equal(setting, "STEP5_MEDIAPIPE_MAX_FACES");
    assert_int_equal(takes_value, 1);
    assert_null(why);
    assert_true(ft_track_original_flag("--models_dir", &setting, &takes_value, &why));
    assert_null(setting);
    assert_non_null(why);
    assert_false(ft_track_original_flag("--no_such_flag", &setting, &takes_value, &why));
}

int main(void)
{
#define TEST(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
    const struct CMUnitTest tests[] = {
        TEST(test_defaults),
        TEST(test_layers_per_setting),
        TEST(test_layers_of_text_settings),
        TEST(test_empty_env_counts),
        TEST(test_cli_only_settings),
        TEST(test_repeated_flag_last_wins),
        TEST(test_message_shape),
        TEST(test_invalid_integers),
        TEST(test_invalid_numbers),
        TEST(test_booleans),
        TEST(test_enable_gpu_exactly_one),
        TEST(test_engines),
        TEST(test_detection_engines),
        TEST(test_openseeface_settings),
        TEST(test_eos_settings),
        TEST(test_gpu_engines),
        TEST(test_profiles),
        TEST(test_export_keys),
        TEST(test_shards),
        TEST(test_choices),
        TEST(test_env_files),
        TEST(test_caller_mistakes),
        TEST(test_config_untouched_on_error),
        TEST(test_run_invalid_outside_cli_takes_default),
        TEST(test_run_names_ignored_variables),
        TEST(test_run_env_file_lookup),
        TEST(test_known_settings_and_flags),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
