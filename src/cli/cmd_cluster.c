/* facetrack cluster: batch runs of `track` or `scenes` as Slurm job arrays
 * (submit), followed (status) and finished (resume) from the state the
 * submission keeps beside the outputs (cluster/cluster_job.h). Slurm's
 * commands run as child processes (cluster/slurm_command.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "cli/batch_io.h"
#include "cli/cli.h"
#include "cluster/cluster_job.h"
#include "cluster/slurm_command.h"
#include "track/progress_events.h"
#include "track/video_list.h"

static const char usage[] =
    "usage: facetrack cluster submit [options] [track|scenes] [STEP OPTIONS] VIDEO|FOLDER...\n"
    "       facetrack cluster run [options] [track|scenes] [STEP OPTIONS] VIDEO|FOLDER...\n"
    "       facetrack cluster status [--state-dir DIR] [--json] JOBID\n"
    "       facetrack cluster resume [--state-dir DIR] [--dry-run] JOBID\n"
    "\n"
    "Runs `facetrack track` (default) or `facetrack scenes` over many videos as a\n"
    "Slurm job array on a shared file system: array task I runs the step with\n"
    "--shard I+1/N over the list of videos fixed at submission. Outputs go where\n"
    "the step puts them (next to the videos, or -o DIR); complete outputs are\n"
    "skipped, as the step skips them.\n"
    "\n"
    "submit writes the batch script and the job's state into DIR/JOBID, submits\n"
    "it with sbatch and prints the job id. Its options, also in one word\n"
    "(--tasks=4; the others are the step's own, see `facetrack help track`,\n"
    "`facetrack help scenes`):\n"
    "  --tasks N              the array's size (default 1; at most one per video)\n"
    "  --partition NAME       sbatch --partition\n"
    "  --cpus-per-task N      sbatch --cpus-per-task (track's --workers default to them)\n"
    "  --gpus-per-task N      sbatch --gres=gpu:N; track runs with --gpu\n"
    "  --time LIMIT           sbatch --time (minutes, or [D-]HH:MM:SS)\n"
    "  --account NAME         sbatch --account\n"
    "  --extra-sbatch ARG     one more sbatch argument, as an #SBATCH line\n"
    "                         (repeatable): --extra-sbatch --qos=high\n"
    "  --state-dir DIR        where jobs keep their state (default:\n"
    "                         ./.facetrack-cluster)\n"
    "  --program PATH         the facetrack program the tasks run (default: this\n"
    "                         one; it must be reachable from the nodes)\n"
    "  --dry-run              print the batch script; submit nothing\n"
    "\n"
    "run submits as submit does, then follows the array to its end: the tasks'\n"
    "progress events on stdout (the protocol of `track --progress json`), their\n"
    "logs on stderr; SIGINT or SIGTERM cancels it (what `serve --executor slurm`\n"
    "runs for each step of a job).\n"
    "\n"
    "status prints each task's state (from squeue, sacct when Slurm keeps\n"
    "accounting, else the task's own exit status) and how many of its videos\n"
    "are done, running, failed or pending, read from the outputs and the\n"
    "tasks' progress files; --json as one JSON object.\n"
    "\n"
    "resume submits again only the tasks some of whose videos are not\n"
    "complete (and are not queued or running); complete outputs are never\n"
    "redone. Cancel with scancel: a cancelled task leaves no partial output.\n"
    "\n"
    "Slurm's commands (sbatch, squeue, sacct, scontrol) are looked up on PATH\n"
    "and read SLURM_CONF as usual; the tasks get the submitting environment\n"
    "(FACETRACK_MODEL_PATH, STEP5_* settings). See docs/cluster.md.\n"
    "\n"
    "Exit status: 0 on success, 1 when Slurm is missing or refuses (one line\n"
    "naming the command and Slurm's message), an input is missing or (run) a\n"
    "task failed, 2 on a usage error, 128 + the signal when run was stopped.\n";

#define SLURM_TIMEOUT_S 60
#define CMD "cluster"

static int listed(const char *const *list, const char *word)
{
    for (; *list; list++)
        if (strcmp(*list, word) == 0)
            return 1;
    return 0;
}

/* Whether OPT, an option of the step whose help text is USAGE, takes a
 * value: 1 or 0, -1 when the step has no such option. Read from the
 * step's own help, where each option line names it followed by one blank
 * and its value ("  --workers N    ..."), or by two or more blanks or a
 * comma when it is a switch, so that an option the step gains is known
 * here without a list to keep in step. */
static int step_option_takes_value(const char *help, const char *opt)
{
    /* The original manager's spellings, accepted by track but not listed. */
    static const char *const aliases_with_value[] = {"--tracking_engine", "--cpu_internal_workers",
                                                     "--videos_json_path", NULL};
    if (listed(aliases_with_value, opt))
        return 1;
    if (strcmp(opt, "--disable_gpu") == 0)
        return 0;
    const size_t n = strlen(opt);
    for (const char *line = help; *line;) {
        const char *end = strchr(line, '\n');
        if (!end)
            end = line + strlen(line);
        /* Option lines only: a dash after an indent of two blanks (prose
         * that starts with an option's name is not indented). */
        const char *p = strncmp(line, "  -", 3) == 0 ? line + 2 : end;
        for (; p < end && *p == '-'; ) {
            if ((size_t)(end - p) >= n && strncmp(p, opt, n) == 0 &&
                (p + n == end || p[n] == ' ' || p[n] == ','))
                return p[n] == ' ' && p + n + 1 < end && p[n + 1] != ' ' && p[n + 1] != '-';
            /* The next option of the same line ("--a X  --b X", "-o, --out"). */
            const char *next = strstr(p + 1, " -");
            if (!next || next >= end)
                break;
            p = next + 1;
        }
        line = *end ? end + 1 : end;
    }
    return -1;
}


static int error(const char *sub, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int error(const char *sub, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "facetrack cluster %s: ", sub);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return FT_EXIT_FAILED;
}

/* PATH made absolute against the working folder, into OUT (no checks that
 * it exists: the folder may be made later). */
