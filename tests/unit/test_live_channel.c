/* Unit tests of the live worker's socket: commands are answered, a client
 * that does not read never stalls the writer (metadata drops to the newest,
 * status lines all arrive, in order), a stale socket file is replaced and a
 * live one is refused. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "base/clock.h"
#include "live/channel.h"

static char *echo_command(void *user, const char *cmd, struct json_object *request)
{
    (void)request;
    int *calls = user;
    (*calls)++;
    char line[128];
    snprintf(line, sizeof line, "{\"type\":\"reply\",\"to\":\"%s\"}", cmd);
    return strdup(line);
}

static int connect_to(const char *path)
{
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    snprintf(a.sun_path, sizeof a.sun_path, "%s", path);
    if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) != 0)
        return -1;
    struct timeval tv = {5, 0}; /* a test never hangs */
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    return fd;
}

/* Reads until the connection gives LINES whole lines or closes; returns the
 * text (malloc'ed). */
static char *read_lines(int fd, int lines)
{
    size_t cap = 1 << 16, len = 0;
    char *text = malloc(cap + 1);
    int seen = 0;
    while (seen < lines) {
        if (len == cap) {
            cap *= 2;
            text = realloc(text, cap + 1);
        }
        ssize_t r = recv(fd, text + len, cap - len, 0);
        if (r <= 0)
            break;
        for (ssize_t i = 0; i < r; i++)
            seen += text[len + (size_t)i] == '\n';
        len += (size_t)r;
    }
    text[len] = '\0';
    return text;
}

static void socket_path(char *out, size_t n)
{
    snprintf(out, n, "/tmp/ft_live_channel_%ld.sock", (long)getpid());
}

static void test_command_reply(void **state)
{
    (void)state;
    char path[108];
    socket_path(path, sizeof path);
    int calls = 0;
    char err[256];
    ft_live_channel *ch;
    assert_int_equal(ft_live_channel_open(path, echo_command, NULL, &calls, &ch, err, sizeof err), FT_OK);
    int fd = connect_to(path);
    assert_true(fd >= 0);
    const char req[] = "ping\n{\"cmd\":\"get_stats\",\"id\":3}\n{not json\ntwo words\n";
    assert_int_equal(send(fd, req, sizeof req - 1, 0), (ssize_t)(sizeof req - 1));
    char *text = read_lines(fd, 4);
    assert_non_null(strstr(text, "{\"type\":\"reply\",\"to\":\"ping\"}\n"));
    assert_non_null(strstr(text, "{\"type\":\"reply\",\"to\":\"get_stats\"}\n"));
    const char *error = strstr(text, "\"type\":\"error\"");
    assert_non_null(error);
    assert_non_null(strstr(error + 1, "\"type\":\"error\"")); /* both bad lines */
    assert_int_equal(calls, 2);
    free(text);
    close(fd);
    ft_live_channel_close(ch, 1.0);
    assert_int_equal(access(path, F_OK), -1); /* the socket file is gone */
}

static void test_slow_reader_never_stalls(void **state)
{
    (void)state;
    char path[108];
    socket_path(path, sizeof path);
    int calls = 0;
    char err[256];
    ft_live_channel *ch;
    assert_int_equal(ft_live_channel_open(path, echo_command, NULL, &calls, &ch, err, sizeof err), FT_OK);
    int fd = connect_to(path);
    assert_true(fd >= 0);
    /* Wait until the channel has accepted the client. */
    for (int i = 0; i < 500 && ft_live_channel_clients(ch) == 0; i++)
        nanosleep(&(struct timespec){0, 2000000}, NULL);
    assert_int_equal(ft_live_channel_clients(ch), 1);
    /* 20000 metadata lines of 2 KiB (40 MiB, far beyond any socket buffer)
     * and 100 status lines, with a client that reads nothing meanwhile. */
    char line[2100];
    memset(line, 'x', sizeof line);
    const double t0 = ft_now_s();
    int status = 0;
    for (int i = 0; i < 20000; i++) {
        int n = snprintf(line, sizeof line, "{\"type\":\"frame\",\"frame\":%d,\"pad\":\"", i);
        memset(line + n, 'x', 2000);
        snprintf(line + n + 2000, sizeof line - (size_t)n - 2000, "\"}");
        ft_live_channel_metadata(ch, line);
        if (i % 200 == 0) {
            char s[64];
            snprintf(s, sizeof s, "{\"type\":\"status\",\"n\":%d}", status++);
            ft_live_channel_status(ch, s);
        }
    }
    const double seconds = ft_now_s() - t0;
    assert_true(seconds < 5.0); /* it never waited for the reader */
    assert_true(ft_live_channel_metadata_dropped(ch) > 10000);
    ft_live_channel_status(ch, "{\"type\":\"stopped\"}");
    /* Now the client reads everything: every status line, in order, and the
     * last metadata line is the newest frame. */
    char *text = NULL;
    int want_status = 0, last_frame = -1, lines = 0;
    size_t total = 0;
    for (;;) {
        free(text);
        text = read_lines(fd, 1);
        if (!*text)
            break;
        total += strlen(text);
        for (char *p = text; (p = strstr(p, "{\"type\":\"")); p++) {
            int v;
            if (sscanf(p, "{\"type\":\"status\",\"n\":%d}", &v) == 1) {
                assert_int_equal(v, want_status);
                want_status++;
            } else if (sscanf(p, "{\"type\":\"frame\",\"frame\":%d", &v) == 1) {
                last_frame = v;
            }
            lines++;
        }
        if (strstr(text, "{\"type\":\"stopped\"}"))
            break;
    }
    free(text);
    assert_int_equal(want_status, status);
    assert_int_equal(last_frame, 19999);
    assert_true(lines < 20000 + status + 1); /* frames were dropped, not queued */
    close(fd);
    ft_live_channel_close(ch, 1.0);
}

static void test_stale_and_live_sockets(void **state)
{
    (void)state;
    char path[108], err[1024];
    socket_path(path, sizeof path);
    /* A socket file nobody listens on (a killed worker's) is replaced. */
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    snprintf(a.sun_path, sizeof a.sun_path, "%s", path);
    unlink(path);
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    close(fd);
    int calls = 0;
    ft_live_channel *ch, *other = NULL;
    assert_int_equal(ft_live_channel_open(path, echo_command, NULL, &calls, &ch, err, sizeof err), FT_OK);
    /* One a live worker listens on is refused, saying so. */
    assert_int_equal(ft_live_channel_open(path, echo_command, NULL, &calls, &other, err, sizeof err),
                     FT_ERR_IO);
    assert_null(other);
    assert_non_null(strstr(err, "in use"));
    assert_non_null(strstr(err, path));
    fd = connect_to(path); /* and the first still works */
    assert_true(fd >= 0);
    assert_int_equal(send(fd, "ping\n", 5, 0), 5);
    char *text = read_lines(fd, 1);
    assert_non_null(strstr(text, "\"to\":\"ping\""));
    free(text);
    close(fd);
    ft_live_channel_close(ch, 1.0);
    /* A path longer than a socket address holds is a clear error. */
    char long_path[300];
    memset(long_path, 'a', sizeof long_path - 1);
    long_path[0] = '/';
    long_path[sizeof long_path - 1] = '\0';
    assert_int_equal(ft_live_channel_open(long_path, echo_command, NULL, &calls, &other, err, sizeof err),
                     FT_ERR_INVALID_ARG);
    assert_non_null(strstr(err, "too long"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_command_reply),
        cmocka_unit_test(test_slow_reader_never_stalls),
        cmocka_unit_test(test_stale_and_live_sockets),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
