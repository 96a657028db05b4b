/* The HTTP server of `facetrack serve` (see server.h). */
#include "serve/server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include <unistd.h>

#include "serve/connection_guard.h"
#include "serve/host_check.h"
#include "serve/job_store.h"
#include "serve/request.h"

/* A reply being written (an event stream between events) may pause this
 * long without being cut; reading a request has its own, shorter deadline. */
#define IDLE_TIMEOUT_S 120

struct ft_server {
    struct MHD_Daemon *daemon;
    ft_server_options options;
    ft_allowed_hosts hosts;
    ft_connection_guard *guard;
    int port;
    atomic_int stopping;
};

/* A request's body as it arrives. */
typedef struct upload {
    char *data;
    size_t size;
    int too_large;
} upload;

const char *ft_request_arg(const ft_request *r, const char *name)
{
    return MHD_lookup_connection_value(r->connection, MHD_GET_ARGUMENT_KIND, name);
}

void ft_reply_begin(ft_reply *reply)
{
    memset(reply, 0, sizeof *reply);
    reply->stream = open_memstream(&reply->text, &reply->size);
    ft_json_init(&reply->json, reply->stream, 0);
}

void ft_reply_begin_media(ft_reply *reply, int root, const char *relative)
{
    ft_reply_begin(reply);
    ft_json_object_begin(&reply->json);
    ft_json_kv_int(&reply->json, "root", root);
    ft_json_kv_string(&reply->json, "path", relative);
}

