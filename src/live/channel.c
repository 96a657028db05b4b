/* The JSON-lines socket of a live worker (see channel.h). */
#define _GNU_SOURCE /* accept4, pipe2 */
#include "live/channel.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <json-c/json.h>

#include "base/clock.h"

#define MAX_CLIENTS 32
#define MAX_QUEUED (4u << 20) /* status bytes a client may leave unread */
#define MAX_COMMAND 65536     /* longest command line */

typedef struct buffer {
    char *data;
    size_t len, cap;
} buffer;

typedef struct client {
    int fd;
    int socket;   /* ours to read and close; else an attached descriptor */
    int metadata; /* wants the per-frame metadata */
    int dead;
    int restore_flags; /* the attached descriptor's flags to restore; -1 none */
    buffer in;    /* command bytes not yet a whole line */
    buffer out;   /* lines being written */
    size_t out_off;
    buffer queue; /* status lines waiting for out */
    buffer meta;  /* the newest metadata line waiting */
} client;

struct ft_live_channel {
    char *path;
    int listen_fd;
    int wake[2];
    ft_live_command_fn on_command;
    ft_live_tick_fn on_tick;
    void *user;
    pthread_t thread;
    int started;
    pthread_mutex_t lock;
    client clients[MAX_CLIENTS];
    int count;
    int closing;
    int lossless;
    double close_deadline;
    long long meta_dropped;
};

static int append(buffer *b, const char *s, size_t n)
{
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + n)
            cap *= 2;
        char *d = realloc(b->data, cap);
        if (!d)
            return -1;
        b->data = d;
        b->cap = cap;
    }
    memcpy(b->data + b->len, s, n);
    b->len += n;
    return 0;
}

static void wake(ft_live_channel *ch)
{
    const char one = 1;
    ssize_t r = write(ch->wake[1], &one, 1); /* full pipe: a wake-up is pending anyway */
    (void)r;
}

static int set_nonblocking(int fd)
{
    int fl = fcntl(fd, F_GETFL);
    return fl < 0 ? -1 : fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

/* A socket file at PATH that no process listens on any more. */
static int stale_socket(const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0 || !S_ISSOCK(st.st_mode))
        return 0;
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (fd < 0)
        return 0;
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    snprintf(a.sun_path, sizeof a.sun_path, "%s", path);
    const int alive = connect(fd, (struct sockaddr *)&a, sizeof a) == 0;
    close(fd);
    return !alive;
}

static ft_status listen_on(ft_live_channel *ch, const char *path, char *err, size_t n)
{
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    if (strlen(path) >= sizeof a.sun_path) {
        snprintf(err, n, "%s: socket path too long (at most %zu bytes)", path, sizeof a.sun_path - 1);
        return FT_ERR_INVALID_ARG;
    }
    memcpy(a.sun_path, path, strlen(path) + 1);
    if (stale_socket(path))
        unlink(path); /* left by a worker that died */
    ch->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (ch->listen_fd < 0 || bind(ch->listen_fd, (struct sockaddr *)&a, sizeof a) != 0 ||
        listen(ch->listen_fd, 8) != 0) {
        snprintf(err, n, "%s: cannot listen: %s", path,
                 errno == EADDRINUSE ? "in use by another process" : strerror(errno));
        return FT_ERR_IO;
    }
    chmod(path, 0600); /* the worker's user only: commands stop it */
    if (!(ch->path = strdup(path))) {
        snprintf(err, n, "%s: out of memory", path);
        return FT_ERR_NOMEM;
    }
    return FT_OK;
}

static void drop_client(ft_live_channel *ch, int i)
{
    client *c = &ch->clients[i];
    if (c->socket)
        close(c->fd);
    else if (c->restore_flags >= 0)
        fcntl(c->fd, F_SETFL, c->restore_flags);
    free(c->in.data);
    free(c->out.data);
    free(c->queue.data);
    free(c->meta.data);
    ch->clients[i] = ch->clients[--ch->count];
}

