/* facetrack reduce: STEP6 of the original workflow on files already there:
 * raw STEP5 <stem>.json into <stem>_tracking.json, STEP4 <stem>_audio.json
 * into its reduced form with speaker statistics. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "cli/batch_io.h"
#include "cli/cli.h"
#include "facetrack.h"
#include "track/reduce_file.h"

static const char usage[] =
    "usage: facetrack reduce [options] [--] FILE|FOLDER...\n"
    "\n"
    "Does what the original workflow's STEP6 did to the files STEP4 and STEP5\n"
    "wrote: a raw tracking file <stem>.json becomes <stem>_tracking.json (per\n"
    "object only id, centroid_x, source, label, confidence, active_speakers and\n"
    "the box size; fps, total_frames, and the temporal alignment with a\n"
    "<stem>_audio.json beside it); an audio analysis <stem>_audio.json is\n"
    "rewritten reduced, with speaker_stats. Files are recognised by their\n"
    "content. Folders are searched recursively for *.json: raw tracking files\n"
    "and audio analyses are reduced, other JSON files are left alone. An\n"
    "output that exists and is already reduced (and not older than its input)\n"
    "is skipped unless --force. Outputs appear whole or not at all.\n"
    "\n"
    "options:\n"
    "  -o, --output-dir DIR   where outputs go (default: beside each input)\n"
    "  --pretty               indented JSON, byte for byte as the original wrote\n"
    "                         it (default: compact)\n"
    "  --force                redo outputs that are complete\n"
    "\n"
    "Exit status: 0 when every file was reduced (or skipped), 1 when a file\n"
    "could not be (one line on stderr naming it and why: not JSON, cut short,\n"
    "not a tracking file or an audio analysis; the others are still done), 2\n"
    "on a usage error, 128 + the signal when stopped by one. See\n"
    "docs/batch_tracking.md.\n";

typedef struct reduce_run {
    const char *output_dir;
    int force;
    ft_reduce_options options;
    size_t total, reduced, skipped, failed;
} reduce_run;

static int is_json_name(const char *name)
{
    const size_t n = strlen(name);
    return n > 5 && strcasecmp(name + n - 5, ".json") == 0;
}

/* Reduces PATH. A file found in a folder is taken only when it is a raw
 * tracking file or an audio analysis: reduced tracking files there are
 * outputs, and other JSON files are not ours. */
static void reduce_one(reduce_run *r, const char *path, int found_in_folder)
{
    char err[1024], output[4096];
    ft_reduce_kind kind;
    if (ft_reduce_classify(path, &kind, err, sizeof err) != FT_OK) {
        fprintf(stderr, "facetrack reduce: %s\n", err);
        r->total++;
        r->failed++;
        return;
    }
    if (found_in_folder && (kind == FT_REDUCE_OTHER || kind == FT_REDUCE_TRACKING)) {
        ft_log(FT_LOG_DEBUG, "%s: left alone (%s)", path,
               kind == FT_REDUCE_OTHER ? "neither a tracking file nor an audio analysis"
                                       : "already a reduced tracking file");
        return;
    }
    r->total++;
    if (kind == FT_REDUCE_OTHER) {
        fprintf(stderr,
                "facetrack reduce: %s: neither a tracking file (\"frames\") nor an audio "
                "analysis (\"frames_analysis\")\n",
                path);
        r->failed++;
        return;
    }
    if (ft_reduce_output_path(path, kind, r->output_dir, output, sizeof output) != FT_OK) {
        fprintf(stderr, "facetrack reduce: %s: output name too long\n", path);
        r->failed++;
        return;
    }
    if (!r->force && ft_reduce_output_complete(path, kind, output)) {
        printf("skipped %s: %s is complete (--force redoes it)\n", path, output);
        r->skipped++;
        return;
    }
    if (ft_reduce_file(path, kind, output, &r->options, err, sizeof err) != FT_OK) {
        if (!atomic_load(&ft_cli_stop_signal))
            fprintf(stderr, "facetrack reduce: %s\n", err);
        r->failed++;
        return;
    }
    printf("reduced %s -> %s\n", path, output);
    r->reduced++;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
    return strcmp((*a)->d_name, (*b)->d_name);
}