static enum MHD_Result queue(const ft_request *r, unsigned status, const char *type, void *body,
                             size_t size)
{
    struct MHD_Response *response =
        MHD_create_response_from_buffer(size, body, MHD_RESPMEM_MUST_FREE);
    if (!response) {
        free(body);
        return MHD_NO;
    }
    MHD_add_response_header(response, MHD_HTTP_HEADER_CONTENT_TYPE, type);
    MHD_add_response_header(response, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    MHD_add_response_header(response, "X-Content-Type-Options", "nosniff");
    const enum MHD_Result ok = MHD_queue_response(r->connection, status, response);
    MHD_destroy_response(response);
    return ok;
}

enum MHD_Result ft_reply_send(const ft_request *r, ft_reply *reply, unsigned status)
{
    if (!reply->stream)
        return MHD_NO;
    const ft_status st = ft_json_finish(&reply->json);
    fputc('\n', reply->stream);
    fclose(reply->stream);
    if (st != FT_OK) {
        free(reply->text);
        return MHD_NO;
    }
    return queue(r, status, "application/json", reply->text, reply->size);
}

enum MHD_Result ft_reply_error(const ft_request *r, unsigned status, const char *fmt, ...)
{
    char message[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    ft_reply reply;
    ft_reply_begin(&reply);
    ft_json_object_begin(&reply.json);
    ft_json_key(&reply.json, "error");
    ft_json_object_begin(&reply.json);
    ft_json_kv_int(&reply.json, "status", status);
    ft_json_kv_string(&reply.json, "message", message);
    ft_json_object_end(&reply.json);
    ft_json_object_end(&reply.json);
    return ft_reply_send(r, &reply, status);
}

/* ------------------------------------------------------------ checks */

/* Equal strings, in a time that depends on the length of B only. */
static int same_secret(const char *a, const char *b)
{
    const size_t na = strlen(a), nb = strlen(b);
    unsigned diff = na != nb;
    for (size_t i = 0; i < nb; i++)
        diff |= (unsigned char)(i < na ? a[i] : 0) ^ (unsigned char)b[i];
    return diff == 0;
}

static int authorised(const ft_request *r)
{
    const char *token = r->options->token;
    if (!token)
        return 1;
    const char *header =
        MHD_lookup_connection_value(r->connection, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
    if (header && strncasecmp(header, "Bearer ", 7) == 0)
        return same_secret(header + 7, token);
    const char *arg = ft_request_arg(r, "token");
    return arg && same_secret(arg, token);
}

/* The web UI's files hold no data: they are served without the token. */
static int is_public(const char *path)
{
    return strcmp(path, "/") == 0 || strncmp(path, "/ui/", 4) == 0;
}

static int is_json(const ft_request *r)
{
    const char *type =
        MHD_lookup_connection_value(r->connection, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
    return type && strncasecmp(type, "application/json", 16) == 0;
}

/* The original web UI posts its actions (/run/STEP, /stop/STEP,
 * /cancel/STEP, /sequence/stop) with no body and no Content-Type. Allowed without JSON as
 * long as no body is declared: a browser always sends Origin with a POST,
 * which is checked first, so another site's page is still refused. */
static long long declared_length(const ft_request *r);
static int original_action(const ft_request *r)
{
    const int action = strncmp(r->path, "/run/", 5) == 0 || strncmp(r->path, "/stop/", 6) == 0 ||
                       strncmp(r->path, "/cancel/", 8) == 0 || strcmp(r->path, "/sequence/stop") == 0;
    const char *chunked = MHD_lookup_connection_value(r->connection, MHD_HEADER_KIND,
                                                      MHD_HTTP_HEADER_TRANSFER_ENCODING);
    return action && declared_length(r) <= 0 && !chunked;
}

/* ------------------------------------------------------------ routing */

typedef struct route {
    const char *method;
    /* exact, or a prefix when it ends in '/' ("/" itself is exact); '*' stands
     * for one path segment (one or more characters other than '/') */
    const char *path;
    enum MHD_Result (*handle)(const ft_request *r);
} route;

static const route routes[] = {
    {"GET", "/api/health", ft_api_health},
    {"GET", "/api/version", ft_api_version},
    {"GET", "/api/system", ft_api_system},
    {"GET", "/api/roots", ft_api_roots},
    {"GET", "/api/browse", ft_api_browse},
    {"GET", "/media/", ft_api_media},
    {"GET", "/api/engines", ft_api_engines},
    {"GET", "/api/live", ft_api_live_list},
    {"GET", "/api/live/*/stream", ft_api_live_stream},
    {"GET", "/api/live/", ft_api_live_get},
    {"POST", "/api/live/", ft_api_live_action},
    {"GET", "/api/jobs", ft_api_jobs_list},
    {"POST", "/api/jobs", ft_api_jobs_create},
    {"GET", "/api/jobs/", ft_api_job_get},
    {"POST", "/api/jobs/", ft_api_job_action},
    {"GET", "/api/events", ft_api_events},
    {"GET", "/api/results", ft_api_results},
    {"GET", "/api/results/", ft_api_results},
    /* the original Flask app's routes (api_original.c) */
    {"POST", "/run/", ft_api_original_run},
    {"POST", "/stop/", ft_api_original_stop},
    {"POST", "/cancel/", ft_api_original_stop},
    {"GET", "/status/", ft_api_original_status},
    {"GET", "/api/step_status/", ft_api_original_step_status},
    {"GET", "/sequence/status", ft_api_original_sequence},
    {"POST", "/run_custom_sequence", ft_api_original_run_sequence},
    {"POST", "/sequence/stop", ft_api_original_stop_sequence},
    {"GET", "/api/system_monitor", ft_api_original_system_monitor},
    {"GET", "/get_specific_log/", ft_api_original_specific_log},
    {"GET", "/", ft_api_static}, /* the web UI: exact, not a prefix */
    {"GET", "/ui/", ft_api_static},
};

static int path_matches(const char *pattern, const char *path)
{
    const size_t n = strlen(pattern);
    const int prefix = n > 1 && pattern[n - 1] == '/';
    while (*pattern) {
        if (*pattern == '*') {
            const size_t segment = strcspn(path, "/");
            if (segment == 0)
                return 0;
            path += segment;
            pattern++;
        } else if (*pattern++ != *path++) {
            return 0;
        }
    }
    return prefix || *path == '\0';
}

static enum MHD_Result dispatch(const ft_request *r)
{
    int path_known = 0;
    for (size_t i = 0; i < sizeof routes / sizeof *routes; i++) {
        if (!path_matches(routes[i].path, r->path))
            continue;
        path_known = 1;
        if (strcmp(routes[i].method, r->method) == 0 ||
            (strcmp(r->method, "HEAD") == 0 && strcmp(routes[i].method, "GET") == 0))
            return routes[i].handle(r);
    }
    if (path_known)
        return ft_reply_error(r, MHD_HTTP_METHOD_NOT_ALLOWED, "%s is not allowed on %s", r->method,
                              r->path);
    return ft_reply_error(r, MHD_HTTP_NOT_FOUND, "no such resource: %s", r->path);
}

static ft_guarded_connection *guarded(struct MHD_Connection *connection)
{
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info(connection, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return info ? info->socket_context : NULL;
}

/* The declared body size; -1 when none is declared (chunked, or no body). */
static long long declared_length(const ft_request *r)
{
    const char *text =
        MHD_lookup_connection_value(r->connection, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
    char *end = NULL;
    const long long n = text ? strtoll(text, &end, 10) : -1;
    return text && end != text && !*end && n >= 0 ? n : -1;
}

/* Judges a request from its headers, before any byte of its body is read
 * (so that libmicrohttpd never answers "100 Continue" to one refused).
 * Returns 1 and queues the refusal in *REFUSAL when it is refused. */
static int refused_from_headers(ft_server *s, const ft_request *r, ft_guarded_connection *c,
                                enum MHD_Result *refusal)
{
    const char *host = MHD_lookup_connection_value(r->connection, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST);
    const char *origin = MHD_lookup_connection_value(r->connection, MHD_HEADER_KIND, "Origin");
    if (ft_connection_refused(s->guard, c))
        *refusal = ft_reply_error(r, MHD_HTTP_SERVICE_UNAVAILABLE,
                                  "the server is at its limit of %d connections; try again",
                                  s->options.max_connections);
    else if (!ft_host_allowed(&s->hosts, host))
        *refusal = ft_reply_error(r, MHD_HTTP_MISDIRECTED_REQUEST,
                                  "this server does not answer to the host '%.100s' "
                                  "(see serve --allowed-host)",
                                  host ? host : "");
    else if (origin && !ft_origin_allowed(&s->hosts, origin))
        *refusal = ft_reply_error(r, MHD_HTTP_FORBIDDEN,
                                  "requests from pages of other sites are refused");
    else if (!is_public(r->path) && !authorised(r))
        *refusal = ft_reply_error(r, MHD_HTTP_UNAUTHORIZED, "a valid token is required");
    else if (strcmp(r->method, "POST") == 0 && !is_json(r) && !original_action(r))
        *refusal = ft_reply_error(r, MHD_HTTP_FORBIDDEN,
                                  "POST requests must be JSON and come from this server's pages");
    else if (declared_length(r) > (long long)s->options.max_body)
        *refusal = ft_reply_error(r, MHD_HTTP_CONTENT_TOO_LARGE,
                                  "the request body is over %zu bytes", s->options.max_body);
    else
        return 0;
    return 1;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *connection, const char *url,
                                  const char *method, const char *version, const char *data,
                                  size_t *data_size, void **state)
{
    (void)version;
    ft_server *s = cls;
    upload *u = *state;
    const ft_request r = {connection, method, url, u ? u->data : NULL, u ? u->size : 0,
                          &s->options, &s->stopping};
    if (!u) { /* headers only so far */
        ft_guarded_connection *c = guarded(connection);
        enum MHD_Result refusal;
        if (refused_from_headers(s, &r, c, &refusal))
            return refusal;
        if (!(u = calloc(1, sizeof *u)))
            return MHD_NO;
        *state = u;
        /* Only a request that proved the token is kept from shedding: the
         * web UI's files need none, and must not shield a slow body. */
        if (!s->options.token || authorised(&r))
            ft_connection_set_stage(s->guard, c, FT_STAGE_AUTHENTICATED);
        return MHD_YES;
    }
    if (*data_size) { /* a piece of the body */
        if (!u->too_large && u->size + *data_size <= s->options.max_body) {
            char *p = realloc(u->data, u->size + *data_size + 1);
            if (!p)
                return MHD_NO;
            memcpy(p + u->size, data, *data_size);
            u->data = p;
            u->size += *data_size;
            u->data[u->size] = '\0';
        } else {
            u->too_large = 1; /* a chunked body, undeclared: counted as it comes */
        }
        *data_size = 0;
        return MHD_YES;
    }
    ft_connection_set_stage(s->guard, guarded(connection), FT_STAGE_ANSWERING);
    if (u->too_large)
        return ft_reply_error(&r, MHD_HTTP_CONTENT_TOO_LARGE, "the request body is over %zu bytes",
                              s->options.max_body);
    return dispatch(&r);
}

static void on_completed(void *cls, struct MHD_Connection *connection, void **state,
                         enum MHD_RequestTerminationCode why)
{
    (void)why;
    ft_server *s = cls;
    upload *u = *state;
    if (u)
        free(u->data);
    free(u);
    *state = NULL;
    /* Kept alive, the connection waits for its next request: a fresh deadline. */
    ft_connection_set_stage(s->guard, guarded(connection), FT_STAGE_READING);
}

static void on_connection(void *cls, struct MHD_Connection *connection, void **socket_context,
                          enum MHD_ConnectionNotificationCode code)
{
    ft_server *s = cls;
    if (code == MHD_CONNECTION_NOTIFY_CLOSED) {
        ft_connection_closed(s->guard, *socket_context);
        *socket_context = NULL;
        return;
    }
    const union MHD_ConnectionInfo *fd =
        MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CONNECTION_FD);
    const union MHD_ConnectionInfo *address =
        MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (!fd)
        return;
    *socket_context = ft_connection_opened(s->guard, fd->connect_fd,
                                           address ? address->client_addr : NULL);
    if (!*socket_context)
        shutdown(fd->connect_fd, SHUT_RDWR); /* every slot taken: no room to answer */
}

/* A listening socket of our own: its port is known before the first
 * request arrives (Origin checks need it). -1 with ERR set on failure. */
static int listen_on(const ft_server_options *o, int *port, char *err, size_t err_size)
{
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)o->port)};
    if (inet_pton(AF_INET, o->host, &addr.sin_addr) != 1) {
        snprintf(err, err_size, "'%s' is not an IPv4 address", o->host);
        return -1;
    }
    const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    const int on = 1;
    socklen_t size = sizeof addr;
    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) != 0 ||
        bind(fd, (struct sockaddr *)&addr, sizeof addr) != 0 || listen(fd, 1024) != 0 ||
        getsockname(fd, (struct sockaddr *)&addr, &size) != 0) {
        snprintf(err, err_size, "cannot listen on %s:%d (in use, or not an address of this machine)",
                 o->host, o->port);
        if (fd >= 0)
            close(fd);
        return -1;
    }
    *port = ntohs(addr.sin_port);
    return fd;
}

