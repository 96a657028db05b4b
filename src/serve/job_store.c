/* Jobs in SQLite (see job_store.h). One connection, used under a mutex;
 * WAL journal so that a crash loses at most the last progress update. */
#include "serve/job_store.h"

#include <json-c/json.h>
#include <pthread.h>
#include <stdarg.h>
#include <sqlite3.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/clock.h"

#define LOG_PREFIX "facetrack serve: "

#define LIVE_JOBS 64 /* running jobs whose step's account is kept */

struct ft_job_store {
    sqlite3 *db;
    pthread_mutex_t lock;
    pthread_cond_t changed;
    int64_t seq;
    struct {
        int64_t id; /* 0: a free slot */
        ft_job_run_progress progress;
    } live[LIVE_JOBS];
};

void ft_job_store_set_run_progress(ft_job_store *s, int64_t id, const ft_job_run_progress *p)
{
    pthread_mutex_lock(&s->lock);
    int at = -1;
    for (int i = 0; i < LIVE_JOBS && at < 0; i++)
        if (s->live[i].id == id)
            at = i;
    for (int i = 0; i < LIVE_JOBS && at < 0 && p; i++)
        if (s->live[i].id == 0)
            at = i;
    if (at >= 0) {
        s->live[at].id = p ? id : 0;
        if (p)
            s->live[at].progress = *p;
    }
    pthread_mutex_unlock(&s->lock);
}

static const char schema[] =
    "CREATE TABLE IF NOT EXISTS jobs ("
    " id INTEGER PRIMARY KEY AUTOINCREMENT, state TEXT NOT NULL, steps INTEGER NOT NULL,"
    " step INTEGER NOT NULL DEFAULT 0, options TEXT NOT NULL, created_at TEXT NOT NULL,"
    " started_at TEXT NOT NULL DEFAULT '', finished_at TEXT NOT NULL DEFAULT '',"
    " error TEXT, seq INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS videos ("
    " job_id INTEGER NOT NULL REFERENCES jobs(id), idx INTEGER NOT NULL,"
    " root INTEGER NOT NULL, path TEXT NOT NULL, file TEXT NOT NULL,"
    " state TEXT NOT NULL, step INTEGER NOT NULL DEFAULT 0,"
    " done_steps INTEGER NOT NULL DEFAULT 0, skipped_steps INTEGER NOT NULL DEFAULT 0,"
    " frames_done INTEGER NOT NULL DEFAULT 0, frames INTEGER NOT NULL DEFAULT 0,"
    " fps REAL NOT NULL DEFAULT 0, error TEXT, PRIMARY KEY (job_id, idx));"
    "CREATE INDEX IF NOT EXISTS jobs_by_seq ON jobs(seq);";

const char *ft_job_step_name(int step)
{
    return step == FT_STEP_SCENES ? "scenes" : step == FT_STEP_TRACK ? "track" : NULL;
}

/* ------------------------------------------------------------ states */

static const char *const job_state_names[FT_JOB_STATE_COUNT] = {
    [FT_JOB_QUEUED] = "queued",       [FT_JOB_RUNNING] = "running",
    [FT_JOB_SUCCEEDED] = "succeeded", [FT_JOB_FAILED] = "failed",
    [FT_JOB_CANCELLED] = "cancelled", [FT_JOB_INTERRUPTED] = "interrupted",
};

static const char *const video_state_names[FT_VIDEO_STATE_COUNT] = {
    [FT_VIDEO_PENDING] = "pending", [FT_VIDEO_RUNNING] = "running", [FT_VIDEO_DONE] = "done",
    [FT_VIDEO_SKIPPED] = "skipped", [FT_VIDEO_FAILED] = "failed",
};

/* The index of NAME among NAMES[0..count); -1 when absent. */
static int name_index(const char *const *names, int count, const char *name)
{
    for (int i = 0; name && i < count; i++)
        if (strcmp(names[i], name) == 0)
            return i;
    return -1;
}

