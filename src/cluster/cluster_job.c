/* A cluster run's description and state files (see cluster_job.h). */
#define _GNU_SOURCE
#include "cluster/cluster_job.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <json-c/json.h>

#include "base/atomic_file.h"
#include "base/file_read.h"
#include "track/output_complete.h"
#include "track/outputs.h"

static void free_list(char **list, size_t count)
{
    for (size_t i = 0; i < count; i++)
        free(list[i]);
    free(list);
}

void ft_cluster_job_free(ft_cluster_job *job)
{
    free_list(job->step_args, job->step_arg_count);
    free_list(job->directives, job->directive_count);
    free_list(job->videos, job->video_count);
    for (size_t i = 0; i < job->submission_count; i++)
        free(job->submissions[i].array);
    memset(job, 0, sizeof *job);
}

int ft_cluster_list_add(char ***list, size_t *count, const char *text)
{
    char **grown = realloc(*list, (*count + 1) * sizeof *grown);
    if (!grown)
        return -1;
    *list = grown;
    if (!(grown[*count] = strdup(text)))
        return -1;
    (*count)++;
    return 0;
}

/* ---------------------------------------------------------------- saving */

static json_object *string_array(char *const *list, size_t count)
{
    json_object *a = json_object_new_array();
    for (size_t i = 0; a && i < count; i++)
        json_object_array_add(a, json_object_new_string(list[i]));
    return a;
}

static ft_status write_json(const char *dir, const char *name, json_object *value, char *err,
                            size_t err_size)
{
    char path[FT_CLUSTER_PATH + 64];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    const char *text = json_object_to_json_string_ext(value, JSON_C_TO_STRING_PRETTY |
                                                                 JSON_C_TO_STRING_NOSLASHESCAPE);
    ft_atomic_file f;
    ft_status st = ft_atomic_file_open(&f, path, err, err_size);
    if (st != FT_OK)
        return st;
    if (!text || fputs(text, f.fp) == EOF || fputc('\n', f.fp) == EOF) {
        ft_atomic_file_abort(&f);
        snprintf(err, err_size, "%s: cannot write", path);
        return FT_ERR_IO;
    }
    return ft_atomic_file_commit(&f, err, err_size);
}

ft_status ft_cluster_job_save(const ft_cluster_job *job, const char *dir, char *err,
                              size_t err_size)
{
    json_object *videos = string_array(job->videos, job->video_count);
    ft_status st = videos ? write_json(dir, "videos.json", videos, err, err_size) : FT_ERR_NOMEM;
    json_object_put(videos);
    if (st != FT_OK)
        return st;
    json_object *o = json_object_new_object(), *subs = json_object_new_array();
    if (!o || !subs) {
        json_object_put(o);
        json_object_put(subs);
        return FT_ERR_NOMEM;
    }
    json_object_object_add(o, "step", json_object_new_string(job->step));
    json_object_object_add(o, "program", json_object_new_string(job->program));
    json_object_object_add(o, "cwd", json_object_new_string(job->cwd));
    json_object_object_add(o, "tasks", json_object_new_int(job->tasks));
    json_object_object_add(o, "step_args", string_array(job->step_args, job->step_arg_count));
    json_object_object_add(o, "force", json_object_new_boolean(job->force));
    json_object_object_add(o, "output_dir", json_object_new_string(job->output_dir));
    json_object_object_add(o, "format", json_object_new_string(job->format));
    json_object_object_add(o, "sbatch", string_array(job->directives, job->directive_count));
    json_object_object_add(o, "videos", json_object_new_int64((int64_t)job->video_count));
    for (size_t i = 0; i < job->submission_count; i++) {
        json_object *s = json_object_new_object();
        json_object_object_add(s, "job_id", json_object_new_string(job->submissions[i].job_id));
        json_object_object_add(s, "array", json_object_new_string(job->submissions[i].array));
        json_object_array_add(subs, s);
    }
    json_object_object_add(o, "submissions", subs);
    st = write_json(dir, "job.json", o, err, err_size);
    json_object_put(o);
    return st;
}

/* --------------------------------------------------------------- loading */

static const char *get_string(json_object *o, const char *key)
{
    json_object *v;
    return json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_string)
               ? json_object_get_string(v)
               : NULL;
}

static int copy_string(json_object *o, const char *key, char *out, size_t out_size)
{
    const char *v = get_string(o, key);
    if (!v || strlen(v) >= out_size)
        return -1;
    strcpy(out, v);
    return 0;
}

static int get_strings(json_object *o, const char *key, char ***list, size_t *count)
{
    json_object *a = o;
    if (key && !json_object_object_get_ex(o, key, &a))
        return -1;
    if (!json_object_is_type(a, json_type_array))
        return -1;
    for (size_t i = 0; i < json_object_array_length(a); i++) {
        json_object *v = json_object_array_get_idx(a, i);
        if (!json_object_is_type(v, json_type_string) ||
            ft_cluster_list_add(list, count, json_object_get_string(v)) != 0)
            return -1;
    }
    return 0;
}

static json_object *read_json(const char *path, char *err, size_t err_size)
{
    char *data = NULL;
    size_t size = 0;
    if (ft_read_file(path, 64u << 20, "a cluster job's state", &data, &size, err, err_size) != FT_OK)
        return NULL;
    json_object *o = json_tokener_parse(data);
    free(data);
    if (!o)
        snprintf(err, err_size, "%s: not valid JSON", path);
    return o;
}

