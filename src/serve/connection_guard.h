/* Keeps slow and unauthenticated clients from locking others out of
 * `facetrack serve`. Every connection has a slot from its first byte to
 * its close; one that is still reading its request (headers and body) past
 * a deadline that trickling cannot extend is shut down, and when the
 * server, or one client address, is at its limit a newcomer sheds the
 * oldest connection of that address (or anyone's) that has not yet shown
 * a valid request, instead of being refused: slow attackers cannot keep an
 * authenticated client out. Only when every slot holds an authenticated
 * request is a newcomer refused (the server answers it 503). */
#ifndef FT_SERVE_CONNECTION_GUARD_H
#define FT_SERVE_CONNECTION_GUARD_H

#include <sys/socket.h>

#include "facetrack.h"

typedef struct ft_connection_limits {
    int max_connections;        /* at once, all clients together */
    int max_client_connections; /* at once, from one address */
    int request_timeout_ms;     /* from a request's first byte to its last */
} ft_connection_limits;

typedef enum ft_connection_stage {
    FT_STAGE_READING,       /* headers, or idle between requests: may be shed */
    FT_STAGE_AUTHENTICATED, /* headers accepted, body arriving: kept, deadline still runs */
    FT_STAGE_ANSWERING,     /* the request is read; replies may last (event streams) */
} ft_connection_stage;

typedef struct ft_connection_guard ft_connection_guard;
typedef struct ft_guarded_connection ft_guarded_connection;

ft_status ft_connection_guard_start(const ft_connection_limits *limits, ft_connection_guard **out);
void ft_connection_guard_stop(ft_connection_guard *g);
/* How many connections may exist at all (shed ones until they close
 * included): the HTTP library's own hard limit. */
int ft_connection_guard_capacity(const ft_connection_guard *g);

/* A connection on socket FD from ADDRESS opened: its slot, or NULL when
 * every slot is taken (the caller closes it). May shed another. */
ft_guarded_connection *ft_connection_opened(ft_connection_guard *g, int fd,
                                            const struct sockaddr *address);
void ft_connection_closed(ft_connection_guard *g, ft_guarded_connection *c);
/* FT_STAGE_READING starts a new request (a fresh deadline). */
void ft_connection_set_stage(ft_connection_guard *g, ft_guarded_connection *c,
                             ft_connection_stage stage);
/* 1 when C arrived while every slot held an authenticated request: it is
 * to be answered 503. */
int ft_connection_refused(ft_connection_guard *g, const ft_guarded_connection *c);

#endif
