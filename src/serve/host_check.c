/* Host and Origin checks (see host_check.h). */
#include "serve/host_check.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void ft_allowed_hosts_init(ft_allowed_hosts *set, const char *address, int port,
                           const char *const *extra, int extra_count)
{
    memset(set, 0, sizeof *set);
    set->port = port;
    set->any_ip_literal = strcmp(address, "0.0.0.0") == 0;
    set->names[set->count++] = address;
    set->names[set->count++] = "localhost";
    for (int i = 0; i < extra_count && i < FT_MAX_ALLOWED_HOSTS; i++)
        set->names[set->count++] = extra[i];
}

/* Splits "name[:port]" or "[v6][:port]" of length N into the name (without
 * brackets) and the port (-1 when none); 0 when malformed. */
static int split_authority(const char *text, size_t n, char *name, size_t name_size, long *port)
{
    const char *name_start = text, *name_end, *rest;
    if (n > 0 && text[0] == '[') {
        const char *close = memchr(text, ']', n);
        if (!close)
            return 0;
        name_start = text + 1;
        name_end = close;
        rest = close + 1;
    } else {
        const char *colon = memchr(text, ':', n);
        name_end = colon ? colon : text + n;
        rest = name_end;
    }
    const size_t name_len = (size_t)(name_end - name_start);
    if (name_len == 0 || name_len >= name_size)
        return 0;
    memcpy(name, name_start, name_len);
    name[name_len] = '\0';
    const char *end = text + n;
    *port = -1;
    if (rest == end)
        return 1;
    if (*rest != ':' || rest + 1 == end || end - (rest + 1) > 5)
        return 0;
    long value = 0;
    for (const char *p = rest + 1; p < end; p++) {
        if (*p < '0' || *p > '9')
            return 0;
        value = value * 10 + (*p - '0');
    }
    if (value > 65535)
        return 0;
    *port = value;
    return 1;
}

static int is_ip_literal(const char *name)
{
    unsigned char address[16];
    return inet_pton(AF_INET, name, address) == 1 || inet_pton(AF_INET6, name, address) == 1;
}

static int name_allowed(const ft_allowed_hosts *set, const char *name)
{
    /* A fully qualified "localhost." is the same name; nothing else is stripped. */
    for (int i = 0; i < set->count; i++)
        if (strcasecmp(set->names[i], name) == 0)
            return 1;
    return set->any_ip_literal && is_ip_literal(name);
}

int ft_host_allowed(const ft_allowed_hosts *set, const char *host)
{
    char name[256];
    long port;
    return host && split_authority(host, strlen(host), name, sizeof name, &port) &&
           name_allowed(set, name);
}

int ft_origin_allowed(const ft_allowed_hosts *set, const char *origin)
{
    static const char scheme[] = "http://";
    if (!origin || strncasecmp(origin, scheme, sizeof scheme - 1) != 0)
        return 0; /* "null" (a sandboxed or file: page), https, anything else */
    const char *authority = origin + sizeof scheme - 1;
    size_t n = strlen(authority);
    if (n > 0 && authority[n - 1] == '/')
        n--;
    char name[256];
    long port;
    if (!split_authority(authority, n, name, sizeof name, &port) || !name_allowed(set, name))
        return 0;
    /* Another port of the same machine is another site. */
    return port == set->port || (port < 0 && set->port == 80);
}
