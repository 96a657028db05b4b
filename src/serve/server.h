/* The HTTP side of `facetrack serve`, on libmicrohttpd: one thread per
 * connection, every reply JSON (errors too: {"error": {"status", "message"}})
 * but the media files. A token, when set, is required on every request
 * (`Authorization: Bearer TOKEN`, or `?token=` for the browser's media and
 * event streams) and compared in constant time. POSTs must be JSON, at
 * most max_body bytes, and come from the server's own origin. */
#ifndef FT_SERVE_SERVER_H
#define FT_SERVE_SERVER_H

#include <stddef.h>

#include "facetrack.h"
#include "serve/media_roots.h"

typedef struct ft_server_options {
    const char *host;     /* address to bind: "127.0.0.1" */
    int port;             /* 0: any free port */
    const char *token;    /* NULL: none (loopback only) */
    const char *data_dir; /* the service's own files */
    ft_media_roots roots;
    size_t max_body;      /* bytes of a request body: 1 MiB */
    struct ft_job_store *jobs;   /* the job service, made by the caller */
    struct ft_job_runner *runner;
} ft_server_options;

typedef struct ft_server ft_server;

/* Listens; one line in ERR on failure (address in use, bad address). */
ft_status ft_server_start(const ft_server_options *o, ft_server **out, char *err, size_t err_size);
/* The port it listens on. */
int ft_server_port(const ft_server *s);
void ft_server_stop(ft_server *s);

#endif