static ft_status load_dir(const char *dir, ft_cluster_job *job, char *err, size_t err_size)
{
    memset(job, 0, sizeof *job);
    char path[FT_CLUSTER_PATH + 64];
    snprintf(path, sizeof path, "%s/job.json", dir);
    json_object *o = read_json(path, err, err_size);
    if (!o)
        return FT_ERR_NOT_FOUND;
    json_object *v, *subs;
    int bad = copy_string(o, "step", job->step, sizeof job->step) ||
              copy_string(o, "program", job->program, sizeof job->program) ||
              copy_string(o, "cwd", job->cwd, sizeof job->cwd) ||
              copy_string(o, "output_dir", job->output_dir, sizeof job->output_dir) ||
              copy_string(o, "format", job->format, sizeof job->format) ||
              get_strings(o, "step_args", &job->step_args, &job->step_arg_count) ||
              get_strings(o, "sbatch", &job->directives, &job->directive_count) ||
              !json_object_object_get_ex(o, "tasks", &v) || json_object_get_int(v) < 1 ||
              !json_object_object_get_ex(o, "submissions", &subs) ||
              !json_object_is_type(subs, json_type_array);
    if (!bad) {
        job->tasks = json_object_get_int(v);
        job->force = json_object_object_get_ex(o, "force", &v) && json_object_get_boolean(v);
        for (size_t i = 0; !bad && i < json_object_array_length(subs); i++) {
            json_object *s = json_object_array_get_idx(subs, i);
            ft_cluster_submission *sub = &job->submissions[job->submission_count];
            bad = job->submission_count >= FT_CLUSTER_MAX_SUBMISSIONS ||
                  copy_string(s, "job_id", sub->job_id, sizeof sub->job_id) ||
                  !get_string(s, "array") || !(sub->array = strdup(get_string(s, "array")));
            if (!bad)
                job->submission_count++;
        }
    }
    json_object_put(o);
    if (bad || job->submission_count == 0) {
        snprintf(err, err_size, "%s: not a facetrack cluster job's description", path);
        ft_cluster_job_free(job);
        return FT_ERR_FORMAT;
    }
    snprintf(path, sizeof path, "%s/videos.json", dir);
    if (!(o = read_json(path, err, err_size)) ||
        get_strings(o, NULL, &job->videos, &job->video_count) != 0) {
        if (o)
            snprintf(err, err_size, "%s: not a list of videos", path);
        json_object_put(o);
        ft_cluster_job_free(job);
        return FT_ERR_FORMAT;
    }
    json_object_put(o);
    snprintf(job->dir, sizeof job->dir, "%s", dir);
    return FT_OK;
}

ft_status ft_cluster_job_load(const char *state_root, const char *job_id, ft_cluster_job *job,
                              char *err, size_t err_size)
{
    char dir[FT_CLUSTER_PATH + 64];
    struct stat sb;
    snprintf(dir, sizeof dir, "%s/%s", state_root, job_id);
    ft_status st;
    if (stat(dir, &sb) == 0) {
        st = load_dir(dir, job, err, err_size);
    } else {
        /* A resubmission's id: the job that lists it. */
        st = FT_ERR_NOT_FOUND;
        DIR *d = opendir(state_root);
        struct dirent *e;
        while (d && st == FT_ERR_NOT_FOUND && (e = readdir(d))) {
            if (e->d_name[0] == '.')
                continue;
            snprintf(dir, sizeof dir, "%s/%s", state_root, e->d_name);
            char ignored[256];
            if (load_dir(dir, job, ignored, sizeof ignored) != FT_OK)
                continue;
            for (size_t i = 0; i < job->submission_count && st != FT_OK; i++)
                if (strcmp(job->submissions[i].job_id, job_id) == 0)
                    st = FT_OK;
            if (st != FT_OK)
                ft_cluster_job_free(job);
        }
        if (d)
            closedir(d);
        if (st != FT_OK)
            snprintf(err, err_size,
                     "no job %s under %s (submitted from elsewhere? give its --state-dir)", job_id,
                     state_root);
    }
    if (st == FT_OK)
        snprintf(job->state_root, sizeof job->state_root, "%s", state_root);
    return st;
}

/* --------------------------------------------------------------- outputs */

ft_status ft_cluster_video_output(const ft_cluster_job *job, size_t i, char *out, size_t out_size)
{
    ft_output_kind kind = strcmp(job->step, "scenes") == 0  ? FT_OUTPUT_SCENES_CSV
                          : strcmp(job->format, "reduced") == 0 ? FT_OUTPUT_REDUCED
                                                                : FT_OUTPUT_TRACKING;
    return ft_output_path_of(job->videos[i], job->output_dir, kind, out, out_size);
}

int ft_cluster_video_complete(const ft_cluster_job *job, size_t i)
{
    char path[FT_CLUSTER_PATH + 64];
    struct stat sb;
    if (ft_cluster_video_output(job, i, path, sizeof path) != FT_OK)
        return 0;
    if (strcmp(job->step, "scenes") == 0) /* `scenes`' rule: the list exists */
        return stat(path, &sb) == 0;
    return ft_tracking_output_complete_for(path, job->videos[i]);
}
