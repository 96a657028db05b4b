/* facetrack serve: the HTTP API over the media roots (see serve/server.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/atomic_file.h"
#include "cli/batch_io.h"
#include "cli/cli.h"
#include "serve/job_runner.h"
#include "serve/live_view.h"
#include "serve/host_check.h"
#include "serve/job_store.h"
#include "serve/server.h"

static const char usage[] =
    "usage: facetrack serve --media-root DIR [--media-root DIR...] [options]\n"
    "\n"
    "Serves facetrack's web UI and HTTP API (docs/serve.md): browse the videos\n"
    "under the media roots, run `scenes` and `track` jobs on them, follow\n"
    "their progress and logs, and look at the results. Jobs are kept in\n"
    "DATA-DIR/jobs.db and run one child process per step; jobs that a crash\n"
    "interrupted can be retried, and skip the videos already complete. Every\n"
    "path a client names must stay inside a media root. It listens on the\n"
    "loopback address unless told otherwise; any other address needs --token.\n"
    "Stops on SIGINT or SIGTERM (running jobs become interrupted).\n"
    "\n"
    "options:\n"
    "  --media-root DIR   a folder of videos to serve (up to 16)\n"
    "  --host ADDR        IPv4 address to listen on (default 127.0.0.1)\n"
    "  --port N           port (default 5000; 0: any free one, printed)\n"
    "  --data-dir DIR     the service's own files (default ./facetrack-data)\n"
    "  --token TOKEN      required on every request: 'Authorization: Bearer\n"
    "                     TOKEN' (or ?token=TOKEN); default $FACETRACK_TOKEN\n"
    "  --max-body BYTES   largest request body (default 1048576)\n"
    "  --max-jobs N       jobs that run at once (default 1: a job uses every core)\n"
    "  --allowed-host NAME  a host name clients may reach it by, besides its\n"
    "                     address and localhost (repeatable; DNS rebinding guard)\n"
    "  --max-connections N  connections at once (default 256)\n"
    "  --max-client-connections N  connections at once from one address (default 64)\n"
    "  --request-timeout S  seconds to send a request's headers and body (default 10)\n"
    "  --live-source SRC  a camera, stream or file the Live view may run with\n"
    "                     `facetrack live` (repeatable, up to 16; docs/live.md)\n"
    "  --executor local|slurm  where jobs' steps run: child processes here\n"
    "                     (default), or Slurm job arrays (`facetrack cluster run`;\n"
    "                     the media roots and data folder on a shared file system)\n"
    "  --cluster-option OPT  an option of `facetrack cluster submit` for the\n"
    "                     arrays, in one word (repeatable): --cluster-option\n"
    "                     --tasks=4 --cluster-option --partition=gpu\n"
    "  --reset-corrupt-db a corrupt DATA-DIR/jobs.db is moved aside (jobs.db.corrupt-TIME)\n"
    "                     and an empty one begun; without it the server refuses to start\n";

/* --live-source URL: the sources the Live view may run (serve/live_view.h). */
static const char *live_sources[FT_LIVE_VIEW_MAX_SOURCES];
static int live_source_count;
/* --executor and --cluster-option (serve/job_runner.h). */
#define MAX_CLUSTER_OPTIONS 32
static const char *cluster_options[MAX_CLUSTER_OPTIONS];
static int cluster_option_count;
static ft_job_executor executor;

