/* The HTTP side of `facetrack serve`, on libmicrohttpd: one thread per
 * connection, every reply JSON (errors too: {"error": {"status", "message"}})
 * but the media files. Every request is judged from its headers alone,
 * before any byte of its body is read: Host must name this server and
 * Origin, when sent, be one of its pages (host_check.h); a token, when set,
 * is required (`Authorization: Bearer TOKEN`, or `?token=` for the
 * browser's media and event streams) and compared in constant time; POSTs
 * must be JSON of at most max_body bytes. Slow and unauthenticated
 * connections are bounded by connection_guard.h. */
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
    const char *const *allowed_hosts; /* more names clients may use (--allowed-host) */
    int allowed_host_count;
    int max_connections;        /* at once: 256 */
    int max_client_connections; /* at once from one address: 64 */
    int request_timeout_s;      /* to send a request's headers and body: 10 */
    struct ft_job_store *jobs;   /* the job service, made by the caller */
    struct ft_job_runner *runner;
    struct ft_live_view *live;   /* the --live-source workers (serve/live_view.h) */
} ft_server_options;

typedef struct ft_server ft_server;

/* Listens; one line in ERR on failure (address in use, bad address). */
ft_status ft_server_start(const ft_server_options *o, ft_server **out, char *err, size_t err_size);
/* The port it listens on. */
int ft_server_port(const ft_server *s);
void ft_server_stop(ft_server *s);

#endif