static int absolute(const char *path, char *out, size_t out_size)
{
    if (path[0] == '/')
        return snprintf(out, out_size, "%s", path) < (int)out_size ? 0 : -1;
    char cwd[PATH_MAX];
    if (!getcwd(cwd, sizeof cwd))
        return -1;
    return snprintf(out, out_size, "%s/%s", cwd, path) < (int)out_size ? 0 : -1;
}

/* Runs a Slurm command; 0 when it succeeded, else prints the one-line error
 * "facetrack cluster SUB: COMMAND failed: MESSAGE" and returns 1. */
static int slurm(const char *sub, char *const argv[], ft_slurm_result *r)
{
    char why[1024];
    if (ft_slurm_run(argv, SLURM_TIMEOUT_S, r, why, sizeof why) != 0)
        return error(sub, "%s", why);
    if (r->exit_code != 0) {
        char msg[2048];
        ft_slurm_message(argv[0], r, msg, sizeof msg);
        error(sub, "%s failed: %s", argv[0], msg);
        ft_slurm_result_free(r);
        return FT_EXIT_FAILED;
    }
    return 0;
}

/* ================================================================ submit */

typedef struct submit_args {
    ft_cluster_job job;
    const char *state_dir;
    const char *videos_json;
    const char *output_dir;
    int dry_run, follow, tasks, cpus, gpus, gpu_flag, workers_given;
    char **inputs;
    int input_count;
} submit_args;

/* One #SBATCH line's argument, OPTION=VALUE (quoted as the line needs). */
static int add_directive(submit_args *a, const char *option, const char *value)
{
    char line[1024];
    if (ft_cluster_sbatch_arg(option, value, line, sizeof line) != 0) {
        char shown[128]; /* one line, whatever the value holds */
        snprintf(shown, sizeof shown, "%s", value ? value : option);
        for (char *p = shown; *p; p++)
            if ((unsigned char)*p < 0x20)
                *p = '?';
        return ft_cli_usage_error(CMD, "%s: an #SBATCH line cannot carry '%s' (a double quote, a "
                                       "line break, or too long)", option, shown);
    }
    if (ft_cluster_list_add(&a->job.directives, &a->job.directive_count, line) != 0)
        return FT_EXIT_FAILED;
    return FT_EXIT_OK;
}

static int positive(const char *option, const char *text, int *out)
{
    const long long v = ft_cli_parse_count(text);
    if (v < 1 || v > 1000000)
        return ft_cli_usage_error(CMD, "%s needs a positive integer", option);
    *out = (int)v;
    return FT_EXIT_OK;
}

static int parse_submit(int argc, char **argv, submit_args *a)
{
    ft_cluster_job *job = &a->job;
    snprintf(job->step, sizeof job->step, "track");
    snprintf(job->format, sizeof job->format, "raw");
    a->tasks = 1;
    a->inputs = calloc((size_t)argc + 1, sizeof *a->inputs);
    if (!a->inputs)
        return FT_EXIT_FAILED;
    int only_paths = 0, step_named = 0, rc = FT_EXIT_OK;
    static const char *const own[] = {"--tasks", "--partition", "--cpus-per-task",
                                      "--gpus-per-task", "--time", "--account",
                                      "--extra-sbatch", "--state-dir", "--program",
                                      "--videos-json", "--videos_json_path", NULL};
    char split[256];
    for (int i = 1; i < argc && rc == FT_EXIT_OK; i++) {
        const char *o = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        const int scenes = strcmp(job->step, "scenes") == 0;
        const char *eq = strncmp(o, "--", 2) == 0 ? strchr(o, '=') : NULL;
        int joined = 0; /* "--partition=gpu": the cluster's own options in one word */
        if (!only_paths && eq && (size_t)(eq - o) < sizeof split) {
            snprintf(split, sizeof split, "%.*s", (int)(eq - o), o);
            if (listed(own, split)) {
                o = split;
                v = eq + 1;
                joined = 1;
            }
        }
        if (a->follow && strcmp(o, "--progress") == 0 && v && strcmp(v, "json") == 0) {
            i++; /* what `run` writes anyway */
            continue;
        }
        if (only_paths || o[0] != '-') {
            if (!only_paths && !step_named && a->input_count == 0 &&
                (strcmp(o, "track") == 0 || strcmp(o, "scenes") == 0)) {
                snprintf(job->step, sizeof job->step, "%s", o[0] == 't' ? "track" : "scenes");
                step_named = 1;
            } else {
                a->inputs[a->input_count++] = argv[i];
            }
            continue;
        }
        if (strcmp(o, "--") == 0) {
            only_paths = 1;
            continue;
        }
        if (strcmp(o, "--dry-run") == 0) {
            a->dry_run = 1;
            continue;
        }
        if (strcmp(o, "--force") == 0) {
            job->force = 1;
            continue;
        }
        if (strcmp(o, "--gpu") == 0)
            a->gpu_flag = 1;
        if (strcmp(o, "--workers") == 0 || strcmp(o, "--cpu_internal_workers") == 0)
            a->workers_given = 1;
        if (strcmp(o, "--shard") == 0 || strcmp(o, "--progress") == 0)
            return ft_cli_usage_error(CMD, "%s is set by the cluster run itself", o);
        int takes_value = listed(own, o);
        if (!takes_value && strcmp(o, "-o") != 0) {
            const int t = step_option_takes_value(scenes ? ft_cmd_scenes.usage : ft_cmd_track.usage, o);
            if (t < 0)
                return ft_cli_usage_error(CMD, "'%s' is an option of neither cluster nor %s", o,
                                          job->step);
            takes_value = t;
        } else if (!takes_value) {
            takes_value = 1; /* -o DIR */
        }
        if (takes_value && !v)
            return ft_cli_usage_error(CMD, "%s needs a value", o);
        if (strcmp(o, "--tasks") == 0)
            rc = positive(o, v, &a->tasks);
        else if (strcmp(o, "--partition") == 0 || strcmp(o, "--time") == 0 ||
                 strcmp(o, "--account") == 0)
            rc = add_directive(a, o, v);
        else if (strcmp(o, "--cpus-per-task") == 0) {
            rc = positive(o, v, &a->cpus);
            if (rc == FT_EXIT_OK)
                rc = add_directive(a, o, v);
        } else if (strcmp(o, "--gpus-per-task") == 0) {
            char gres[32];
            rc = positive(o, v, &a->gpus);
            snprintf(gres, sizeof gres, "gpu:%d", a->gpus);
            if (rc == FT_EXIT_OK)
                rc = add_directive(a, "--gres", gres);
        } else if (strcmp(o, "--extra-sbatch") == 0) {
            if (v[0] != '-')
                return ft_cli_usage_error(CMD, "--extra-sbatch needs an sbatch option "
                                               "(--extra-sbatch --qos=high), not '%s'", v);
            /* "--comment=a b": the value after '=' quoted as needed. */
            char opt[256];
            const char *value = strchr(v, '=');
            snprintf(opt, sizeof opt, "%.*s", value ? (int)(value - v) : (int)strlen(v), v);
            rc = add_directive(a, opt, value ? value + 1 : NULL);
        } else if (strcmp(o, "--state-dir") == 0) {
            a->state_dir = v;
        } else if (strcmp(o, "--program") == 0) {
            if (absolute(v, job->program, sizeof job->program) != 0)
                return ft_cli_usage_error(CMD, "--program: path too long");
        } else if (strcmp(o, "--videos-json") == 0 || strcmp(o, "--videos_json_path") == 0) {
            a->videos_json = v;
        } else if (strcmp(o, "-o") == 0 || strcmp(o, "--output-dir") == 0) {
            a->output_dir = v; /* passed on made absolute, below */
        } else {
            if (strcmp(o, "--format") == 0) {
                if (strcmp(v, "raw") && strcmp(v, "reduced"))
                    return ft_cli_usage_error(CMD, "--format is raw or reduced");
                snprintf(job->format, sizeof job->format, "%s", v);
            }
            /* The step's own option: passed on as given. */
            if (ft_cluster_list_add(&job->step_args, &job->step_arg_count, o) != 0 ||
                (takes_value && ft_cluster_list_add(&job->step_args, &job->step_arg_count, v)))
                return FT_EXIT_FAILED;
        }
        if (takes_value && !joined)
            i++;
    }
    if (rc != FT_EXIT_OK)
        return rc;
    if (a->input_count == 0 && !a->videos_json)
        return ft_cli_usage_error(CMD, "submit: no video, folder or --videos-json given");
    /* The step's workers default to the CPU count, which is the node's,
     * not the task's: give it the task's share. */
    if (a->cpus > 0 && !a->workers_given) {
        char n[16];
        snprintf(n, sizeof n, "%d", a->cpus);
        if (ft_cluster_list_add(&job->step_args, &job->step_arg_count, "--workers") != 0 ||
            ft_cluster_list_add(&job->step_args, &job->step_arg_count, n) != 0)
            return FT_EXIT_FAILED;
    }
    if (a->gpus > 0 && !a->gpu_flag && strcmp(job->step, "track") == 0 &&
        ft_cluster_list_add(&job->step_args, &job->step_arg_count, "--gpu") != 0)
        return FT_EXIT_FAILED;
    return FT_EXIT_OK;
}

