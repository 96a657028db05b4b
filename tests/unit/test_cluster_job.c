/* Unit tests of a cluster run's pieces: shell and #SBATCH quoting, the
 * batch script of a first submission and of a resume, the job's state
 * files written and read back, and which task owns which video. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cluster/cluster_job.h"

static void test_shell_quote(void **state)
{
    (void)state;
    const char *cases[][2] = {
        {"plain-word_1.mp4", "plain-word_1.mp4"},
        {"/a/b:c=d,e+f@%", "/a/b:c=d,e+f@%"},
        {"two words", "'two words'"},
        {"it's", "'it'\\''s'"},
        {"$HOME `x` \"q\"", "'$HOME `x` \"q\"'"},
        {"", "''"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *q = ft_cluster_shell_quote(cases[i][0]);
        assert_non_null(q);
        assert_string_equal(q, cases[i][1]);
        free(q);
    }
}

static void test_sbatch_arg(void **state)
{
    (void)state;
    char out[64];
    assert_int_equal(ft_cluster_sbatch_arg("--partition", "gpu", out, sizeof out), 0);
    assert_string_equal(out, "--partition=gpu");
    assert_int_equal(ft_cluster_sbatch_arg("--comment", "two words", out, sizeof out), 0);
    assert_string_equal(out, "--comment=\"two words\"");
    assert_int_equal(ft_cluster_sbatch_arg("--exclusive", NULL, out, sizeof out), 0);
    assert_string_equal(out, "--exclusive");
    assert_int_equal(ft_cluster_sbatch_arg("--comment", "a\"b", out, sizeof out), -1);
    assert_int_equal(ft_cluster_sbatch_arg("--comment", "a\nb", out, sizeof out), -1);
    assert_int_equal(ft_cluster_sbatch_arg("--comment", "0123456789012345678901234567890123456789"
                                                        "0123456789012345678901234567890123456789",
                                           out, sizeof out),
                     -1);
}

/* A job of 5 videos in 2 tasks, with a state folder under DIR. */
static void make_job(ft_cluster_job *job, const char *dir)
{
    memset(job, 0, sizeof *job);
    strcpy(job->step, "track");
    strcpy(job->format, "reduced");
    strcpy(job->program, "/opt/ft/bin/facetrack");
    strcpy(job->cwd, "/shared/project");
    snprintf(job->state_root, sizeof job->state_root, "%s", dir);
    snprintf(job->dir, sizeof job->dir, "%s/41", dir);
    strcpy(job->output_dir, "/shared/out");
    job->tasks = 2;
    job->force = 1;
    const char *args[] = {"--max-faces", "3", "--engine", "it's"};
    for (size_t i = 0; i < 4; i++)
        assert_int_equal(ft_cluster_list_add(&job->step_args, &job->step_arg_count, args[i]), 0);
    assert_int_equal(ft_cluster_list_add(&job->directives, &job->directive_count,
                                         "--partition=gpu"),
                     0);
    char video[64];
    for (int i = 0; i < 5; i++) {
        snprintf(video, sizeof video, "/shared/clips/v%d.mp4", i);
        assert_int_equal(ft_cluster_list_add(&job->videos, &job->video_count, video), 0);
    }
    strcpy(job->submissions[0].job_id, "41");
    job->submissions[0].array = strdup("0-1");
    job->submission_count = 1;
}

static void test_script(void **state)
{
    (void)state;
    ft_cluster_job job;
    make_job(&job, "/shared/st");
    char *first = ft_cluster_script(&job, "0-1", 1);
    assert_non_null(first);
    assert_non_null(strstr(first, "#!/bin/bash\n"));
    assert_non_null(strstr(first, "\n#SBATCH --array=0-1\n"));
    assert_non_null(strstr(first, "\n#SBATCH --chdir=/shared/project\n"));
    assert_non_null(strstr(first, "\n#SBATCH --output=/shared/st/%A/task-%a.log\n"));
    assert_non_null(strstr(first, "\n#SBATCH --partition=gpu\n"));
    assert_non_null(strstr(first, "\nstate=/shared/st/\"$SLURM_ARRAY_JOB_ID\"\n"));
    assert_non_null(strstr(first, "\n/opt/ft/bin/facetrack track --videos-json \"$state/videos.json\" "
                                  "--shard \"$((task + 1))/2\" --progress json --force --max-faces 3 "
                                  "--engine 'it'\\''s' >\"$state/task-$task.events\"\n"));
    free(first);
    /* A resume: the job's own folder, the tasks given, never --force. */
    char *resume = ft_cluster_script(&job, "1", 0);
    assert_non_null(resume);
    assert_non_null(strstr(resume, "\n#SBATCH --array=1\n"));
    assert_non_null(strstr(resume, "\n#SBATCH --output=/shared/st/41/task-%a.log\n"));
    assert_non_null(strstr(resume, "\nstate=/shared/st/41\n"));
    assert_null(strstr(resume, "--force"));
    free(resume);
    /* A path a #SBATCH line cannot carry: no script. */
    strcpy(job.cwd, "/shared/a\"b");
    assert_null(ft_cluster_script(&job, "0-1", 1));
    ft_cluster_job_free(&job);
}

