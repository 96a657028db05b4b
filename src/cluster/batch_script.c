/* The batch script of a cluster run (see cluster_job.h): the Slurm
 * resources as #SBATCH lines, then one command, the step over the task's
 * shard, whose progress events and exit status land in the job's folder. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cluster/cluster_job.h"

char *ft_cluster_shell_quote(const char *text)
{
    /* Words of safe characters stay as they are, for a readable script. */
    if (*text && strspn(text, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
                              "_./:=,+-@%") == strlen(text))
        return strdup(text);
    size_t n = 3;
    for (const char *p = text; *p; p++)
        n += *p == '\'' ? 4 : 1;
    char *out = malloc(n), *o = out;
    if (!out)
        return NULL;
    *o++ = '\'';
    for (const char *p = text; *p; p++) {
        if (*p == '\'') {
            memcpy(o, "'\\''", 4);
            o += 4;
        } else {
            *o++ = *p;
        }
    }
    *o++ = '\'';
    *o = '\0';
    return out;
}

int ft_cluster_sbatch_arg(const char *option, const char *value, char *out, size_t out_size)
{
    if (!value)
        return strpbrk(option, "\"\r\n") || snprintf(out, out_size, "%s", option) >= (int)out_size
                   ? -1
                   : 0;
    if (strpbrk(option, "\"\r\n \t") || strpbrk(value, "\"\r\n"))
        return -1;
    const char *q = strpbrk(value, " \t") ? "\"" : "";
    const int n = snprintf(out, out_size, "%s=%s%s%s", option, q, value, q);
    return n < 0 || n >= (int)out_size ? -1 : 0;
}

/* Appends " " and TEXT quoted to the stream; -1 when out of memory. */
static int put_quoted(FILE *f, const char *text)
{
    char *q = ft_cluster_shell_quote(text);
    if (!q)
        return -1;
    fprintf(f, " %s", q);
    free(q);
    return 0;
}

char *ft_cluster_script(const ft_cluster_job *job, const char *array, int first)
{
    char *text = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&text, &size);
    if (!f)
        return NULL;
    const int scenes = strcmp(job->step, "scenes") == 0;
    fprintf(f,
            "#!/bin/bash\n"
            "# facetrack cluster: `facetrack %s` over %zu video%s as a Slurm job array of %d\n"
            "# task%s. Array task I runs the slice I+1 of %d of the list in videos.json\n"
            "# (--shard I+1/%d), writes its progress events to task-I.events and its\n"
            "# exit status to task-I.exit in the job's folder; Slurm writes its output to\n"
            "# task-I.log. Outputs are written whole or not at all, so a cancelled task\n"
            "# leaves none half-written. Follow it with `facetrack cluster status JOBID`,\n"
            "# finish it with `facetrack cluster resume JOBID`.\n",
            job->step, job->video_count, job->video_count == 1 ? "" : "s", job->tasks,
            job->tasks == 1 ? "" : "s", job->tasks, job->tasks);
    char log[FT_CLUSTER_PATH + 64], line[2 * FT_CLUSTER_PATH + 64];
    snprintf(log, sizeof log, "%s/%s", first ? job->state_root : job->dir,
             first ? "%A/task-%a.log" : "task-%a.log");
    fprintf(f, "#SBATCH --job-name=facetrack-%s\n", job->step);
    fprintf(f, "#SBATCH --array=%s\n", array);
    int bad = ft_cluster_sbatch_arg("--chdir", job->cwd, line, sizeof line);
    fprintf(f, "#SBATCH %s\n", bad ? "" : line);
    bad |= ft_cluster_sbatch_arg("--output", log, line, sizeof line);
    fprintf(f, "#SBATCH %s\n", bad ? "" : line);
    fprintf(f, "#SBATCH --open-mode=append\n");
    for (size_t i = 0; i < job->directive_count; i++)
        fprintf(f, "#SBATCH %s\n", job->directives[i]);
    fprintf(f, "\nset -u\n");
    char *q = ft_cluster_shell_quote(first ? job->state_root : job->dir);
    if (!q) {
        fclose(f);
        free(text);
        return NULL;
    }
    if (first)
        fprintf(f, "state=%s/\"$SLURM_ARRAY_JOB_ID\"\n", q);
    else
        fprintf(f, "state=%s\n", q);
    free(q);
    fprintf(f, "task=$SLURM_ARRAY_TASK_ID\n"
               "rm -f \"$state/task-$task.exit\"\n");
    char *program = ft_cluster_shell_quote(job->program);
    bad |= !program;
    fprintf(f, "%s %s --videos-json \"$state/videos.json\" --shard \"$((task + 1))/%d\" "
               "--progress json",
            program ? program : "", scenes ? "scenes" : "track", job->tasks);
    free(program);
    if (first && job->force)
        fprintf(f, " --force");
    for (size_t i = 0; !bad && i < job->step_arg_count; i++)
        bad = put_quoted(f, job->step_args[i]) != 0;
    fprintf(f, " >\"$state/task-$task.events\"\n"
               "rc=$?\n"
               "echo \"$rc\" >\"$state/.task-$task.exit.tmp\" &&\n"
               "    mv -f \"$state/.task-$task.exit.tmp\" \"$state/task-$task.exit\"\n"
               "exit \"$rc\"\n");
    if (fclose(f) != 0 || bad) {
        free(text);
        return NULL;
    }
    return text;
}