const char *ft_job_state_name(ft_job_state state)
{
    return (unsigned)state < FT_JOB_STATE_COUNT ? job_state_names[state] : NULL;
}

ft_status ft_job_state_parse(const char *name, ft_job_state *out)
{
    const int i = name_index(job_state_names, FT_JOB_STATE_COUNT, name);
    if (i >= 0)
        *out = (ft_job_state)i;
    return i >= 0 ? FT_OK : FT_ERR_INVALID_ARG;
}

int ft_job_state_ended(ft_job_state state)
{
    return state == FT_JOB_SUCCEEDED || state == FT_JOB_FAILED || state == FT_JOB_CANCELLED ||
           state == FT_JOB_INTERRUPTED;
}

const char *ft_video_state_name(ft_video_state state)
{
    return (unsigned)state < FT_VIDEO_STATE_COUNT ? video_state_names[state] : NULL;
}

ft_status ft_video_state_parse(const char *name, ft_video_state *out)
{
    const int i = name_index(video_state_names, FT_VIDEO_STATE_COUNT, name);
    if (i >= 0)
        *out = (ft_video_state)i;
    return i >= 0 ? FT_OK : FT_ERR_INVALID_ARG;
}

/* The states of a row. A name this build does not know (a database of a
 * newer one) reads as failed: shown, retryable, never run as it stands. */
static ft_job_state job_state_column(sqlite3_stmt *st, int column)
{
    ft_job_state state = FT_JOB_FAILED;
    ft_job_state_parse((const char *)sqlite3_column_text(st, column), &state);
    return state;
}

static ft_video_state video_state_column(sqlite3_stmt *st, int column)
{
    ft_video_state state = FT_VIDEO_FAILED;
    ft_video_state_parse((const char *)sqlite3_column_text(st, column), &state);
    return state;
}

static void now_utc(char out[24])
{
    const time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 24, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static char *dup_text(const unsigned char *s)
{
    return s ? strdup((const char *)s) : NULL;
}

static void copy_text(char *dst, size_t size, const unsigned char *s)
{
    snprintf(dst, size, "%s", s ? (const char *)s : "");
}

/* Runs SQL with ? parameters bound from a format: 'i' int64, 't' text
 * (NULL binds NULL), 'd' double. Returns the sqlite3 result code. */
static int exec_bound(ft_job_store *s, const char *sql, const char *types, ...)
{
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);
    if (rc != SQLITE_OK) {
        fprintf(stderr, LOG_PREFIX "job database: %.60s: %s\n", sql, sqlite3_errmsg(s->db));
        return rc;
    }
    va_list ap;
    va_start(ap, types);
    for (int i = 0; types[i]; i++) {
        if (types[i] == 'i')
            sqlite3_bind_int64(st, i + 1, va_arg(ap, int64_t));
        else if (types[i] == 'd')
            sqlite3_bind_double(st, i + 1, va_arg(ap, double));
        else
            sqlite3_bind_text(st, i + 1, va_arg(ap, const char *), -1, SQLITE_TRANSIENT);
    }
    va_end(ap);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    }
    if (rc != SQLITE_DONE) /* every failed write is in the log, with SQLite's reason */
        fprintf(stderr, LOG_PREFIX "job database: %.60s: %s\n", sql, sqlite3_errmsg(s->db));
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* Callers hold the lock. */
static int64_t next_seq(ft_job_store *s)
{
    pthread_cond_broadcast(&s->changed);
    return ++s->seq;
}

/* The first problem PRAGMA quick_check finds in DB, into PROBLEM; 0 when
 * none. A file that is no database at all fails the same way. */