static int parse_args(int argc, char **argv, ft_server_options *o, int *max_jobs,
                      const char **allowed_hosts, int *reset_corrupt_db)
{
    for (int i = 1; i < argc; i++) {
        const char *opt = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(opt, "--") == 0) { /* ends the options; serve takes no arguments */
            if (v)
                return ft_cli_usage_error("serve", "unexpected argument '%s'", v);
            break;
        }
        if (strcmp(opt, "--reset-corrupt-db") == 0) {
            *reset_corrupt_db = 1;
            continue;
        }
        if (!v)
            return ft_cli_usage_error("serve", "unknown option or missing value: '%s'", opt);
        i++;
        if (strcmp(opt, "--executor") == 0) {
            if (strcmp(v, "local") != 0 && strcmp(v, "slurm") != 0)
                return ft_cli_usage_error("serve", "--executor is local or slurm");
            executor.slurm = strcmp(v, "slurm") == 0;
        } else if (strcmp(opt, "--cluster-option") == 0) {
            if (cluster_option_count == MAX_CLUSTER_OPTIONS)
                return ft_cli_usage_error("serve", "at most %d --cluster-option", MAX_CLUSTER_OPTIONS);
            if (v[0] != '-')
                return ft_cli_usage_error("serve", "--cluster-option takes an option of `facetrack "
                                                   "cluster submit` in one word (--tasks=4)");
            cluster_options[cluster_option_count++] = v;
            executor.cluster_options = cluster_options;
            executor.cluster_option_count = (size_t)cluster_option_count;
        } else if (strcmp(opt, "--media-root") == 0) {
            const ft_status st = ft_media_roots_add(&o->roots, v);
            if (st == FT_ERR_INVALID_ARG)
                return ft_cli_usage_error("serve", "at most %d media roots", FT_MEDIA_MAX_ROOTS);
            if (st != FT_OK)
                return ft_cli_usage_error("serve", "--media-root '%s' is not a folder", v);
        } else if (strcmp(opt, "--live-source") == 0) {
            if (live_source_count == FT_LIVE_VIEW_MAX_SOURCES)
                return ft_cli_usage_error("serve", "at most %d --live-source", FT_LIVE_VIEW_MAX_SOURCES);
            live_sources[live_source_count++] = v;
        } else if (strcmp(opt, "--host") == 0) {
            o->host = v;
        } else if (strcmp(opt, "--port") == 0) {
            const long long port = ft_cli_parse_count(v);
            if (port < 0 || port > 65535)
                return ft_cli_usage_error("serve", "--port needs a number from 0 to 65535");
            o->port = (int)port;
        } else if (strcmp(opt, "--data-dir") == 0) {
            o->data_dir = v;
        } else if (strcmp(opt, "--token") == 0) {
            o->token = v;
        } else if (strcmp(opt, "--max-body") == 0) {
            const long long n = ft_cli_parse_count(v);
            if (n < 1024 || n > (1LL << 30))
                return ft_cli_usage_error("serve", "--max-body needs a size from 1024 to 2^30");
            o->max_body = (size_t)n;
        } else if (strcmp(opt, "--max-jobs") == 0) {
            const long long n = ft_cli_parse_count(v);
            if (n < 1 || n > 64)
                return ft_cli_usage_error("serve", "--max-jobs needs a number from 1 to 64");
            *max_jobs = (int)n;
        } else if (strcmp(opt, "--allowed-host") == 0) {
            if (o->allowed_host_count == FT_MAX_ALLOWED_HOSTS)
                return ft_cli_usage_error("serve", "at most %d --allowed-host names",
                                          FT_MAX_ALLOWED_HOSTS);
            if (!*v || strpbrk(v, ":/[] "))
                return ft_cli_usage_error("serve", "--allowed-host needs a host name without port");
            allowed_hosts[o->allowed_host_count++] = v;
        } else if (strcmp(opt, "--max-connections") == 0 ||
                   strcmp(opt, "--max-client-connections") == 0) {
            const long long n = ft_cli_parse_count(v);
            if (n < 1 || n > 4096)
                return ft_cli_usage_error("serve", "%s needs a number from 1 to 4096", opt);
            *(strcmp(opt, "--max-connections") == 0 ? &o->max_connections
                                                      : &o->max_client_connections) = (int)n;
        } else if (strcmp(opt, "--request-timeout") == 0) {
            const long long n = ft_cli_parse_count(v);
            if (n < 1 || n > 3600)
                return ft_cli_usage_error("serve", "--request-timeout needs seconds from 1 to 3600");
            o->request_timeout_s = (int)n;
        } else {
            return ft_cli_usage_error("serve", "unknown option '%s'", opt);
        }
    }
    if (o->roots.count == 0)
        return ft_cli_usage_error("serve", "no --media-root given");
    if (o->token && !*o->token)
        o->token = NULL;
    if (strncmp(o->host, "127.", 4) != 0 && !o->token)
        return ft_cli_usage_error("serve", "listening on %s (not loopback) needs --token", o->host);
    return FT_EXIT_OK;
}

static int run_serve(int argc, char **argv)
{
    ft_server_options o = {.host = "127.0.0.1", .port = 5000, .data_dir = "facetrack-data",
                           .token = getenv("FACETRACK_TOKEN"), .max_body = 1 << 20};
    int max_jobs = 1;
    const char *allowed_hosts[FT_MAX_ALLOWED_HOSTS];
    o.allowed_hosts = allowed_hosts;
    int reset_corrupt_db = 0;
    int rc = parse_args(argc, argv, &o, &max_jobs, allowed_hosts, &reset_corrupt_db);
    if (rc != FT_EXIT_OK)
        return rc;
    if (ft_cli_make_dirs(o.data_dir) != 0) {
        fprintf(stderr, "facetrack serve: %s: cannot create the data folder: %s\n", o.data_dir,
                strerror(errno));
        return FT_EXIT_FAILED;
    }
    ft_cli_catch_stop_signals();
    /* Temporary outputs a killed run left under the roots (none that a
     * live writer holds: see base/atomic_file.h). */
    for (int r = 0; r < o.roots.count; r++)
        ft_atomic_file_remove_stale_under(o.roots.paths[r]);
    char err[512];
    ft_server *server = NULL;
    if (ft_live_view_create(live_sources, live_source_count, o.data_dir, &o.live, err, sizeof err) != FT_OK ||
        ft_job_store_open(o.data_dir, reset_corrupt_db, &o.jobs, err, sizeof err) != FT_OK ||
        ft_job_runner_start_on(&executor, o.jobs, o.data_dir, max_jobs, &o.runner, err, sizeof err) != FT_OK ||
        ft_server_start(&o, &server, err, sizeof err) != FT_OK) {
        fprintf(stderr, "facetrack serve: %s\n", err);
        ft_job_runner_stop(o.runner);
        ft_job_store_close(o.jobs);
        ft_live_view_free(o.live);
        return FT_EXIT_FAILED;
    }
    if (cluster_option_count && !executor.slurm)
        ft_log(FT_LOG_WARN, "--cluster-option without --executor slurm: ignored");
    printf("facetrack serve: listening on http://%s:%d/\n", o.host, ft_server_port(server));
    fflush(stdout);
    while (!atomic_load(&ft_cli_stop_signal))
        pause(); /* the server's threads do the work; a signal ends the wait */
    ft_server_stop(server);
    ft_live_view_free(o.live); /* its workers stop with the service */
    ft_job_runner_stop(o.runner);
    ft_job_store_close(o.jobs);
    return FT_EXIT_OK; /* stopping on a signal is how a service ends */
}

const ft_command ft_cmd_serve = {"serve", "the web UI and job service over folders of videos", usage, run_serve};