static void test_save_load(void **state)
{
    (void)state;
    char root[] = "/tmp/ft_cluster_job_XXXXXX";
    assert_non_null(mkdtemp(root));
    char dir[128];
    snprintf(dir, sizeof dir, "%s/41", root);
    assert_int_equal(mkdir(dir, 0755), 0);
    ft_cluster_job job, back;
    make_job(&job, root);
    strcpy(job.submissions[1].job_id, "57");
    job.submissions[1].array = strdup("1");
    job.submission_count = 2;
    char err[512];
    assert_int_equal(ft_cluster_job_save(&job, dir, err, sizeof err), FT_OK);
    assert_int_equal(ft_cluster_job_load(root, "41", &back, err, sizeof err), FT_OK);
    assert_string_equal(back.step, "track");
    assert_string_equal(back.format, "reduced");
    assert_string_equal(back.program, job.program);
    assert_string_equal(back.output_dir, "/shared/out");
    assert_string_equal(back.dir, dir);
    assert_int_equal(back.tasks, 2);
    assert_int_equal(back.force, 1);
    assert_int_equal(back.step_arg_count, 4);
    assert_string_equal(back.step_args[3], "it's");
    assert_int_equal(back.directive_count, 1);
    assert_int_equal(back.video_count, 5);
    assert_string_equal(back.videos[4], "/shared/clips/v4.mp4");
    assert_int_equal(back.submission_count, 2);
    assert_string_equal(back.submissions[1].job_id, "57");
    assert_string_equal(back.submissions[1].array, "1");
    ft_cluster_job_free(&back);
    /* A resubmission's id finds its job too; an unknown one does not. */
    assert_int_equal(ft_cluster_job_load(root, "57", &back, err, sizeof err), FT_OK);
    assert_string_equal(back.dir, dir);
    ft_cluster_job_free(&back);
    assert_int_not_equal(ft_cluster_job_load(root, "99", &back, err, sizeof err), FT_OK);
    assert_non_null(strstr(err, "no job 99 under"));
    /* Task I owns the videos I, I + N, ...; outputs by step and format. */
    assert_int_equal(ft_cluster_video_task(&job, 0), 0);
    assert_int_equal(ft_cluster_video_task(&job, 3), 1);
    assert_int_equal(ft_cluster_video_task(&job, 4), 0);
    char out[256];
    assert_int_equal(ft_cluster_video_output(&job, 2, out, sizeof out), FT_OK);
    assert_string_equal(out, "/shared/out/v2_tracking.json");
    strcpy(job.step, "scenes");
    assert_int_equal(ft_cluster_video_output(&job, 2, out, sizeof out), FT_OK);
    assert_string_equal(out, "/shared/out/v2.csv");
    assert_int_equal(ft_cluster_video_complete(&job, 2), 0);
    ft_cluster_job_free(&job);
    /* A description that is not one. */
    FILE *f = fopen(strcat(strcpy(out, dir), "/job.json"), "w");
    assert_non_null(f);
    fputs("{\"step\": 3}", f);
    fclose(f);
    assert_int_not_equal(ft_cluster_job_load(root, "41", &back, err, sizeof err), FT_OK);
    assert_non_null(strstr(err, "not a facetrack cluster job's description"));
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shell_quote),
        cmocka_unit_test(test_sbatch_arg),
        cmocka_unit_test(test_script),
        cmocka_unit_test(test_save_load),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