static int find_corruption(sqlite3 *db, char *problem, size_t size)
{
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(db, "PRAGMA quick_check(1)", -1, &st, NULL);
    if (rc != SQLITE_OK) {
        snprintf(problem, size, "%s", sqlite3_errmsg(db));
        return rc == SQLITE_CORRUPT || rc == SQLITE_NOTADB;
    }
    rc = sqlite3_step(st);
    const char *text = rc == SQLITE_ROW ? (const char *)sqlite3_column_text(st, 0) : NULL;
    int corrupt = 0;
    if (text && strcmp(text, "ok") != 0) {
        corrupt = 1;
        snprintf(problem, size, "%s", text);
    } else if (rc != SQLITE_ROW) {
        corrupt = rc == SQLITE_CORRUPT || rc == SQLITE_NOTADB;
        snprintf(problem, size, "%s", sqlite3_errmsg(db));
    }
    sqlite3_finalize(st);
    /* One line: a report of several problems is cut at its first. */
    for (char *p = problem; *p; p++)
        if (*p == '\n' || *p == '\r')
            *p = '\0';
    return corrupt;
}

/* Opens PATH as the job database, schema made; *CORRUPT set when it is. */
static int open_database(const char *path, sqlite3 **db, int *corrupt, char *problem, size_t size)
{
    *corrupt = 0;
    int rc = sqlite3_open_v2(path, db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
                                           SQLITE_OPEN_FULLMUTEX, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_busy_timeout(*db, 5000);
        rc = sqlite3_exec(*db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;", NULL, NULL,
                          NULL);
    }
    if ((rc == SQLITE_OK || rc == SQLITE_CORRUPT || rc == SQLITE_NOTADB) &&
        find_corruption(*db, problem, size)) {
        *corrupt = 1;
        return SQLITE_CORRUPT;
    }
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(*db, schema, NULL, NULL, NULL);
    if (rc != SQLITE_OK)
        snprintf(problem, size, "%s", *db ? sqlite3_errmsg(*db) : sqlite3_errstr(rc));
    return rc;
}

/* Moves PATH (and its journal files) to PATH.corrupt-TIME; the new name in MOVED. */
static int move_aside(const char *path, char *moved, size_t size)
{
    char stamp[24];
    const time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
    snprintf(moved, size, "%s.corrupt-%s", path, stamp);
    if (rename(path, moved) != 0)
        return -1;
    for (int k = 0; k < 2; k++) { /* the WAL belongs to the corrupt file: kept beside it */
        const char *suffix = k ? "-shm" : "-wal";
        char from[4200], to[4300];
        snprintf(from, sizeof from, "%s%s", path, suffix);
        snprintf(to, sizeof to, "%s%s", moved, suffix);
        rename(from, to);
    }
    return 0;
}

ft_status ft_job_store_open(const char *dir, int reset_corrupt, ft_job_store **out, char *err,
                            size_t err_size)
{
    *out = NULL;
    char path[4096];
    snprintf(path, sizeof path, "%s/jobs.db", dir);
    ft_job_store *s = calloc(1, sizeof *s);
    if (!s)
        return FT_ERR_NOMEM;
    char problem[256] = "";
    int corrupt;
    int rc = open_database(path, &s->db, &corrupt, problem, sizeof problem);
    if (corrupt && reset_corrupt) {
        sqlite3_close(s->db);
        s->db = NULL;
        char moved[4200];
        if (move_aside(path, moved, sizeof moved) != 0) {
            snprintf(err, err_size, "%s: corrupt (%s), and cannot be moved aside: %s", path,
                     problem, strerror(errno));
            free(s);
            return FT_ERR_IO;
        }
        fprintf(stderr, LOG_PREFIX "%s was corrupt (%s): moved to %s; the job list starts empty\n",
                path, problem, moved);
        rc = open_database(path, &s->db, &corrupt, problem, sizeof problem);
    }
    sqlite3_stmt *st = NULL;
    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v2(s->db, "SELECT COALESCE(MAX(seq), 0) FROM jobs", -1, &st, NULL);
    if (rc == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        s->seq = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    if (rc != SQLITE_OK) {
        if (corrupt)
            snprintf(err, err_size,
                     "%s: the job database is corrupt (%s); start with --reset-corrupt-db to "
                     "move it aside and begin an empty one",
                     path, problem);
        else
            snprintf(err, err_size, "%s: cannot open the job database: %s", path,
                     *problem ? problem : s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc));
        sqlite3_close(s->db);
        free(s);
        return corrupt ? FT_ERR_FORMAT : FT_ERR_IO;
    }
    pthread_mutex_init(&s->lock, NULL);
    pthread_cond_init(&s->changed, NULL);
    *out = s;
    return FT_OK;
}

