/* The connection guard (see connection_guard.h): a table of slots under
 * one mutex, and a reaper thread that enforces the request deadline. */
#include "serve/connection_guard.h"

#include <netinet/in.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "base/clock.h"

#define REAPER_PERIOD_MS 100

struct ft_guarded_connection {
    int used;
    int shed;    /* shut down; its slot frees when the library closes it */
    int refused; /* arrived while the server was full of authenticated requests */
    int fd;
    unsigned char address[17]; /* family, then 4 or 16 bytes: who the client is */
    ft_connection_stage stage;
    int64_t request_started_ms;
};

struct ft_connection_guard {
    ft_connection_limits limits;
    ft_guarded_connection *slots;
    int capacity;
    int stopping;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    pthread_t reaper;
};

static int64_t now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static void address_key(const struct sockaddr *a, unsigned char key[17])
{
    memset(key, 0, 17);
    if (a && a->sa_family == AF_INET) {
        key[0] = 4;
        memcpy(key + 1, &((const struct sockaddr_in *)a)->sin_addr, 4);
    } else if (a && a->sa_family == AF_INET6) {
        key[0] = 6;
        memcpy(key + 1, &((const struct sockaddr_in6 *)a)->sin6_addr, 16);
    }
}

/* Shuts C down: the library's thread sees the end of its stream and closes it.
 * Callers hold the lock, so the socket cannot have been closed and reused. */
static void shed(ft_guarded_connection *c)
{
    shutdown(c->fd, SHUT_RDWR);
    c->shed = 1;
}

static void *reaper_thread(void *arg)
{
    ft_connection_guard *g = arg;
    pthread_mutex_lock(&g->lock);
    while (!g->stopping) {
        const int64_t now = now_ms();
        for (int i = 0; i < g->capacity; i++) {
            ft_guarded_connection *c = &g->slots[i];
            if (c->used && !c->shed && c->stage != FT_STAGE_ANSWERING &&
                now - c->request_started_ms > g->limits.request_timeout_ms)
                shed(c);
        }
        const struct timespec until = ft_deadline_after_ms(REAPER_PERIOD_MS);
        pthread_cond_timedwait(&g->wake, &g->lock, &until);
    }
    pthread_mutex_unlock(&g->lock);
    return NULL;
}

ft_status ft_connection_guard_start(const ft_connection_limits *limits, ft_connection_guard **out)
{
    *out = NULL;
    ft_connection_guard *g = calloc(1, sizeof *g);
    if (!g)
        return FT_ERR_NOMEM;
    g->limits = *limits;
    /* Room for the shed connections whose threads have not closed them yet. */
    g->capacity = 2 * limits->max_connections + 16;
    if (!(g->slots = calloc((size_t)g->capacity, sizeof *g->slots))) {
        free(g);
        return FT_ERR_NOMEM;
    }
    pthread_mutex_init(&g->lock, NULL);
    pthread_cond_init(&g->wake, NULL);
    if (pthread_create(&g->reaper, NULL, reaper_thread, g) != 0) {
        pthread_mutex_destroy(&g->lock);
        pthread_cond_destroy(&g->wake);
        free(g->slots);
        free(g);
        return FT_ERR_INTERNAL;
    }
    *out = g;
    return FT_OK;
}

void ft_connection_guard_stop(ft_connection_guard *g)
{
    if (!g)
        return;
    pthread_mutex_lock(&g->lock);
    g->stopping = 1;
    pthread_cond_signal(&g->wake);
    pthread_mutex_unlock(&g->lock);
    pthread_join(g->reaper, NULL);
    pthread_mutex_destroy(&g->lock);
    pthread_cond_destroy(&g->wake);
    free(g->slots);
    free(g);
}

int ft_connection_guard_capacity(const ft_connection_guard *g)
{
    return g->capacity;
}

/* The oldest request still being read (not yet authenticated), of ADDRESS
 * when not NULL; NULL when none. */
static ft_guarded_connection *oldest_unauthenticated(ft_connection_guard *g,
                                                     const unsigned char *address,
                                                     const ft_guarded_connection *except)
{
    ft_guarded_connection *oldest = NULL;
    for (int i = 0; i < g->capacity; i++) {
        ft_guarded_connection *c = &g->slots[i];
        if (!c->used || c->shed || c == except || c->stage != FT_STAGE_READING ||
            (address && memcmp(c->address, address, sizeof c->address) != 0))
            continue;
        if (!oldest || c->request_started_ms < oldest->request_started_ms)
            oldest = c;
    }
    return oldest;
}

ft_guarded_connection *ft_connection_opened(ft_connection_guard *g, int fd,
                                            const struct sockaddr *address)
{
    pthread_mutex_lock(&g->lock);
    ft_guarded_connection *fresh = NULL;
    int total = 0, same_client = 0;
    unsigned char key[17];
    address_key(address, key);
    for (int i = 0; i < g->capacity; i++) {
        ft_guarded_connection *c = &g->slots[i];
        if (!c->used) {
            if (!fresh)
                fresh = c;
            continue;
        }
        if (c->shed)
            continue;
        total++;
        same_client += memcmp(c->address, key, sizeof key) == 0;
    }
    if (fresh) {
        *fresh = (ft_guarded_connection){.used = 1, .fd = fd, .stage = FT_STAGE_READING,
                                         .request_started_ms = now_ms()};
        memcpy(fresh->address, key, sizeof key);
        ft_guarded_connection *victim = NULL;
        if (same_client >= g->limits.max_client_connections) {
            victim = oldest_unauthenticated(g, key, fresh);
            fresh->refused = !victim;
        } else if (total >= g->limits.max_connections) {
            victim = oldest_unauthenticated(g, NULL, fresh);
            fresh->refused = !victim;
        }
        if (victim)
            shed(victim);
    }
    pthread_mutex_unlock(&g->lock);
    return fresh;
}

void ft_connection_closed(ft_connection_guard *g, ft_guarded_connection *c)
{
    if (!c)
        return;
    pthread_mutex_lock(&g->lock);
    memset(c, 0, sizeof *c);
    pthread_mutex_unlock(&g->lock);
}

void ft_connection_set_stage(ft_connection_guard *g, ft_guarded_connection *c,
                             ft_connection_stage stage)
{
    if (!c)
        return;
    pthread_mutex_lock(&g->lock);
    if (stage == FT_STAGE_READING)
        c->request_started_ms = now_ms();
    c->stage = stage;
    pthread_mutex_unlock(&g->lock);
}

int ft_connection_refused(ft_connection_guard *g, const ft_guarded_connection *c)
{
    if (!c)
        return 0;
    pthread_mutex_lock(&g->lock);
    const int refused = c->refused;
    pthread_mutex_unlock(&g->lock);
    return refused;
}
