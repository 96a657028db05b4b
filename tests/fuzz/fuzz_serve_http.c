/* Fuzzes the HTTP request path of `facetrack serve` (src/serve/server.c:
 * the Host, Origin, token, type and length checks made from the headers,
 * routing, the media and browse routes, paths against the roots): each
 * input is sent as raw bytes over a loopback connection to one server
 * started at the beginning, and its reply read until the server closes.
 * The job routes answer from stubs, but for the body parser (fuzzed on its
 * own in fuzz_job_request.c). The server must neither crash nor serve a
 * hidden file, its data folder, or anything outside its root. */
#define _GNU_SOURCE /* memmem */
#include <arpa/inet.h>
#include <assert.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "serve/job_request.h"
#include "serve/request.h"
#include "serve/server.h"
#include "serve_stubs.h"

/* The routes this target does not build, answered plainly. */
static enum MHD_Result stub(const ft_request *r)
{
    return ft_reply_error(r, MHD_HTTP_OK, "stub of %s", r->path);
}
enum MHD_Result ft_api_health(const ft_request *r) { return stub(r); }
enum MHD_Result ft_api_version(const ft_request *r) { return stub(r); }
enum MHD_Result ft_api_system(const ft_request *r) { return stub(r); }
enum MHD_Result ft_api_engines(const ft_request *r) { return stub(r); }
enum MHD_Result ft_api_jobs_list(const ft_request *r) { return stub(r); }
enum MHD_Result ft_api_job_get(const ft_request *r) { return stub(r); }
enum MHD_Result ft_api_job_action(const ft_request *r) { return stub(r); }
enum MHD_Result ft_api_events(const ft_request *r) { return stub(r); }
enum MHD_Result ft_api_results(const ft_request *r) { return stub(r); }
enum MHD_Result ft_api_static(const ft_request *r) { return stub(r); }
enum MHD_Result ft_api_live_list(const ft_request *r) { return stub(r); }
enum MHD_Result ft_api_live_get(const ft_request *r) { return stub(r); }
enum MHD_Result ft_api_live_action(const ft_request *r) { return stub(r); }
enum MHD_Result ft_api_live_stream(const ft_request *r) { return stub(r); }
enum MHD_Result ft_api_original_run(const ft_request *r) { return stub(r); }
enum MHD_Result ft_api_original_stop(const ft_request *r) { return stub(r); }
enum MHD_Result ft_api_original_status(const ft_request *r) { return stub(r); }
enum MHD_Result ft_api_original_step_status(const ft_request *r) { return stub(r); }
enum MHD_Result ft_api_original_sequence(const ft_request *r) { return stub(r); }
enum MHD_Result ft_api_original_run_sequence(const ft_request *r) { return stub(r); }
enum MHD_Result ft_api_original_stop_sequence(const ft_request *r) { return stub(r); }
enum MHD_Result ft_api_original_system_monitor(const ft_request *r) { return stub(r); }
enum MHD_Result ft_api_original_specific_log(const ft_request *r) { return stub(r); }
enum MHD_Result ft_api_jobs_create(const ft_request *r)
{
    ft_job_request request;
    char err[512];
    if (ft_job_request_parse(r->body, r->body_size, &request, err, sizeof err) != FT_OK)
        return ft_reply_error(r, MHD_HTTP_BAD_REQUEST, "%s", err);
    ft_job_request_free(&request);
    return stub(r);
}
void ft_job_store_wake_all(struct ft_job_store *s) { (void)s; }

static int port;
static char secret_marker[] = "SECRET-NEVER-SERVED";

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert(f);
    fputs(text, f);
    fclose(f);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    /* Under $TMPDIR: run_fuzz_serve.sh points it into the build tree, and
     * removes it after the run. */
    static char root[512];
    const char *tmp = getenv("TMPDIR");
    snprintf(root, sizeof root, "%s/fuzz_serve_XXXXXX", tmp && *tmp ? tmp : "/tmp");
    assert(mkdtemp(root));
    char path[512];
    snprintf(path, sizeof path, "%s/media", root);
    mkdir(path, 0700);
    snprintf(path, sizeof path, "%s/media/sub", root);
    mkdir(path, 0700);
    snprintf(path, sizeof path, "%s/media/sub/clip.mp4", root);
    write_file(path, "not really a video, but served as one\n");
    snprintf(path, sizeof path, "%s/media/.hidden.mp4", root);
    write_file(path, secret_marker);
    snprintf(path, sizeof path, "%s/media/data", root);
    mkdir(path, 0700);
    snprintf(path, sizeof path, "%s/media/data/jobs.db", root);
    write_file(path, secret_marker);
    snprintf(path, sizeof path, "%s/outside.mp4", root);
    write_file(path, secret_marker);
    snprintf(path, sizeof path, "%s/media/escape.mp4", root);
    char target[512];
    snprintf(target, sizeof target, "%s/outside.mp4", root);
    assert(symlink(target, path) == 0);

    static ft_server_options o;
    o = (ft_server_options){.host = "127.0.0.1", .port = 0, .token = "fuzz-token",
                            .max_body = 4096, .request_timeout_s = 2};
    static char data_dir[512];
    snprintf(data_dir, sizeof data_dir, "%s/media/data", root);
    o.data_dir = data_dir;
    snprintf(path, sizeof path, "%s/media", root);
    assert(ft_media_roots_add(&o.roots, path) == FT_OK);
    static const char *allowed[] = {"films.lan"};
    o.allowed_hosts = allowed;
    o.allowed_host_count = 1;
    ft_server *server;
    char err[256];
    if (ft_server_start(&o, &server, err, sizeof err) != FT_OK) {
        fprintf(stderr, "fuzz_serve_http: %s\n", err);
        abort();
    }
    port = ft_server_port(server);
    return 0; /* the server lives as long as the process */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0) {
        if (fd >= 0)
            close(fd);
        return 0;
    }
    for (size_t sent = 0; sent < size;) {
        const ssize_t n = send(fd, data + sent, size - sent, MSG_NOSIGNAL);
        if (n <= 0)
            break;
        sent += (size_t)n;
    }
    shutdown(fd, SHUT_WR);
    /* The reply, until the server closes or a second passes. */
    static char reply[1 << 16];
    size_t got = 0;
    for (;;) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (poll(&p, 1, 1000) <= 0)
            break;
        const ssize_t n = recv(fd, reply + got, sizeof reply - 1 - got, 0);
        if (n <= 0)
            break;
        got += (size_t)n;
        if (got == sizeof reply - 1)
            got = 0; /* a long reply: only its last part is kept for the check */
    }
    reply[got] = '\0';
    close(fd);
    /* Replies may quote the request (a path, a host): only a marker the
     * input did not carry came from a file. */
    if (!memmem(data, size, secret_marker, strlen(secret_marker)))
        assert(!strstr(reply, secret_marker));
    return 0;
}
