/* One API request as the routes see it, and the replies they make. */
#ifndef FT_SERVE_REQUEST_H
#define FT_SERVE_REQUEST_H

#include <microhttpd.h>
#include <stddef.h>

#include "base/json_writer.h"
#include "serve/server.h"

typedef struct ft_request {
    struct MHD_Connection *connection;
    const char *method;
    const char *path;   /* without the query */
    const char *body;   /* POST body, NUL-terminated; NULL without one */
    size_t body_size;
    const ft_server_options *options;
} ft_request;

/* A query argument, or NULL. */
const char *ft_request_arg(const ft_request *r, const char *name);

/* A JSON reply being written: begin, write with ft_json_* on .json, send. */
typedef struct ft_reply {
    ft_json json;
    FILE *stream;
    char *text;
    size_t size;
} ft_reply;

void ft_reply_begin(ft_reply *reply);
enum MHD_Result ft_reply_send(const ft_request *r, ft_reply *reply, unsigned status);

/* {"error": {"status": STATUS, "message": ...}} */
enum MHD_Result ft_reply_error(const ft_request *r, unsigned status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The routes: each returns the result of queueing its reply. */
enum MHD_Result ft_api_health(const ft_request *r);
enum MHD_Result ft_api_version(const ft_request *r);
enum MHD_Result ft_api_system(const ft_request *r);
enum MHD_Result ft_api_roots(const ft_request *r);
enum MHD_Result ft_api_browse(const ft_request *r);
/* GET /media/ROOT/PATH: the file, with Range support. */
enum MHD_Result ft_api_media(const ft_request *r);
/* GET / and /ui/NAME: the web UI's files (no token needed). */
enum MHD_Result ft_api_static(const ft_request *r);

#endif
