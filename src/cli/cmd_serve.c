/* facetrack serve: the HTTP API over the media roots (see serve/server.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/batch_io.h"
#include "cli/cli.h"
#include "serve/server.h"

static const char usage[] =
    "usage: facetrack serve --media-root DIR [--media-root DIR...] [options]\n"
    "\n"
    "Serves facetrack's HTTP API: the videos under the media roots (browsing,\n"
    "and the files themselves with Range support), health, version and system\n"
    "status, as JSON (docs/serve.md). Every path a client names must stay\n"
    "inside a media root. It listens on the loopback address unless told\n"
    "otherwise; any other address needs --token. Stops on SIGINT or SIGTERM.\n"
    "\n"
    "options:\n"
    "  --media-root DIR   a folder of videos to serve (up to 16)\n"
    "  --host ADDR        IPv4 address to listen on (default 127.0.0.1)\n"
    "  --port N           port (default 5000; 0: any free one, printed)\n"
    "  --data-dir DIR     the service's own files (default ./facetrack-data)\n"
    "  --token TOKEN      required on every request: 'Authorization: Bearer\n"
    "                     TOKEN' (or ?token=TOKEN); default $FACETRACK_TOKEN\n"
    "  --max-body BYTES   largest request body (default 1048576)\n";

static int parse_args(int argc, char **argv, ft_server_options *o)
{
    for (int i = 1; i < argc; i++) {
        const char *opt = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!v)
            return ft_cli_usage_error("serve", "unknown option or missing value: '%s'", opt);
        i++;
        if (strcmp(opt, "--media-root") == 0) {
            const ft_status st = ft_media_roots_add(&o->roots, v);
            if (st == FT_ERR_INVALID_ARG)
                return ft_cli_usage_error("serve", "at most %d media roots", FT_MEDIA_MAX_ROOTS);
            if (st != FT_OK)
                return ft_cli_usage_error("serve", "--media-root '%s' is not a folder", v);
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
    int rc = parse_args(argc, argv, &o);
    if (rc != FT_EXIT_OK)
        return rc;
    if (ft_cli_make_dirs(o.data_dir) != 0) {
        fprintf(stderr, "facetrack serve: %s: cannot create the data folder: %s\n", o.data_dir,
                strerror(errno));
        return FT_EXIT_FAILED;
    }
    ft_cli_catch_stop_signals();
    ft_server *server;
    char err[512];
    if (ft_server_start(&o, &server, err, sizeof err) != FT_OK) {
        fprintf(stderr, "facetrack serve: %s\n", err);
        return FT_EXIT_FAILED;
    }
    printf("facetrack serve: listening on http://%s:%d/\n", o.host, ft_server_port(server));
    fflush(stdout);
    while (!atomic_load(&ft_cli_stop_signal))
        pause(); /* the server's threads do the work; a signal ends the wait */
    ft_server_stop(server);
    return FT_EXIT_OK; /* stopping on a signal is how a service ends */
}

const ft_command ft_cmd_serve = {"serve", "the HTTP API over folders of videos", usage, run_serve};