void ft_job_store_close(ft_job_store *s)
{
    if (!s)
        return;
    sqlite3_close(s->db);
    pthread_mutex_destroy(&s->lock);
    pthread_cond_destroy(&s->changed);
    free(s);
}

int ft_job_store_recover(ft_job_store *s)
{
    pthread_mutex_lock(&s->lock);
    char now[24];
    now_utc(now);
    exec_bound(s, "BEGIN", "");
    exec_bound(s,
               "UPDATE videos SET state = ?, step = 0, frames_done = 0, fps = 0"
               " WHERE state = ? AND job_id IN (SELECT id FROM jobs WHERE state = ?)",
               "ttt", ft_video_state_name(FT_VIDEO_PENDING), ft_video_state_name(FT_VIDEO_RUNNING),
               ft_job_state_name(FT_JOB_RUNNING));
    exec_bound(s,
               "UPDATE jobs SET state = ?, step = 0, finished_at = ?,"
               " error = 'the server stopped while it ran', seq = ? WHERE state = ?",
               "ttit", ft_job_state_name(FT_JOB_INTERRUPTED), now, next_seq(s),
               ft_job_state_name(FT_JOB_RUNNING));
    const int changed = sqlite3_changes(s->db);
    exec_bound(s, "COMMIT", "");
    pthread_mutex_unlock(&s->lock);
    return changed;
}

ft_status ft_job_store_create(ft_job_store *s, ft_job *job)
{
    char now[24];
    now_utc(now);
    pthread_mutex_lock(&s->lock);
    int rc = exec_bound(s, "BEGIN", "");
    if (rc == SQLITE_OK)
        rc = exec_bound(s,
                        "INSERT INTO jobs (state, steps, options, created_at, seq)"
                        " VALUES (?, ?, ?, ?, ?)",
                        "titti", ft_job_state_name(FT_JOB_QUEUED), (int64_t)job->steps,
                        job->options, now, next_seq(s));
    const int64_t id = sqlite3_last_insert_rowid(s->db);
    for (size_t i = 0; rc == SQLITE_OK && i < job->video_count; i++)
        rc = exec_bound(s,
                        "INSERT INTO videos (job_id, idx, root, path, file, state)"
                        " VALUES (?, ?, ?, ?, ?, ?)",
                        "iiittt", id, (int64_t)i, (int64_t)job->videos[i].root,
                        job->videos[i].path, job->videos[i].file,
                        ft_video_state_name(FT_VIDEO_PENDING));
    exec_bound(s, rc == SQLITE_OK ? "COMMIT" : "ROLLBACK", "");
    pthread_mutex_unlock(&s->lock);
    if (rc != SQLITE_OK)
        return FT_ERR_IO;
    job->id = id;
    return FT_OK;
}

void ft_job_free(ft_job *job)
{
    if (!job)
        return;
    for (size_t i = 0; i < job->video_count; i++) {
        free(job->videos[i].path);
        free(job->videos[i].file);
        free(job->videos[i].error);
    }
    free(job->videos);
    free(job->options);
    free(job->error);
    free(job);
}

