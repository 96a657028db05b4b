/* The web UI: its files, embedded in the program (web_assets.h), served at
 * / (index.html) and /ui/NAME. They hold no data, so they need no token;
 * the pages then call the API with it. A strict Content-Security-Policy
 * allows this server's own scripts, styles and media only, and no inline
 * code. */
#include <stdint.h>
#include <string.h>

#include "serve/request.h"
#include "serve/web_assets.h"

#define CSP                                                                                   \
    "default-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; style-src 'self'; " \
    "script-src 'self'; connect-src 'self'; frame-ancestors 'none'"

static const ft_embedded_file *find_file(const char *name)
{
    for (size_t i = 0; i < ft_web_assets_count; i++)
        if (strcmp(ft_web_assets[i].name, name) == 0)
            return &ft_web_assets[i];
    return NULL;
}

enum MHD_Result ft_api_static(const ft_request *r)
{
    const char *name = strcmp(r->path, "/") == 0 ? "index.html" : r->path + strlen("/ui/");
    const ft_embedded_file *f = find_file(name);
    if (!f)
        return ft_reply_error(r, MHD_HTTP_NOT_FOUND, "no such file of the web UI: %s", name);
    /* MHD only reads a persistent buffer. */
    void *data = (void *)(uintptr_t)f->data;
    struct MHD_Response *response =
        MHD_create_response_from_buffer(f->size, data, MHD_RESPMEM_PERSISTENT);
    if (!response)
        return MHD_NO;
    MHD_add_response_header(response, MHD_HTTP_HEADER_CONTENT_TYPE, f->type);
    MHD_add_response_header(response, MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache");
    MHD_add_response_header(response, "Content-Security-Policy", CSP);
    MHD_add_response_header(response, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(response, "Referrer-Policy", "no-referrer");
    const enum MHD_Result ok = MHD_queue_response(r->connection, MHD_HTTP_OK, response);
    MHD_destroy_response(response);
    return ok;
}
