/* ft_http_serve FILE URLPATH: the test HTTP server as a program, for shell
 * tests. Serves FILE's bytes at URLPATH on 127.0.0.1, 404 elsewhere, prints
 * the port on one line, then serves until killed or for at most 120 s (so
 * that a test that dies cannot leave it behind for long). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "http_test_server.h"

int main(int argc, char **argv)
{
    if (argc != 3 || argv[2][0] != '/') {
        fprintf(stderr, "usage: ft_http_serve FILE /URLPATH\n");
        return 2;
    }
    FILE *f = fopen(argv[1], "rb");
    if (!f) {
        perror(argv[1]);
        return 1;
    }
    size_t cap = 1 << 20, size = 0, n;
    char *body = malloc(cap);
    while (body && (n = fread(body + size, 1, cap - size, f)) > 0) {
        size += n;
        if (size == cap) {
            char *bigger = realloc(body, cap *= 2);
            if (!bigger)
                free(body);
            body = bigger;
        }
    }
    fclose(f);
    if (!body) {
        fprintf(stderr, "%s: out of memory\n", argv[1]);
        return 1;
    }
    http_test_route route = {.path = argv[2], .body = body, .size = size};
    http_test_server *s = http_test_server_start(&route, 1);
    if (!s) {
        fprintf(stderr, "ft_http_serve: cannot start the server\n");
        free(body);
        return 1;
    }
    printf("%d\n", http_test_server_port(s));
    fflush(stdout);
    for (int t = 0; t < 120; t++)
        sleep(1);
    http_test_server_stop(s);
    free(body);
    return 0;
}