/* The first MAX videos of JOB (-1: all). */
static int load_videos(ft_job_store *s, ft_job *job, int64_t max)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db,
                           "SELECT root, path, file, state, step, done_steps, skipped_steps,"
                           " frames_done, frames, fps, error FROM videos WHERE job_id = ?"
                           " ORDER BY idx LIMIT ?",
                           -1, &st, NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_int64(st, 1, job->id);
    sqlite3_bind_int64(st, 2, max);
    size_t cap = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (job->video_count == cap) {
            cap = cap ? cap * 2 : 8;
            ft_job_video *grown = realloc(job->videos, cap * sizeof *grown);
            if (!grown)
                break;
            job->videos = grown;
        }
        ft_job_video *v = &job->videos[job->video_count++];
        memset(v, 0, sizeof *v);
        v->root = sqlite3_column_int(st, 0);
        v->path = dup_text(sqlite3_column_text(st, 1));
        v->file = dup_text(sqlite3_column_text(st, 2));
        v->state = video_state_column(st, 3);
        v->step = sqlite3_column_int(st, 4);
        v->done_steps = sqlite3_column_int(st, 5);
        v->skipped_steps = sqlite3_column_int(st, 6);
        v->frames_done = sqlite3_column_int64(st, 7);
        v->frames = sqlite3_column_int64(st, 8);
        v->fps = sqlite3_column_double(st, 9);
        v->error = dup_text(sqlite3_column_text(st, 10));
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : -1;
}

/* The counts of JOB's videos by state and its overall progress, over all
 * of them, in SQL: a summary need not load 10,000 rows. A step a video is
 * in counts by its share of frames done. */
static int count_videos(ft_job_store *s, ft_job *job)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db,
                           "SELECT state, COUNT(*),"
                           " SUM((done_steps & ?2 & 1) != 0) + SUM((done_steps & ?2 & 2) != 0),"
                           " SUM(CASE WHEN state <> 'failed' AND step <> 0 AND (done_steps & step) = 0"
                           "  AND frames > 0 THEN CAST(frames_done AS REAL) / frames ELSE 0 END)"
                           " FROM videos WHERE job_id = ?1 GROUP BY state",
                           -1, &st, NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_int64(st, 1, job->id);
    sqlite3_bind_int64(st, 2, job->steps);
    double done = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const size_t n = (size_t)sqlite3_column_int64(st, 1);
        job->videos_in_state[video_state_column(st, 0)] += n;
        job->total_videos += n;
        done += sqlite3_column_double(st, 2) + sqlite3_column_double(st, 3);
    }
    sqlite3_finalize(st);
    int steps = 0;
    for (int b = 1; b <= FT_STEP_TRACK; b <<= 1)
        steps += (job->steps & b) != 0;
    const double p = steps && job->total_videos
                         ? 100.0 * done / ((double)steps * (double)job->total_videos)
                         : 0;
    job->progress = p > 100 ? 100 : p;
    return rc == SQLITE_DONE ? 0 : -1;
}

/* The stored options, or NULL when they are not a JSON object: a value
 * written by hand or by another program never reaches a client as
 * invalid JSON. */
static char *checked_options(int64_t id, const unsigned char *text)
{
    json_object *parsed = text ? json_tokener_parse((const char *)text) : NULL;
    const int valid = json_object_is_type(parsed, json_type_object);
    json_object_put(parsed);
    if (!valid) {
        fprintf(stderr, LOG_PREFIX "job %lld: its stored options are not a JSON object; shown as null\n",
                (long long)id);
        return NULL;
    }
    return strdup((const char *)text);
}