/* Fills in the job's paths and its video list. */
static int prepare_submit(submit_args *a)
{
    ft_cluster_job *job = &a->job;
    if (!getcwd(job->cwd, sizeof job->cwd))
        return error("submit", "cannot read the working folder: %s", strerror(errno));
    if (!job->program[0]) {
        const ssize_t n = readlink("/proc/self/exe", job->program, sizeof job->program - 1);
        if (n <= 0)
            return error("submit", "cannot find this program's path; give --program");
        job->program[n] = '\0';
    }
    if (absolute(a->state_dir ? a->state_dir : ".facetrack-cluster", job->state_root,
                 sizeof job->state_root) != 0)
        return error("submit", "--state-dir: path too long");
    if (a->output_dir) {
        if (absolute(a->output_dir, job->output_dir, sizeof job->output_dir) != 0)
            return error("submit", "-o: path too long");
        if (ft_cluster_list_add(&job->step_args, &job->step_arg_count, "-o") != 0 ||
            ft_cluster_list_add(&job->step_args, &job->step_arg_count, job->output_dir) != 0)
            return FT_EXIT_FAILED;
    }
    ft_video_list list = {0};
    size_t rejected = 0;
    int rc = ft_cli_collect_videos("cluster submit", a->inputs, a->input_count, a->videos_json, 0,
                                   0, &list, &rejected);
    if (rc == 0 && rejected > 0)
        rc = error("submit", "%zu input%s missing or unusable (named above): nothing submitted",
                   rejected, rejected == 1 ? " is" : "s are");
    if (rc == 0 && list.count == 0)
        rc = error("submit", "no video found in the inputs: nothing submitted");
    for (size_t i = 0; rc == 0 && i < list.count; i++) {
        /* An absolute path stays as given: the tasks' events name the videos
         * as listed, and a caller (serve) finds them by that name. */
        char *real = list.paths[i][0] == '/' ? strdup(list.paths[i]) : realpath(list.paths[i], NULL);
        if (!real)
            rc = error("submit", "%s: %s", list.paths[i], strerror(errno));
        else if (ft_cluster_list_add(&job->videos, &job->video_count, real) != 0)
            rc = FT_EXIT_FAILED;
        free(real);
    }
    ft_video_list_free(&list);
    /* A task per video at most: an empty shard would only cost a slot. */
    job->tasks = a->tasks < (int)job->video_count ? a->tasks : (int)job->video_count;
    return rc;
}

static int remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb, (void)flag, (void)ftw;
    return remove(path);
}

static int write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    const int ok = fputs(text, f) != EOF;
    return fclose(f) == 0 && ok ? 0 : -1;
}