/* Writes as much of C's pending lines as the descriptor takes now. */
static void flush_client(client *c)
{
    while (!c->dead) {
        if (c->out_off == c->out.len) {
            c->out.len = c->out_off = 0;
            if (c->queue.len == 0 && c->meta.len == 0)
                return;
            buffer t = c->out; /* the queued status lines become the output */
            c->out = c->queue;
            c->queue = t;
            if (c->meta.len) {
                if (append(&c->out, c->meta.data, c->meta.len) != 0)
                    c->dead = 1;
                c->meta.len = 0;
            }
            continue;
        }
        const char *p = c->out.data + c->out_off;
        const size_t left = c->out.len - c->out_off;
        ssize_t w = c->socket ? send(c->fd, p, left, MSG_NOSIGNAL) : write(c->fd, p, left);
        if (w > 0) {
            c->out_off += (size_t)w;
        } else if (w < 0 && errno == EINTR) {
            continue;
        } else {
            if (!(w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)))
                c->dead = 1; /* gone */
            return;
        }
    }
}

static int pending(const client *c)
{
    return c->out_off < c->out.len || c->queue.len || c->meta.len;
}

/* One command line from C: answered on C. */
static void run_command(ft_live_channel *ch, client *c, char *line)
{
    while (*line == ' ' || *line == '\t')
        line++;
    size_t n = strlen(line);
    while (n && (line[n - 1] == '\r' || line[n - 1] == ' '))
        line[--n] = '\0';
    if (!n)
        return;
    json_object *req = NULL;
    if (line[0] == '{') {
        req = json_tokener_parse(line);
    } else if (strspn(line, "abcdefghijklmnopqrstuvwxyz_") == n) { /* a bare name: "ping" */
        req = json_object_new_object();
        json_object_object_add(req, "cmd", json_object_new_string(line));
    }
    json_object *cmd = NULL;
    char *reply = NULL;
    if (!req || !json_object_is_type(req, json_type_object) ||
        !json_object_object_get_ex(req, "cmd", &cmd) || !json_object_is_type(cmd, json_type_string)) {
        json_object *e = json_object_new_object();
        json_object_object_add(e, "type", json_object_new_string("error"));
        json_object_object_add(e, "message",
                               json_object_new_string("a command is a JSON object with a \"cmd\" "
                                                      "string, or a bare command name"));
        reply = strdup(json_object_to_json_string_ext(e, JSON_C_TO_STRING_PLAIN));
        json_object_put(e);
    } else if (strcmp(json_object_get_string(cmd), "metadata") == 0) {
        /* {"cmd":"metadata","on":false}: this client's own switch */
        json_object *on = NULL;
        c->metadata = !json_object_object_get_ex(req, "on", &on) || json_object_get_boolean(on);
        reply = strdup(c->metadata ? "{\"type\":\"ok\",\"metadata\":true}"
                                   : "{\"type\":\"ok\",\"metadata\":false}");
    } else {
        pthread_mutex_unlock(&ch->lock); /* the handler may send status lines */
        reply = ch->on_command(ch->user, json_object_get_string(cmd), req);
        pthread_mutex_lock(&ch->lock);
    }
    if (reply) {
        if (append(&c->queue, reply, strlen(reply)) != 0 || append(&c->queue, "\n", 1) != 0)
            c->dead = 1;
        free(reply);
    }
    json_object_put(req);
}