static ft_job *load_job(ft_job_store *s, int64_t id, int64_t max_videos)
{
    pthread_mutex_lock(&s->lock);
    sqlite3_stmt *st;
    ft_job *job = NULL;
    if (sqlite3_prepare_v2(s->db,
                           "SELECT state, steps, step, options, created_at, started_at,"
                           " finished_at, error, seq FROM jobs WHERE id = ?",
                           -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_int64(st, 1, id);
        if (sqlite3_step(st) == SQLITE_ROW && (job = calloc(1, sizeof *job))) {
            job->id = id;
            job->state = job_state_column(st, 0);
            job->steps = sqlite3_column_int(st, 1);
            job->step = sqlite3_column_int(st, 2);
            job->options = checked_options(id, sqlite3_column_text(st, 3));
            copy_text(job->created_at, sizeof job->created_at, sqlite3_column_text(st, 4));
            copy_text(job->started_at, sizeof job->started_at, sqlite3_column_text(st, 5));
            copy_text(job->finished_at, sizeof job->finished_at, sqlite3_column_text(st, 6));
            job->error = dup_text(sqlite3_column_text(st, 7));
            job->seq = sqlite3_column_int64(st, 8);
        }
        sqlite3_finalize(st);
    }
    if (job && (load_videos(s, job, max_videos) != 0 || count_videos(s, job) != 0)) {
        ft_job_free(job);
        job = NULL;
    }
    for (int i = 0; job && i < LIVE_JOBS; i++)
        if (s->live[i].id == id && job->state == FT_JOB_RUNNING) {
            job->has_run = 1;
            job->run = s->live[i].progress;
        }
    pthread_mutex_unlock(&s->lock);
    return job;
}

ft_job *ft_job_store_load(ft_job_store *s, int64_t id)
{
    return load_job(s, id, -1);
}

ft_job *ft_job_store_load_summary(ft_job_store *s, int64_t id, size_t max_videos)
{
    return load_job(s, id, max_videos > INT64_MAX ? -1 : (int64_t)max_videos);
}

/* The job ids SQL (two integer parameters, then LIMIT) selects, at most MAX. */
static size_t select_ids(ft_job_store *s, const char *sql, int64_t a, int64_t *ids, size_t max)
{
    pthread_mutex_lock(&s->lock);
    sqlite3_stmt *st;
    size_t n = 0;
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_int64(st, 1, a);
        sqlite3_bind_int64(st, 2, (int64_t)max);
        while (n < max && sqlite3_step(st) == SQLITE_ROW)
            ids[n++] = sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
    }
    pthread_mutex_unlock(&s->lock);
    return n;
}

size_t ft_job_store_page(ft_job_store *s, int64_t before, int64_t *ids, size_t max)
{
    return select_ids(s, "SELECT id FROM jobs WHERE ?1 <= 0 OR id < ?1 ORDER BY id DESC LIMIT ?2",
                      before, ids, max);
}

ft_status ft_job_store_reset_unfinished(ft_job_store *s, int64_t id, int steps)
{
    pthread_mutex_lock(&s->lock);
    int rc = exec_bound(s,
                        "UPDATE videos SET state = ?, step = 0, frames_done = 0, fps = 0,"
                        " error = NULL WHERE job_id = ? AND (done_steps & ?) <> ?",
                        "tiii", ft_video_state_name(FT_VIDEO_PENDING), id, (int64_t)steps,
                        (int64_t)steps);
    if (rc == SQLITE_OK)
        rc = exec_bound(s, "UPDATE jobs SET seq = ? WHERE id = ?", "ii", next_seq(s), id);
    pthread_mutex_unlock(&s->lock);
    return rc == SQLITE_OK ? FT_OK : FT_ERR_IO;
}

size_t ft_job_store_ids(ft_job_store *s, int64_t after_seq, int64_t *ids, size_t max)
{
    return select_ids(s, "SELECT id FROM jobs WHERE seq > ? ORDER BY id DESC LIMIT ?", after_seq,
                      ids, max);
}

int64_t ft_job_store_claim_next(ft_job_store *s)
{
    pthread_mutex_lock(&s->lock);
    sqlite3_stmt *st;
    int64_t id = 0;
    if (sqlite3_prepare_v2(s->db, "SELECT id FROM jobs WHERE state = ? ORDER BY id LIMIT 1", -1,
                           &st, NULL) == SQLITE_OK) {
        sqlite3_bind_text(st, 1, ft_job_state_name(FT_JOB_QUEUED), -1, SQLITE_STATIC);
        if (sqlite3_step(st) == SQLITE_ROW)
            id = sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
    }
    if (id) {
        char now[24];
        now_utc(now);
        if (exec_bound(s,
                       "UPDATE jobs SET state = ?, started_at = ?, finished_at = '',"
                       " error = NULL, seq = ? WHERE id = ?",
                       "ttii", ft_job_state_name(FT_JOB_RUNNING), now, next_seq(s), id) !=
            SQLITE_OK)
            id = 0;
    }
    pthread_mutex_unlock(&s->lock);
    return id;
}

