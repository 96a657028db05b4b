/* Which Host and Origin headers `facetrack serve` answers. A page of
 * another site that rebinds its name to the server's address (DNS
 * rebinding) sends its own name in both: so Host must name the server
 * (its bound address, localhost, or a name given with --allowed-host; any
 * IP literal when bound to 0.0.0.0), and Origin, when sent, must be
 * http://ONE-OF-THOSE:PORT. Pure functions of the headers: fuzzed. */
#ifndef FT_SERVE_HOST_CHECK_H
#define FT_SERVE_HOST_CHECK_H

#define FT_MAX_ALLOWED_HOSTS 16

typedef struct ft_allowed_hosts {
    const char *names[FT_MAX_ALLOWED_HOSTS + 2]; /* bound address, "localhost", then the flags' */
    int count;
    int any_ip_literal; /* bound to every address (0.0.0.0): clients name it by any IP */
    int port;           /* the port listened on, for Origin */
} ft_allowed_hosts;

/* The set for a server bound to ADDRESS:PORT with EXTRA names (--allowed-host). */
void ft_allowed_hosts_init(ft_allowed_hosts *set, const char *address, int port,
                           const char *const *extra, int extra_count);

/* HOST (the header's value, "name[:port]" or "[v6]:port"; NULL when absent)
 * names this server. */
int ft_host_allowed(const ft_allowed_hosts *set, const char *host);

/* ORIGIN ("http://name[:port]") is one of this server's pages. */
int ft_origin_allowed(const ft_allowed_hosts *set, const char *origin);

#endif