ft_status ft_server_start(const ft_server_options *o, ft_server **out, char *err, size_t err_size)
{
    *out = NULL;
    ft_server *s = calloc(1, sizeof *s);
    if (!s)
        return FT_ERR_NOMEM;
    s->options = *o;
    if (s->options.max_connections <= 0)
        s->options.max_connections = 256;
    if (s->options.max_client_connections <= 0)
        s->options.max_client_connections = 64;
    if (s->options.request_timeout_s <= 0)
        s->options.request_timeout_s = 10;
    /* Files in the data folder (the job database, the logs) are never media. */
    if (o->data_dir)
        ft_media_roots_exclude(&s->options.roots, o->data_dir);
    const int listen_fd = listen_on(o, &s->port, err, err_size);
    if (listen_fd < 0) {
        free(s);
        return inet_pton(AF_INET, o->host, &(struct in_addr){0}) == 1 ? FT_ERR_IO
                                                                      : FT_ERR_INVALID_ARG;
    }
    ft_allowed_hosts_init(&s->hosts, o->host, s->port, o->allowed_hosts, o->allowed_host_count);
    const ft_connection_limits limits = {s->options.max_connections,
                                         s->options.max_client_connections,
                                         s->options.request_timeout_s * 1000};
    if (ft_connection_guard_start(&limits, &s->guard) != FT_OK) {
        snprintf(err, err_size, "cannot start the connection guard");
        close(listen_fd);
        free(s);
        return FT_ERR_INTERNAL;
    }
    s->daemon = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION | MHD_USE_POLL, 0, NULL,
        NULL, on_request, s, MHD_OPTION_LISTEN_SOCKET, listen_fd, MHD_OPTION_CONNECTION_LIMIT,
        (unsigned)ft_connection_guard_capacity(s->guard), MHD_OPTION_CONNECTION_TIMEOUT,
        (unsigned)IDLE_TIMEOUT_S, MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
        MHD_OPTION_NOTIFY_CONNECTION, on_connection, s, MHD_OPTION_END);
    if (!s->daemon) {
        snprintf(err, err_size, "cannot serve on %s:%d", o->host, s->port);
        close(listen_fd);
        ft_connection_guard_stop(s->guard);
        free(s);
        return FT_ERR_IO;
    }
    *out = s;
    return FT_OK;
}

int ft_server_port(const ft_server *s)
{
    return s->port;
}

void ft_server_stop(ft_server *s)
{
    if (!s)
        return;
    atomic_store(&s->stopping, 1);
    if (s->options.jobs)
        ft_job_store_wake_all(s->options.jobs); /* event streams see the stop */
    MHD_stop_daemon(s->daemon);
    ft_connection_guard_stop(s->guard);
    free(s);
}