ft_status ft_job_store_set_state(ft_job_store *s, int64_t id, unsigned from, ft_job_state state,
                                 const char *error)
{
    pthread_mutex_lock(&s->lock);
    sqlite3_stmt *st;
    int found = 0;
    ft_job_state current = FT_JOB_FAILED;
    if (sqlite3_prepare_v2(s->db, "SELECT state FROM jobs WHERE id = ?", -1, &st, NULL) ==
        SQLITE_OK) {
        sqlite3_bind_int64(st, 1, id);
        if (sqlite3_step(st) == SQLITE_ROW) {
            found = 1;
            current = job_state_column(st, 0);
        }
        sqlite3_finalize(st);
    }
    ft_status result = FT_OK;
    if (!found) {
        result = FT_ERR_NOT_FOUND;
    } else if (from && !(from & FT_JOB_STATE_BIT(current))) {
        result = FT_ERR_INVALID_ARG;
    } else {
        char now[24];
        now_utc(now);
        const char *name = ft_job_state_name(state);
        const int rc =
            ft_job_state_ended(state)
                ? exec_bound(s,
                             "UPDATE jobs SET state = ?, error = ?, step = 0, finished_at = ?,"
                             " seq = ? WHERE id = ?",
                             "tttii", name, error, now, next_seq(s), id)
                : exec_bound(s,
                             "UPDATE jobs SET state = ?, error = ?, finished_at = '', seq = ?"
                             " WHERE id = ?",
                             "ttii", name, error, next_seq(s), id);
        if (rc != SQLITE_OK)
            result = FT_ERR_IO;
    }
    pthread_mutex_unlock(&s->lock);
    return result;
}

ft_status ft_job_store_set_step(ft_job_store *s, int64_t id, int step)
{
    pthread_mutex_lock(&s->lock);
    const int rc = exec_bound(s, "UPDATE jobs SET step = ?, seq = ? WHERE id = ?", "iii",
                              (int64_t)step, next_seq(s), id);
    pthread_mutex_unlock(&s->lock);
    return rc == SQLITE_OK ? FT_OK : FT_ERR_IO;
}

ft_status ft_job_store_update_video(ft_job_store *s, int64_t id, size_t index,
                                    const ft_job_video *v)
{
    pthread_mutex_lock(&s->lock);
    int rc = exec_bound(s, "BEGIN", "");
    if (rc == SQLITE_OK)
        rc = exec_bound(s,
                        "UPDATE videos SET state = ?, step = ?, done_steps = ?, skipped_steps = ?,"
                        " frames_done = ?, frames = ?, fps = ?, error = ?"
                        " WHERE job_id = ? AND idx = ?",
                        "tiiiiidtii", ft_video_state_name(v->state), (int64_t)v->step, (int64_t)v->done_steps,
                        (int64_t)v->skipped_steps, v->frames_done, v->frames, v->fps, v->error, id,
                        (int64_t)index);
    if (rc == SQLITE_OK)
        rc = exec_bound(s, "UPDATE jobs SET seq = ? WHERE id = ?", "ii", next_seq(s), id);
    exec_bound(s, rc == SQLITE_OK ? "COMMIT" : "ROLLBACK", "");
    pthread_mutex_unlock(&s->lock);
    return rc == SQLITE_OK ? FT_OK : FT_ERR_IO;
}

int64_t ft_job_store_seq(ft_job_store *s)
{
    pthread_mutex_lock(&s->lock);
    const int64_t seq = s->seq;
    pthread_mutex_unlock(&s->lock);
    return seq;
}

int64_t ft_job_store_wait(ft_job_store *s, int64_t last, int timeout_ms)
{
    const struct timespec until = ft_deadline_after_ms(timeout_ms);
    pthread_mutex_lock(&s->lock);
    if (s->seq <= last)
        pthread_cond_timedwait(&s->changed, &s->lock, &until);
    const int64_t seq = s->seq;
    pthread_mutex_unlock(&s->lock);
    return seq;
}