/* scancel JOB_ID; a failure is said on stderr (as "facetrack cluster SUB: ..."). */
static void cancel(const char *sub, const char *job_id)
{
    char id[32], why[1024], msg[2048];
    snprintf(id, sizeof id, "%s", job_id);
    char *argv[] = {"scancel", id, NULL};
    ft_slurm_result r;
    /* A signal sent to our process group just as scancel starts (before it
     * is in a group of its own) can kill it: then it is run again. */
    for (int attempt = 0; attempt < 3; attempt++) {
        if (ft_slurm_run(argv, SLURM_TIMEOUT_S, &r, why, sizeof why) != 0) {
            error(sub, "%s", why);
            return;
        }
        const int code = r.exit_code;
        if (code != 0)
            ft_slurm_message("scancel", &r, msg, sizeof msg);
        ft_slurm_result_free(&r);
        if (code == 0)
            return;
        if (code < 128 || attempt == 2) {
            error(sub, "scancel failed: %s", msg);
            return;
        }
    }
}

/* Submits the held array, moves its state into STATE_ROOT/JOBID, and only
 * then lets it run: a task never starts before its folder exists. */
static int submit(submit_args *a, const char *script)
{
    ft_cluster_job *job = &a->job;
    char tmp[FT_CLUSTER_PATH + 64], path[FT_CLUSTER_PATH + 128], err[2048];
    if (ft_cli_make_dirs(job->state_root) != 0)
        return error("submit", "%s: cannot create the state folder: %s", job->state_root,
                     strerror(errno));
    snprintf(tmp, sizeof tmp, "%s/.new-XXXXXX", job->state_root);
    if (!mkdtemp(tmp))
        return error("submit", "%s: cannot create a folder: %s", job->state_root, strerror(errno));
    snprintf(path, sizeof path, "%s/job.sh", tmp);
    int rc = FT_EXIT_OK;
    if (write_text(path, script) != 0)
        rc = error("submit", "%s: cannot write: %s", path, strerror(errno));
    char *sbatch[] = {"sbatch", "--parsable", "--hold", path, NULL};
    ft_slurm_result r = {0};
    if (rc == FT_EXIT_OK && (rc = slurm("submit", sbatch, &r)) == FT_EXIT_OK) {
        ft_cluster_submission *s = &job->submissions[job->submission_count++];
        const size_t n = strcspn(r.out, ";\n "); /* "ID" or "ID;CLUSTER" */
        snprintf(s->job_id, sizeof s->job_id, "%.*s", (int)n, r.out);
        ft_slurm_result_free(&r);
        char array[32];
        snprintf(array, sizeof array, "0-%d", job->tasks - 1);
        s->array = strdup(array);
        const int n_dir = snprintf(job->dir, sizeof job->dir, "%s/%s", job->state_root, s->job_id);
        if (n_dir < 0 || n_dir >= (int)sizeof job->dir)
            rc = error("submit", "%s: path too long", job->state_root);
        else if (!s->job_id[0] || !s->array)
            rc = error("submit", "sbatch printed no job id");
        else if (ft_cluster_job_save(job, tmp, err, sizeof err) != FT_OK)
            rc = error("submit", "%s", err);
        else if (rename(tmp, job->dir) != 0)
            rc = error("submit", "%s: cannot create: %s", job->dir, strerror(errno));
        char *release[] = {"scontrol", "release", s->job_id, NULL};
        if (rc == FT_EXIT_OK && (rc = slurm("submit", release, &r)) == FT_EXIT_OK)
            ft_slurm_result_free(&r);
        if (rc != FT_EXIT_OK && s->job_id[0])
            cancel("submit", s->job_id); /* held, never ran: nothing to clean up but its state */
        if (rc != FT_EXIT_OK)
            nftw(job->dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    }
    nftw(tmp, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    if (rc == FT_EXIT_OK && a->follow)
        fprintf(stderr, "facetrack cluster run: Slurm job %s, %d task%s, state in %s\n",
                job->submissions[0].job_id, job->tasks, job->tasks == 1 ? "" : "s", job->dir);
    else if (rc == FT_EXIT_OK)
        printf("%s\n", job->submissions[0].job_id);
    return rc;
}

static int follow(const ft_cluster_job *job);

static int run_submit_or_run(int argc, char **argv, int follow_it)
{
    submit_args a = {.follow = follow_it};
    int rc = parse_submit(argc, argv, &a);
    if (rc == FT_EXIT_OK)
        rc = prepare_submit(&a);
    if (rc == FT_EXIT_OK) {
        char array[32];
        snprintf(array, sizeof array, "0-%d", a.job.tasks - 1);
        char *script = ft_cluster_script(&a.job, array, 1);
        if (!script)
            rc = error("submit", "cannot write the batch script: a path holds a double quote or "
                                 "a line break, or memory ran out");
        else if (a.dry_run)
            fputs(script, stdout);
        else if (follow_it) {
            ft_cli_catch_stop_signals(); /* from here on SIGTERM cancels the job */
            rc = submit(&a, script);
            if (rc == FT_EXIT_OK)
                rc = follow(&a.job);
        } else
            rc = submit(&a, script);
        free(script);
    }
    free(a.inputs);
    ft_cluster_job_free(&a.job);
    return rc;
}

/* ================================================================ status */

typedef enum video_state { VIDEO_PENDING, VIDEO_RUNNING, VIDEO_DONE, VIDEO_FAILED } video_state;
static const char *const video_state_names[] = {"pending", "running", "done", "failed"};

typedef struct task_state {
    char state[64];   /* PENDING, RUNNING, COMPLETED, FAILED, ENDED, ... */
    char job_id[32];  /* the submission that ran it last */
    int exit_code;    /* from task-I.exit; -1 when none */
    int queued;       /* pending or running in Slurm's queue now */
    size_t count[4];  /* its videos by video_state */
} task_state;

typedef struct job_status {
    ft_cluster_job job;
    task_state *tasks;
    video_state *videos;
    char **reasons; /* failed videos' reasons (NULL else) */
} job_status;

static void free_status(job_status *s)
{
    for (size_t i = 0; s->reasons && i < s->job.video_count; i++)
        free(s->reasons[i]);
    free(s->reasons);
    free(s->videos);
    free(s->tasks);
    ft_cluster_job_free(&s->job);
}

/* 1 when array task TASK is in Slurm's --array form SPEC ("0-2,5"). */
static int in_array(const char *spec, int task)
{
    for (const char *p = spec; *p;) {
        char *end;
        const long lo = strtol(p, &end, 10);
        long hi = lo;
        if (*end == '-')
            hi = strtol(end + 1, &end, 10);
        if (task >= lo && task <= hi)
            return 1;
        p = *end == ',' ? end + 1 : end + strlen(end);
    }
    return 0;
}

/* The state of the array tasks of JOB_ID in the queue (squeue), else in
 * the accounting (sacct, when Slurm keeps it), into the tasks it ran.
 * Returns 1 when squeue could not be asked (said on stderr). */
static int slurm_states(const char *sub, job_status *s, size_t submission)
{
    const ft_cluster_submission *sub_job = &s->job.submissions[submission];
    char id[32];
    snprintf(id, sizeof id, "%s", sub_job->job_id);
    char *squeue[] = {"squeue", "-h", "-r", "-j", id, "-o", "%K %T", NULL};
    ft_slurm_result r;
    char why[1024];
    if (ft_slurm_run(squeue, SLURM_TIMEOUT_S, &r, why, sizeof why) != 0)
        return error(sub, "%s", why);
    if (r.exit_code != 0 && !strstr(r.err, "Invalid job id")) { /* gone: not an error */
        char msg[2048];
        ft_slurm_message("squeue", &r, msg, sizeof msg);
        ft_slurm_result_free(&r);
        return error(sub, "squeue failed: %s", msg);
    }
    int found[4096] = {0};
    for (char *line = r.out; r.exit_code == 0 && *line;) {
        int task;
        char state[64];
        if (sscanf(line, "%d %63s", &task, state) == 2 && task >= 0 && task < s->job.tasks &&
            task < 4096 && in_array(sub_job->array, task)) {
            task_state *t = &s->tasks[task];
            snprintf(t->state, sizeof t->state, "%s", state);
            snprintf(t->job_id, sizeof t->job_id, "%s", sub_job->job_id);
            t->queued = 1;
            found[task] = 1;
        }
        char *nl = strchr(line, '\n');
        line = nl ? nl + 1 : line + strlen(line);
    }
    ft_slurm_result_free(&r);
    /* Accounting, for the tasks that left the queue; without it (no
     * accounting storage) the tasks' own exit files say how they ended. */
    char *sacct[] = {"sacct", "-n", "-P", "-X", "-j", id, "-o", "JobID,State",
                     NULL};
    if (ft_slurm_run(sacct, SLURM_TIMEOUT_S, &r, why, sizeof why) != 0)
        return 0;
    for (char *line = r.out; r.exit_code == 0 && *line;) {
        const char *us = strchr(line, '_'), *bar = strchr(line, '|');
        char *nl = strchr(line, '\n');
        if (us && bar && us < bar && (!nl || bar < nl) && us[1] != '[') {
            const int task = atoi(us + 1);
            if (task >= 0 && task < s->job.tasks && task < 4096 && !found[task] &&
                in_array(sub_job->array, task)) {
                task_state *t = &s->tasks[task];
                const size_t n = strcspn(bar + 1, " \n|");
                snprintf(t->state, sizeof t->state, "%.*s", (int)n, bar + 1);
                snprintf(t->job_id, sizeof t->job_id, "%s", sub_job->job_id);
                found[task] = 1;
            }
        }
        line = nl ? nl + 1 : line + strlen(line);
    }
    ft_slurm_result_free(&r);
    return 0;
}

/* The task's progress events: the videos it started and those it failed. */
static void read_events(job_status *s, int task)
{
    char path[FT_CLUSTER_PATH + 64];
    snprintf(path, sizeof path, "%s/task-%d.events", s->job.dir, task);
    FILE *f = fopen(path, "r");
    if (!f)
        return;
    char *line = NULL;
    size_t cap = 0;
    size_t *interrupted = calloc(s->job.video_count + 1, sizeof *interrupted), n_interrupted = 0;
    int stopped = 0; /* the run was stopped by a signal (scancel, preemption) */
    while (getline(&line, &cap, f) > 0) {
        ft_progress_event e;
        const ft_status parsed = ft_progress_event_parse(line, &e);
        if (parsed == FT_OK && e.type == FT_EVENT_SUMMARY && e.interrupted > 0)
            stopped = 1;
        if (parsed == FT_OK && e.video &&
            (e.type == FT_EVENT_FAILED || e.type == FT_EVENT_VIDEO_STARTED)) {
            for (size_t i = 0; i < s->job.video_count; i++) {
                if (strcmp(s->job.videos[i], e.video) != 0 || s->videos[i] == VIDEO_DONE)
                    continue;
                if (e.type == FT_EVENT_FAILED) {
                    if (interrupted && e.reason && strlen(e.reason) >= 11 &&
                        strcmp(e.reason + strlen(e.reason) - 11, "interrupted") == 0)
                        interrupted[n_interrupted++] = i;
                    s->videos[i] = VIDEO_FAILED;
                    free(s->reasons[i]);
                    s->reasons[i] = strdup(e.reason ? e.reason : "failed");
                } else if (s->tasks[task].queued && strcmp(s->tasks[task].state, "RUNNING") == 0) {
                    s->videos[i] = VIDEO_RUNNING;
                }
            }
        }
        ft_progress_event_clear(&e);
    }
    /* A video a stopped run did not finish has not failed: it is still to do. */
    for (size_t k = 0; stopped && k < n_interrupted; k++)
        if (s->videos[interrupted[k]] == VIDEO_FAILED)
            s->videos[interrupted[k]] = VIDEO_PENDING;
    free(interrupted);
    free(line);
    fclose(f);
}

/* How a task that left no exit status ended, from what slurmstepd wrote
 * into its output ("*** JOB 12 ON node CANCELLED AT ... DUE TO TIME LIMIT
 * ***"): CANCELLED, TIMEOUT, PREEMPTED; else ENDED (killed, node lost). */
static const char *ending_in_log(const job_status *s, int task)
{
    char path[FT_CLUSTER_PATH + 64];
    snprintf(path, sizeof path, "%s/task-%d.log", s->job.dir, task);
    FILE *f = fopen(path, "r");
    const char *ending = "ENDED";
    if (!f)
        return ending;
    char *line = NULL;
    size_t cap = 0;
    while (getline(&line, &cap, f) > 0) {
        if (!strstr(line, "*** JOB ") || !strstr(line, " CANCELLED AT "))
            continue;
        ending = strstr(line, "DUE TO TIME LIMIT")   ? "TIMEOUT"
                 : strstr(line, "DUE TO PREEMPTION") ? "PREEMPTED"
                                                     : "CANCELLED";
    }
    free(line);
    fclose(f);
    return ending;
}

/* The exit status in task TASK's exit file in DIR; -1 when there is none. */
static int read_exit(const char *dir, int task)
{
    char path[FT_CLUSTER_PATH + 64];
    snprintf(path, sizeof path, "%s/task-%d.exit", dir, task);
    FILE *f = fopen(path, "r");
    int code = -1;
    if (f) {
        if (fscanf(f, "%d", &code) != 1)
            code = -1;
        fclose(f);
    }
    return code;
}

static int gather_status(const char *sub, const char *state_dir, const char *job_id,
                         job_status *s)
{
    char root[FT_CLUSTER_PATH], err[2048];
    memset(s, 0, sizeof *s);
    if (absolute(state_dir ? state_dir : ".facetrack-cluster", root, sizeof root) != 0)
        return error(sub, "--state-dir: path too long");
    if (ft_cluster_job_load(root, job_id, &s->job, err, sizeof err) != FT_OK)
        return error(sub, "%s", err);
    s->tasks = calloc((size_t)s->job.tasks, sizeof *s->tasks);
    s->videos = calloc(s->job.video_count + 1, sizeof *s->videos);
    s->reasons = calloc(s->job.video_count + 1, sizeof *s->reasons);
    if (!s->tasks || !s->videos || !s->reasons)
        return error(sub, "out of memory");
    for (int t = 0; t < s->job.tasks; t++) {
        s->tasks[t].exit_code = read_exit(s->job.dir, t);
        for (size_t i = 0; i < s->job.submission_count; i++) /* the last that ran it */
            if (in_array(s->job.submissions[i].array, t))
                snprintf(s->tasks[t].job_id, sizeof s->tasks[t].job_id, "%s",
                         s->job.submissions[i].job_id);
    }
    /* Oldest first: a later submission of a task tells its state. */
    for (size_t i = 0; i < s->job.submission_count; i++)
        if (slurm_states(sub, s, i) != 0)
            return FT_EXIT_FAILED;
    for (int t = 0; t < s->job.tasks; t++) {
        task_state *ts = &s->tasks[t];
        if (!ts->state[0]) /* neither queued nor in Slurm's accounting */
            snprintf(ts->state, sizeof ts->state, "%s",
                     ts->exit_code == 0  ? "COMPLETED"
                     : ts->exit_code > 0 ? "FAILED"
                                         : ending_in_log(s, t));
    }
    for (size_t i = 0; i < s->job.video_count; i++)
        s->videos[i] = ft_cluster_video_complete(&s->job, i) ? VIDEO_DONE : VIDEO_PENDING;
    for (int t = 0; t < s->job.tasks; t++)
        read_events(s, t);
    for (size_t i = 0; i < s->job.video_count; i++)
        s->tasks[ft_cluster_video_task(&s->job, i)].count[s->videos[i]]++;
    return FT_EXIT_OK;
}

static void print_status_text(const job_status *s, const char *job_id)
{
    size_t total[4] = {0};
    for (size_t i = 0; i < s->job.video_count; i++)
        total[s->videos[i]]++;
    printf("job %s: %s of %zu videos in %d tasks: %zu done, %zu running, %zu failed, %zu "
           "pending\n",
           job_id, s->job.step, s->job.video_count, s->job.tasks, total[VIDEO_DONE],
           total[VIDEO_RUNNING], total[VIDEO_FAILED], total[VIDEO_PENDING]);
    for (int t = 0; t < s->job.tasks; t++) {
        const task_state *ts = &s->tasks[t];
        printf("task %d (shard %d/%d) %s", t, t + 1, s->job.tasks, ts->state);
        if (ts->exit_code > 0 && !ts->queued)
            printf(" (exit %d)", ts->exit_code);
        printf(": %zu done, %zu running, %zu failed, %zu pending\n", ts->count[VIDEO_DONE],
               ts->count[VIDEO_RUNNING], ts->count[VIDEO_FAILED], ts->count[VIDEO_PENDING]);
    }
    for (size_t i = 0; i < s->job.video_count; i++)
        if (s->videos[i] == VIDEO_FAILED)
            printf("failed %s: %s\n", s->job.videos[i], s->reasons[i] ? s->reasons[i] : "");
}

static void print_status_json(const job_status *s, const char *job_id)
{
    json_object *o = json_object_new_object(), *tasks = json_object_new_array(),
                *videos = json_object_new_array(), *counts = json_object_new_object();
    size_t total[4] = {0};
    for (size_t i = 0; i < s->job.video_count; i++) {
        total[s->videos[i]]++;
        json_object *v = json_object_new_object();
        char out[FT_CLUSTER_PATH + 64];
        json_object_object_add(v, "video", json_object_new_string(s->job.videos[i]));
        if (ft_cluster_video_output(&s->job, i, out, sizeof out) == FT_OK)
            json_object_object_add(v, "output", json_object_new_string(out));
        json_object_object_add(v, "task", json_object_new_int(ft_cluster_video_task(&s->job, i)));
        json_object_object_add(v, "state", json_object_new_string(video_state_names[s->videos[i]]));
        if (s->reasons[i] && s->videos[i] == VIDEO_FAILED)
            json_object_object_add(v, "reason", json_object_new_string(s->reasons[i]));
        json_object_array_add(videos, v);
    }
    for (int k = 0; k < 4; k++)
        json_object_object_add(counts, video_state_names[k], json_object_new_int64((int64_t)total[k]));
    for (int t = 0; t < s->job.tasks; t++) {
        const task_state *ts = &s->tasks[t];
        json_object *j = json_object_new_object();
        json_object_object_add(j, "task", json_object_new_int(t));
        json_object_object_add(j, "state", json_object_new_string(ts->state));
        json_object_object_add(j, "job_id", json_object_new_string(ts->job_id));
        if (ts->exit_code >= 0)
            json_object_object_add(j, "exit_code", json_object_new_int(ts->exit_code));
        for (int k = 0; k < 4; k++)
            json_object_object_add(j, video_state_names[k],
                                   json_object_new_int64((int64_t)ts->count[k]));
        json_object_array_add(tasks, j);
    }
    json_object_object_add(o, "job_id", json_object_new_string(job_id));
    json_object_object_add(o, "step", json_object_new_string(s->job.step));
    json_object_object_add(o, "state_dir", json_object_new_string(s->job.dir));
    json_object_object_add(o, "videos", counts);
    json_object_object_add(o, "tasks", tasks);
    json_object_object_add(o, "video_states", videos);
    puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
    json_object_put(o);
}

typedef struct follow_args {
    const char *state_dir, *job_id;
    int json, dry_run;
} follow_args;

static int parse_follow(const char *sub, int argc, char **argv, follow_args *a, int dry_run_ok)
{
    memset(a, 0, sizeof *a);
    for (int i = 1; i < argc; i++) {
        const char *o = argv[i];
        if (strcmp(o, "--state-dir") == 0 && i + 1 < argc)
            a->state_dir = argv[++i];
        else if (strcmp(o, "--json") == 0 && !dry_run_ok)
            a->json = 1;
        else if (strcmp(o, "--dry-run") == 0 && dry_run_ok)
            a->dry_run = 1;
        else if (o[0] == '-')
            return ft_cli_usage_error(CMD, "%s: unknown option or missing value '%s'", sub, o);
        else if (a->job_id)
            return ft_cli_usage_error(CMD, "%s: one JOBID only", sub);
        else
            a->job_id = o;
    }
    if (!a->job_id)
        return ft_cli_usage_error(CMD, "%s: no JOBID given", sub);
    if (strspn(a->job_id, "0123456789") != strlen(a->job_id))
        return ft_cli_usage_error(CMD, "%s: '%s' is no job id (a number)", sub, a->job_id);
    return FT_EXIT_OK;
}

static int run_status(int argc, char **argv)
{
    follow_args a;
    int rc = parse_follow("status", argc, argv, &a, 0);
    if (rc != FT_EXIT_OK)
        return rc;
    job_status s;
    rc = gather_status("status", a.state_dir, a.job_id, &s);
    if (rc == FT_EXIT_OK) {
        if (a.json)
            print_status_json(&s, a.job_id);
        else
            print_status_text(&s, a.job_id);
    }
    free_status(&s);
    return rc;
}

/* ================================================================ run */

/* Reads what was appended to PATH since *OFFSET, whole lines only, and
 * hands each to ON_LINE. */
static void relay_lines(const char *path, long *offset, int task,
                        void (*on_line)(int task, const char *line, void *user), void *user)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return;
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    if (fseek(f, *offset, SEEK_SET) == 0)
        while ((n = getline(&line, &cap, f)) > 0 && line[n - 1] == '\n') {
            *offset += (long)n;
            line[n - 1] = '\0';
            on_line(task, line, user);
        }
    free(line);
    fclose(f);
}

typedef struct run_counts {
    int64_t succeeded, failed, skipped;
} run_counts;

/* A task's progress event, passed on as it is: the same protocol. */
static void relay_event(int task, const char *line, void *user)
{
    (void)task;
    run_counts *c = user;
    ft_progress_event e;
    if (ft_progress_event_parse(line, &e) == FT_OK && e.video) {
        c->succeeded += e.type == FT_EVENT_DONE;
        c->failed += e.type == FT_EVENT_FAILED;
        c->skipped += e.type == FT_EVENT_SKIPPED;
        printf("%s\n", line);
        fflush(stdout);
    }
    ft_progress_event_clear(&e);
}

static void relay_log(int task, const char *line, void *user)
{
    (void)user;
    if (*line)
        fprintf(stderr, "task %d: %s\n", task, line);
}

/* 1 while JOB_ID has tasks in Slurm's queue; 0 when none; -1 when squeue
 * cannot tell (said on stderr). */
static int job_queued(const char *job_id)
{
    char id[32];
    snprintf(id, sizeof id, "%s", job_id);
    char *argv[] = {"squeue", "-h", "-j", id, "-o", "%i", NULL};
    ft_slurm_result r;
    char why[1024];
    if (ft_slurm_run(argv, SLURM_TIMEOUT_S, &r, why, sizeof why) != 0) {
        if (!atomic_load(&ft_cli_stop_signal))
            error("run", "%s", why);
        return -1;
    }
    const int queued = r.exit_code == 0 ? r.out[strspn(r.out, " \n")] != '\0'
                       : strstr(r.err, "Invalid job id") ? 0
                                                          : -1;
    if (queued < 0 && !atomic_load(&ft_cli_stop_signal)) { /* a stop signal hits squeue too */
        char msg[2048];
        ft_slurm_message("squeue", &r, msg, sizeof msg);
        error("run", "squeue failed: %s", msg);
    }
    ft_slurm_result_free(&r);
    return queued;
}

/* Follows the submitted JOB to its end, its tasks' progress events on
 * stdout (one stream, the protocol of `track --progress json`) and their
 * logs on stderr; a stop signal cancels it. The exit status is track's: 0
 * when every task succeeded, 1 when one failed or ended without a result,
 * 128 + the signal when stopped. */
static int follow(const ft_cluster_job *job)
{
    const char *job_id = job->submissions[0].job_id;
    long *offsets = calloc(2 * (size_t)job->tasks, sizeof *offsets);
    if (!offsets)
        return error("run", "out of memory");
    run_counts counts = {0};
    ft_progress_event e;
    ft_progress_event_init(&e, FT_EVENT_START);
    e.videos = (int64_t)job->video_count;
    ft_progress_event_write(stdout, &e);
    int cancelled = 0, lost = 0, polls = 0;
    for (;;) {
        char path[FT_CLUSTER_PATH + 64];
        for (int t = 0; t < job->tasks; t++) {
            snprintf(path, sizeof path, "%s/task-%d.events", job->dir, t);
            relay_lines(path, &offsets[2 * t], t, relay_event, &counts);
            snprintf(path, sizeof path, "%s/task-%d.log", job->dir, t);
            relay_lines(path, &offsets[2 * t + 1], t, relay_log, NULL);
        }
        if (atomic_load(&ft_cli_stop_signal) && !cancelled) {
            fprintf(stderr, "facetrack cluster run: stopped: cancelling Slurm job %s\n", job_id);
            cancel("run", job_id);
            cancelled = 1;
        }
        if (polls++ % 4 == 0) { /* the queue once a second */
            const int queued = job_queued(job_id);
            if (queued < 0 && ++lost >= 10)
                break; /* squeue has not answered for ten tries */
            if (queued == 0)
                break;
        }
        struct timespec pause = {0, 250 * 1000 * 1000};
        nanosleep(&pause, NULL);
    }
    /* What the tasks wrote last. */
    for (int t = 0; t < job->tasks; t++) {
        char path[FT_CLUSTER_PATH + 64];
        snprintf(path, sizeof path, "%s/task-%d.events", job->dir, t);
        relay_lines(path, &offsets[2 * t], t, relay_event, &counts);
        snprintf(path, sizeof path, "%s/task-%d.log", job->dir, t);
        relay_lines(path, &offsets[2 * t + 1], t, relay_log, NULL);
    }
    free(offsets);
    int ended_badly = 0;
    for (int t = 0; t < job->tasks; t++) {
        const int code = read_exit(job->dir, t);
        if (code != 0) {
            ended_badly = 1;
            if (code < 0 && !cancelled)
                fprintf(stderr, "facetrack cluster run: task %d of job %s ended without an exit "
                                "status (cancelled, timed out or lost; see task-%d.log)\n",
                        t, job_id, t);
        }
    }
    ft_progress_event_init(&e, FT_EVENT_SUMMARY);
    e.videos = (int64_t)job->video_count;
    e.succeeded = counts.succeeded;
    e.failed = counts.failed;
    e.skipped = counts.skipped;
    e.interrupted = cancelled;
    ft_progress_event_write(stdout, &e);
    const int stopped = atomic_load(&ft_cli_stop_signal);
    return stopped ? 128 + stopped : ended_badly || lost >= 10 ? FT_EXIT_FAILED : FT_EXIT_OK;
}

/* ================================================================ resume */

static int run_resume(int argc, char **argv)
{
    follow_args a;
    int rc = parse_follow("resume", argc, argv, &a, 1);
    if (rc != FT_EXIT_OK)
        return rc;
    job_status s;
    rc = gather_status("resume", a.state_dir, a.job_id, &s);
    char *array = NULL, *script = NULL;
    size_t array_size = 0;
    FILE *spec = rc == FT_EXIT_OK ? open_memstream(&array, &array_size) : NULL;
    int resumed = 0, queued = 0;
    for (int t = 0; spec && t < s.job.tasks; t++) {
        const task_state *ts = &s.tasks[t];
        if (ts->count[VIDEO_DONE] == ts->count[VIDEO_PENDING] + ts->count[VIDEO_RUNNING] +
                                         ts->count[VIDEO_FAILED] + ts->count[VIDEO_DONE])
            continue; /* every video complete */
        if (ts->queued) {
            queued++;
            continue;
        }
        fprintf(spec, "%s%d", resumed++ ? "," : "", t);
    }
    if (spec && fclose(spec) != 0)
        rc = error("resume", "out of memory");
    if (rc == FT_EXIT_OK && resumed == 0) {
        if (queued)
            printf("nothing to resume: %d task%s still queued or running\n", queued,
                   queued == 1 ? " is" : "s are");
        else
            printf("nothing to resume: every video is complete\n");
    } else if (rc == FT_EXIT_OK) {
        script = ft_cluster_script(&s.job, array, 0);
        if (!script)
            rc = error("resume", "out of memory");
        else if (a.dry_run)
            fputs(script, stdout);
        else if (s.job.submission_count >= FT_CLUSTER_MAX_SUBMISSIONS)
            rc = error("resume", "job %s was submitted %d times already: submit it afresh",
                       a.job_id, FT_CLUSTER_MAX_SUBMISSIONS);
    }
    if (rc == FT_EXIT_OK && script && !a.dry_run) {
        char path[FT_CLUSTER_PATH + 64], err[2048];
        snprintf(path, sizeof path, "%s/resume-%zu.sh", s.job.dir, s.job.submission_count);
        char *sbatch[] = {"sbatch", "--parsable", path, NULL};
        ft_slurm_result r;
        if (write_text(path, script) != 0)
            rc = error("resume", "%s: cannot write: %s", path, strerror(errno));
        else if ((rc = slurm("resume", sbatch, &r)) == FT_EXIT_OK) {
            ft_cluster_submission *sub = &s.job.submissions[s.job.submission_count++];
            snprintf(sub->job_id, sizeof sub->job_id, "%.*s", (int)strcspn(r.out, ";\n "), r.out);
            ft_slurm_result_free(&r);
            sub->array = strdup(array);
            if (!sub->array || ft_cluster_job_save(&s.job, s.job.dir, err, sizeof err) != FT_OK) {
                rc = error("resume", "%s", sub->array ? err : "out of memory");
                cancel("resume", sub->job_id);
            } else {
                printf("%s\n", sub->job_id);
            }
        }
    }
    free(script);
    free(array);
    free_status(&s);
    return rc;
}

/* ================================================================ dispatch */

static int run_cluster(int argc, char **argv)
{
    if (argc < 2)
        return ft_cli_usage_error(CMD, "submit, run, status or resume?");
    if (strcmp(argv[1], "submit") == 0)
        return run_submit_or_run(argc - 1, argv + 1, 0);
    if (strcmp(argv[1], "run") == 0)
        return run_submit_or_run(argc - 1, argv + 1, 1);
    if (strcmp(argv[1], "status") == 0)
        return run_status(argc - 1, argv + 1);
    if (strcmp(argv[1], "resume") == 0)
        return run_resume(argc - 1, argv + 1);
    return ft_cli_usage_error(CMD, "unknown action '%s' (submit, run, status or resume)", argv[1]);
}

const ft_command ft_cmd_cluster = {"cluster", "run track or scenes as Slurm job arrays", usage,
                                   run_cluster};
