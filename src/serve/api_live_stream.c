/* GET /api/live/N/stream: source N's preview as MJPEG
 * (multipart/x-mixed-replace), each part a JPEG with its frame's id and
 * results in its headers (serve/live_view.h). The newest frame wins: a
 * client is sent the newest frame each time it can take one, so a slow
 * client skips frames and holds nothing but its socket's buffer. The
 * stream ends, with the closing boundary, when the worker's run ends, and
 * at once when the client goes or the server stops. */
#define _GNU_SOURCE /* POLLRDHUP */
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "serve/live_view.h"
#include "serve/request.h"

#define BOUNDARY "facetrack-live-frame"
#define WAIT_SLICE_MS 250 /* how often a waiting stream checks its client and a stop */
/* A small send buffer bounds what a stalled client can find waiting when
 * it reads again: a few parts, then the newest frame. */
#define SEND_BUFFER_BYTES (64 * 1024)

typedef struct stream {
    ft_live_view *view;
    int index;
    unsigned run;
    int64_t frame; /* the last one sent; -1 none */
    const atomic_int *stopping;
    int fd;        /* the client's socket */
    uint8_t *pending;
    size_t size, used;
    int ended;     /* the closing boundary is pending */
} stream;

/* The client closed its side or the connection broke. */
static int client_gone(int fd)
{
    struct pollfd p = {.fd = fd, .events = POLLRDHUP};
    return fd >= 0 && poll(&p, 1, 0) > 0 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR));
}

static ssize_t read_stream(void *cls, uint64_t pos, char *buf, size_t max)
{
    (void)pos;
    stream *s = cls;
    while (s->used == s->size) {
        free(s->pending);
        s->pending = NULL;
        s->size = s->used = 0;
        if (s->ended)
            return MHD_CONTENT_READER_END_OF_STREAM;
        if (atomic_load(s->stopping) || client_gone(s->fd))
            return MHD_CONTENT_READER_END_WITH_ERROR;
        const ft_status st = ft_live_view_next_part(s->view, s->index, s->run, BOUNDARY, &s->frame,
                                                    &s->pending, &s->size, WAIT_SLICE_MS);
        if (st == FT_EOF) {
            static const char closing[] = "--" BOUNDARY "--\r\n";
            if (!(s->pending = malloc(sizeof closing - 1)))
                return MHD_CONTENT_READER_END_WITH_ERROR;
            memcpy(s->pending, closing, sizeof closing - 1);
            s->size = sizeof closing - 1;
            s->ended = 1;
        } else if (st != FT_OK && st != FT_EAGAIN) {
            return MHD_CONTENT_READER_END_WITH_ERROR;
        }
    }
    const size_t n = s->size - s->used < max ? s->size - s->used : max;
    memcpy(buf, s->pending + s->used, n);
    s->used += n;
    return (ssize_t)n;
}

static void free_stream(void *cls)
{
    stream *s = cls;
    free(s->pending);
    free(s);
}

enum MHD_Result ft_api_live_stream(const ft_request *r)
{
    ft_live_view *v = r->options->live;
    const char *p = r->path + strlen("/api/live/");
    char *end;
    const long index = strtol(p, &end, 10);
    if (end == p || index < 0 || index >= ft_live_view_count(v) || strcmp(end, "/stream") != 0)
        return ft_reply_error(r, MHD_HTTP_NOT_FOUND, "no such live source: %s", r->path);
    const unsigned run = ft_live_view_run(v, (int)index);
    if (!run)
        return ft_reply_error(r, MHD_HTTP_CONFLICT, "live source %ld does not run", index);
    stream *s = calloc(1, sizeof *s);
    if (!s)
        return ft_reply_error(r, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory");
    const union MHD_ConnectionInfo *fd =
        MHD_get_connection_info(r->connection, MHD_CONNECTION_INFO_CONNECTION_FD);
    *s = (stream){.view = v, .index = (int)index, .run = run, .frame = -1, .stopping = r->stopping,
                  .fd = fd ? fd->connect_fd : -1};
    if (s->fd >= 0)
        setsockopt(s->fd, SOL_SOCKET, SO_SNDBUF, &(int){SEND_BUFFER_BYTES}, sizeof(int));
    struct MHD_Response *response =
        MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 32 * 1024, read_stream, s, free_stream);
    if (!response) {
        free_stream(s);
        return MHD_NO;
    }
    MHD_add_response_header(response, MHD_HTTP_HEADER_CONTENT_TYPE,
                            "multipart/x-mixed-replace; boundary=" BOUNDARY);
    MHD_add_response_header(response, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    MHD_add_response_header(response, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(response, "X-Accel-Buffering", "no");
    const enum MHD_Result ok = MHD_queue_response(r->connection, MHD_HTTP_OK, response);
    MHD_destroy_response(response);
    return ok;
}