void ft_job_store_wake_all(ft_job_store *s)
{
    pthread_mutex_lock(&s->lock);
    pthread_cond_broadcast(&s->changed);
    pthread_mutex_unlock(&s->lock);
}

/* ------------------------------------------------------------ JSON */

static void kv_text_or_null(ft_json *j, const char *key, const char *text)
{
    ft_json_key(j, key);
    if (text && *text)
        ft_json_string(j, text);
    else
        ft_json_null(j);
}

static const char *file_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

void ft_job_write_json(const ft_job *job, ft_json *j)
{
    ft_json_object_begin(j);
    ft_json_kv_int(j, "id", job->id);
    ft_json_kv_string(j, "state", ft_job_state_name(job->state));
    ft_json_key(j, "steps");
    ft_json_array_begin(j);
    for (int b = 1; b <= FT_STEP_TRACK; b <<= 1)
        if (job->steps & b)
            ft_json_string(j, ft_job_step_name(b));
    ft_json_array_end(j);
    ft_json_key(j, "options");
    if (job->options)
        ft_json_raw(j, job->options);
    else
        ft_json_null(j);
    kv_text_or_null(j, "created_at", job->created_at);
    kv_text_or_null(j, "started_at", job->started_at);
    kv_text_or_null(j, "finished_at", job->finished_at);
    kv_text_or_null(j, "error", job->error);
    kv_text_or_null(j, "step", ft_job_step_name(job->step));
    ft_json_key(j, "progress");
    ft_json_double_places(j, job->progress, 1);
    /* The running step's own account of its run, frames over all its
     * videos: what `track`'s bar shows. */
    ft_json_key(j, "run");
    if (job->has_run) {
        const ft_job_run_progress *r = &job->run;
        ft_json_object_begin(j);
        kv_text_or_null(j, "step", ft_job_step_name(r->step));
        ft_json_kv_int(j, "percent", r->percent);
        ft_json_kv_int(j, "frames_done", r->frames_done);
        ft_json_kv_int(j, "frames", r->frames);
        ft_json_key(j, "fps");
        ft_json_double_places(j, r->fps, 1);
        ft_json_key(j, "elapsed");
        ft_json_double_places(j, r->elapsed, 1);
        ft_json_key(j, "eta");
        if (r->eta >= 0)
            ft_json_double_places(j, r->eta, 1);
        else
            ft_json_null(j);
        ft_json_object_end(j);
    } else {
        ft_json_null(j);
    }
    ft_json_kv_int(j, "video_count", (int64_t)job->total_videos);
    ft_json_key(j, "videos_by_state");
    ft_json_object_begin(j);
    for (int k = 0; k < FT_VIDEO_STATE_COUNT; k++)
        ft_json_kv_int(j, ft_video_state_name((ft_video_state)k), (int64_t)job->videos_in_state[k]);
    ft_json_object_end(j);
    ft_json_key(j, "videos");
    ft_json_array_begin(j);
    for (size_t i = 0; i < job->video_count; i++) {
        const ft_job_video *v = &job->videos[i];
        ft_json_object_begin(j);
        ft_json_kv_int(j, "root", v->root);
        ft_json_kv_string(j, "path", v->path);
        ft_json_kv_string(j, "name", file_name(v->path));
        ft_json_kv_string(j, "state", ft_video_state_name(v->state));
        kv_text_or_null(j, "step", ft_job_step_name(v->step));
        ft_json_kv_int(j, "frames_done", v->frames_done);
        ft_json_kv_int(j, "frames", v->frames);
        const int done = v->state == FT_VIDEO_DONE || v->state == FT_VIDEO_SKIPPED;
        ft_json_kv_int(j, "percent",
                       done ? 100 : v->frames > 0 ? (int64_t)(100 * v->frames_done / v->frames) : 0);
        ft_json_key(j, "fps");
        ft_json_double_places(j, v->fps, 1);
        kv_text_or_null(j, "error", v->error);
        ft_json_object_end(j);
    }
    ft_json_array_end(j);
    ft_json_object_end(j);
}