/* Every *.json under DIR, in name order, folders recursively (hidden
 * entries and links to folders left out). 0, or -1 when DIR itself cannot
 * be read. */
static int reduce_folder(reduce_run *r, const char *dir, int depth)
{
    struct dirent **entries;
    const int n = scandir(dir, &entries, NULL, by_name);
    if (n < 0) {
        if (depth == 0)
            return -1;
        ft_log(FT_LOG_WARN, "%s: cannot read: %s", dir, strerror(errno));
        return 0;
    }
    for (int i = 0; i < n; i++) {
        const char *name = entries[i]->d_name;
        char path[4096];
        struct stat sb;
        if (name[0] != '.' && !atomic_load(&ft_cli_stop_signal) &&
            snprintf(path, sizeof path, "%s%s%s", dir, dir[strlen(dir) - 1] == '/' ? "" : "/",
                     name) < (int)sizeof path &&
            lstat(path, &sb) == 0) {
            if (S_ISDIR(sb.st_mode) && depth < 64)
                reduce_folder(r, path, depth + 1);
            else if (is_json_name(name) && stat(path, &sb) == 0 && S_ISREG(sb.st_mode))
                reduce_one(r, path, 1);
        }
        free(entries[i]);
    }
    free(entries);
    return 0;
}

static int run_reduce(int argc, char **argv)
{
    reduce_run r = {0};
    char **inputs = calloc((size_t)argc, sizeof *inputs);
    int input_count = 0, only_paths = 0;
    if (!inputs)
        return FT_EXIT_FAILED;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (only_paths || a[0] != '-' || strcmp(a, "-") == 0) {
            inputs[input_count++] = argv[i];
        } else if (strcmp(a, "--") == 0) {
            only_paths = 1;
        } else if (strcmp(a, "-o") == 0 || strcmp(a, "--output-dir") == 0) {
            if (i + 1 >= argc || !*argv[i + 1]) {
                free(inputs);
                return ft_cli_usage_error("reduce", "%s needs a folder", a);
            }
            r.output_dir = argv[++i];
        } else if (strcmp(a, "--force") == 0) {
            r.force = 1;
        } else if (strcmp(a, "--pretty") == 0) {
            r.options.pretty = 1;
        } else {
            free(inputs);
            return ft_cli_usage_error("reduce", "unknown option '%s'", a);
        }
    }
    if (input_count == 0) {
        free(inputs);
        return ft_cli_usage_error("reduce", "no file or folder given");
    }
    if (r.output_dir && ft_cli_make_dirs(r.output_dir) != 0) {
        fprintf(stderr, "facetrack reduce: %s: cannot create: %s\n", r.output_dir,
                strerror(errno));
        free(inputs);
        return FT_EXIT_FAILED;
    }
    ft_cli_catch_batch_signals();
    r.options.stop = &ft_cli_stop_signal;
    for (int i = 0; i < input_count && !atomic_load(&ft_cli_stop_signal); i++) {
        struct stat sb;
        if (stat(inputs[i], &sb) != 0) {
            fprintf(stderr, "facetrack reduce: %s: %s\n", inputs[i], strerror(errno));
            r.total++;
            r.failed++;
        } else if (S_ISDIR(sb.st_mode)) {
            if (reduce_folder(&r, inputs[i], 0) != 0) {
                fprintf(stderr, "facetrack reduce: %s: cannot read: %s\n", inputs[i],
                        strerror(errno));
                r.failed++;
            }
        } else if (S_ISREG(sb.st_mode)) {
            reduce_one(&r, inputs[i], 0);
        } else {
            fprintf(stderr, "facetrack reduce: %s: not a regular file or folder\n", inputs[i]);
            r.total++;
            r.failed++;
        }
    }
    free(inputs);
    const int stopped = atomic_load(&ft_cli_stop_signal);
    if (stopped)
        return 128 + stopped;
    printf("reduced %zu of %zu files (%zu skipped, %zu failed)\n", r.reduced, r.total, r.skipped,
           r.failed);
    return r.failed ? FT_EXIT_FAILED : FT_EXIT_OK;
}

const ft_command ft_cmd_reduce = {"reduce",
                                  "STEP6: raw tracking and audio JSON into their reduced forms",
                                  usage, run_reduce};