static void read_client(ft_live_channel *ch, client *c)
{
    char chunk[4096];
    for (;;) {
        ssize_t r = recv(c->fd, chunk, sizeof chunk, 0);
        if (r == 0 || (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
            c->dead = 1;
            return;
        }
        if (r < 0)
            return;
        if (append(&c->in, chunk, (size_t)r) != 0) {
            c->dead = 1;
            return;
        }
        char *start = c->in.data, *nl;
        while (!c->dead && (nl = memchr(start, '\n', c->in.len - (size_t)(start - c->in.data)))) {
            *nl = '\0';
            run_command(ch, c, start);
            start = nl + 1;
        }
        const size_t rest = c->in.len - (size_t)(start - c->in.data);
        memmove(c->in.data, start, rest);
        c->in.len = rest;
        if (rest > MAX_COMMAND)
            c->dead = 1; /* not a client of ours */
    }
}

static void accept_clients(ft_live_channel *ch)
{
    for (;;) {
        int fd = accept4(ch->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0)
            return;
        if (ch->count == MAX_CLIENTS) {
            close(fd);
            ft_log(FT_LOG_WARN, "%s: %d clients already: one more refused", ch->path, MAX_CLIENTS);
            continue;
        }
        ch->clients[ch->count++] = (client){.fd = fd, .socket = 1, .metadata = 1, .restore_flags = -1};
    }
}

static void *channel_main(void *arg)
{
    ft_live_channel *ch = arg;
    double next_tick = ft_now_s() + 1.0;
    struct pollfd fds[MAX_CLIENTS + 2];
    pthread_mutex_lock(&ch->lock);
    for (;;) {
        for (int i = 0; i < ch->count; i++)
            flush_client(&ch->clients[i]);
        for (int i = ch->count - 1; i >= 0; i--)
            if (ch->clients[i].dead)
                drop_client(ch, i);
        int busy = 0;
        for (int i = 0; i < ch->count; i++)
            busy |= pending(&ch->clients[i]);
        if (ch->closing && (!busy || ft_now_s() > ch->close_deadline))
            break;
        int n = 0;
        fds[n++] = (struct pollfd){.fd = ch->wake[0], .events = POLLIN};
        if (ch->listen_fd >= 0 && !ch->closing)
            fds[n++] = (struct pollfd){.fd = ch->listen_fd, .events = POLLIN};
        const int first_client = n;
        for (int i = 0; i < ch->count; i++)
            fds[n++] = (struct pollfd){
                .fd = ch->clients[i].fd,
                .events = (short)((ch->clients[i].socket ? POLLIN : 0) |
                                  (pending(&ch->clients[i]) ? POLLOUT : 0))};
        double wait_s = ch->closing ? 0.05 : next_tick - ft_now_s();
        pthread_mutex_unlock(&ch->lock);
        poll(fds, (nfds_t)n, wait_s > 0 ? (int)(wait_s * 1000) + 1 : 0);
        if (fds[0].revents & POLLIN) {
            char drain[256];
            while (read(ch->wake[0], drain, sizeof drain) > 0) {
            }
        }
        if (!ch->closing && ft_now_s() >= next_tick) {
            next_tick += 1.0;
            if (next_tick < ft_now_s())
                next_tick = ft_now_s() + 1.0;
            if (ch->on_tick)
                ch->on_tick(ch->user);
        }
        pthread_mutex_lock(&ch->lock);
        const int clients_polled = n - first_client;
        for (int k = 0; k < clients_polled && k < ch->count; k++) {
            client *c = &ch->clients[k];
            if (fds[first_client + k].revents & (POLLIN | POLLHUP | POLLERR)) {
                if (c->socket)
                    read_client(ch, c);
                else if (fds[first_client + k].revents & POLLERR)
                    c->dead = 1;
            }
        }
        if (ch->listen_fd >= 0 && n > 1 && (fds[1].revents & POLLIN))
            accept_clients(ch);
    }
    while (ch->count > 0)
        drop_client(ch, ch->count - 1);
    pthread_mutex_unlock(&ch->lock);
    return NULL;
}

ft_status ft_live_channel_open(const char *path, ft_live_command_fn on_command,
                               ft_live_tick_fn on_tick, void *user, ft_live_channel **out,
                               char *err, size_t err_size)
{
    *out = NULL;
    ft_live_channel *ch = calloc(1, sizeof *ch);
    if (!ch) {
        snprintf(err, err_size, "out of memory");
        return FT_ERR_NOMEM;
    }
    ch->listen_fd = -1;
    ch->on_command = on_command;
    ch->on_tick = on_tick;
    ch->user = user;
    if (pipe2(ch->wake, O_CLOEXEC | O_NONBLOCK) != 0) {
        snprintf(err, err_size, "cannot make a pipe: %s", strerror(errno));
        free(ch);
        return FT_ERR_IO;
    }
    pthread_mutex_init(&ch->lock, NULL);
    ft_status st = path ? listen_on(ch, path, err, err_size) : FT_OK;
    if (st == FT_OK && !(ch->started = pthread_create(&ch->thread, NULL, channel_main, ch) == 0)) {
        snprintf(err, err_size, "cannot start the channel thread");
        st = FT_ERR_INTERNAL;
    }
    if (st != FT_OK) {
        ft_live_channel_close(ch, 0);
        return st;
    }
    *out = ch;
    return FT_OK;
}

void ft_live_channel_attach_fd(ft_live_channel *ch, int fd, int metadata)
{
    pthread_mutex_lock(&ch->lock);
    if (ch->count < MAX_CLIENTS) {
        client c = {.fd = fd, .metadata = metadata, .restore_flags = -1};
        struct stat st;
        /* Pipes and sockets would block the writer: make them non-blocking
         * (and put them back at the end). Files and terminals take what
         * they are given. */
        if (fstat(fd, &st) == 0 && (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode))) {
            c.restore_flags = fcntl(fd, F_GETFL);
            if (c.restore_flags >= 0)
                set_nonblocking(fd);
        }
        ch->clients[ch->count++] = c;
    }
    pthread_mutex_unlock(&ch->lock);
    wake(ch);
}

