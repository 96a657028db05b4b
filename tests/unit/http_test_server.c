/* On libmicrohttpd, with its internal polling thread. Bodies come through a
 * content reader so that a route can stop half-way (truncate) or run a hook
 * between the halves (midway). */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

#include <microhttpd.h>

#include "http_test_server.h"

#define MAX_ROUTES 16

struct http_test_server {
    struct MHD_Daemon *daemon;
    http_test_route routes[MAX_ROUTES];
    int count;
    int port;
    atomic_int requests;
};

/* One response in flight. */
typedef struct body_state {
    const http_test_route *route;
    int midway_done;
} body_state;

static ssize_t read_body(void *cls, uint64_t pos, char *buf, size_t max)
{
    body_state *b = cls;
    const http_test_route *r = b->route;
    const uint64_t half = r->size / 2;
    if (r->truncate && pos >= half)
        return MHD_CONTENT_READER_END_WITH_ERROR;
    if (r->midway && !b->midway_done && pos >= half) {
        b->midway_done = 1;
        r->midway(r->user);
    }
    uint64_t end = r->size;
    if (r->truncate || (r->midway && !b->midway_done))
        end = half;
    size_t n = (size_t)(end - pos) < max ? (size_t)(end - pos) : max;
    memcpy(buf, (const char *)r->body + pos, n);
    return (ssize_t)n;
}

static void free_body(void *cls)
{
    free(cls);
}

static enum MHD_Result answer(void *cls, struct MHD_Connection *conn, const char *url,
                              const char *method, const char *version, const char *upload,
                              size_t *upload_size, void **con_cls)
{
    (void)method, (void)version, (void)upload, (void)upload_size, (void)con_cls;
    http_test_server *s = cls;
    atomic_fetch_add(&s->requests, 1);
    const http_test_route *r = NULL;
    for (int i = 0; i < s->count && !r; i++)
        if (strcmp(s->routes[i].path, url) == 0)
            r = &s->routes[i];
    struct MHD_Response *resp;
    unsigned status = MHD_HTTP_OK;
    if (!r) {
        static char not_found[] = "not found\n";
        resp = MHD_create_response_from_buffer(sizeof not_found - 1, not_found,
                                               MHD_RESPMEM_PERSISTENT);
        status = MHD_HTTP_NOT_FOUND;
    } else if (r->redirect) {
        resp = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
        if (resp)
            MHD_add_response_header(resp, MHD_HTTP_HEADER_LOCATION, r->redirect);
        status = MHD_HTTP_FOUND;
    } else {
        body_state *b = calloc(1, sizeof *b);
        if (!b)
            return MHD_NO;
        b->route = r;
        resp = MHD_create_response_from_callback(r->size, 32 * 1024, read_body, b, free_body);
        if (!resp)
            free(b);
    }
    if (!resp)
        return MHD_NO;
    enum MHD_Result ret = MHD_queue_response(conn, status, resp);
    MHD_destroy_response(resp);
    return ret;
}

http_test_server *http_test_server_start(const http_test_route *routes, int count)
{
    if (count < 0 || count > MAX_ROUTES)
        return NULL;
    http_test_server *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    memcpy(s->routes, routes, (size_t)count * sizeof *routes);
    s->count = count;
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = 0};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    s->daemon = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG, 0, NULL,
                                 NULL, answer, s, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
                                 MHD_OPTION_END);
    const union MHD_DaemonInfo *info =
        s->daemon ? MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT) : NULL;
    if (!info || info->port == 0) {
        http_test_server_stop(s);
        return NULL;
    }
    s->port = info->port;
    return s;
}

int http_test_server_port(const http_test_server *s)
{
    return s->port;
}

int http_test_server_requests(const http_test_server *s)
{
    return atomic_load(&s->requests);
}

void http_test_server_stop(http_test_server *s)
{
    if (!s)
        return;
    if (s->daemon)
        MHD_stop_daemon(s->daemon);
    free(s);
}

int http_test_closed_port(int *fd)
{
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = 0};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    *fd = socket(AF_INET, SOCK_STREAM, 0);
    if (*fd < 0)
        return -1;
    if (bind(*fd, (struct sockaddr *)&addr, sizeof addr) != 0 ||
        getsockname(*fd, (struct sockaddr *)&addr, &len) != 0) {
        close(*fd);
        *fd = -1;
        return -1;
    }
    return ntohs(addr.sin_port);
}
