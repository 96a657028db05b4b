/* A local HTTP server for tests that must never reach the internet: it
 * listens on 127.0.0.1 on an ephemeral port, serves given byte buffers at
 * given paths and answers 404 to everything else. Runs on its own thread. */
#ifndef FT_TESTS_HTTP_TEST_SERVER_H
#define FT_TESTS_HTTP_TEST_SERVER_H

#include <stddef.h>

typedef struct http_test_route {
    const char *path;     /* "/models/x.bin" */
    const void *body;     /* served with 200; must outlive the server */
    size_t size;
    int truncate;         /* declare SIZE bytes, send half, close the connection */
    const char *redirect; /* when set: 302 to this location instead of BODY */
    /* When set, called on the server thread once half of BODY has been
     * handed to the network, before the rest. */
    void (*midway)(void *user);
    void *user;
} http_test_route;

typedef struct http_test_server http_test_server;

/* Serves COUNT routes (copied; the bodies are not); NULL on failure. */
http_test_server *http_test_server_start(const http_test_route *routes, int count);
int http_test_server_port(const http_test_server *s);
/* How many requests have been answered, 404s included. */
int http_test_server_requests(const http_test_server *s);
void http_test_server_stop(http_test_server *s);

/* A port on 127.0.0.1 where nothing listens: a socket bound but not
 * listening, so connecting is refused and nobody else gets the port while
 * *FD is open. Close *FD when done. -1 on failure. */
int http_test_closed_port(int *fd);

#endif