void ft_live_channel_status(ft_live_channel *ch, const char *line)
{
    pthread_mutex_lock(&ch->lock);
    for (int i = 0; i < ch->count; i++) {
        client *c = &ch->clients[i];
        if (c->queue.len + c->out.len > MAX_QUEUED) {
            if (!c->dead)
                ft_log(FT_LOG_WARN, "a client of the live channel reads too slowly: disconnected");
            c->dead = 1;
            continue;
        }
        if (append(&c->queue, line, strlen(line)) != 0 || append(&c->queue, "\n", 1) != 0)
            c->dead = 1;
    }
    pthread_mutex_unlock(&ch->lock);
    wake(ch);
}

void ft_live_channel_metadata(ft_live_channel *ch, const char *line)
{
    const size_t n = strlen(line);
    pthread_mutex_lock(&ch->lock);
    for (int i = 0; i < ch->count; i++) {
        client *c = &ch->clients[i];
        if (!c->metadata)
            continue;
        if (ch->lossless) {
            if (append(&c->queue, line, n) != 0 || append(&c->queue, "\n", 1) != 0)
                c->dead = 1;
            continue;
        }
        if (c->meta.len)
            ch->meta_dropped++; /* the newest wins */
        c->meta.len = 0;
        if (append(&c->meta, line, n) != 0 || append(&c->meta, "\n", 1) != 0)
            c->dead = 1;
    }
    pthread_mutex_unlock(&ch->lock);
    wake(ch);
}

void ft_live_channel_metadata_lossless(ft_live_channel *ch, int on)
{
    pthread_mutex_lock(&ch->lock);
    ch->lossless = on;
    pthread_mutex_unlock(&ch->lock);
}

long long ft_live_channel_metadata_dropped(ft_live_channel *ch)
{
    pthread_mutex_lock(&ch->lock);
    long long n = ch->meta_dropped;
    pthread_mutex_unlock(&ch->lock);
    return n;
}

int ft_live_channel_clients(ft_live_channel *ch)
{
    pthread_mutex_lock(&ch->lock);
    int n = 0;
    for (int i = 0; i < ch->count; i++)
        n += ch->clients[i].socket;
    pthread_mutex_unlock(&ch->lock);
    return n;
}

void ft_live_channel_close(ft_live_channel *ch, double flush_s)
{
    if (!ch)
        return;
    if (ch->started) {
        pthread_mutex_lock(&ch->lock);
        ch->closing = 1;
        ch->close_deadline = ft_now_s() + flush_s;
        pthread_mutex_unlock(&ch->lock);
        wake(ch);
        pthread_join(ch->thread, NULL);
    }
    while (ch->count > 0)
        drop_client(ch, ch->count - 1);
    if (ch->listen_fd >= 0)
        close(ch->listen_fd);
    if (ch->path)
        unlink(ch->path);
    close(ch->wake[0]);
    close(ch->wake[1]);
    pthread_mutex_destroy(&ch->lock);
    free(ch->path);
    free(ch);
}
