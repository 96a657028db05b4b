/* The web UI's files, embedded in the program at build time: the table is
 * generated from src/serve/web/ by cmake/embed_files.cmake. */
#ifndef FT_SERVE_WEB_ASSETS_H
#define FT_SERVE_WEB_ASSETS_H

#include <stddef.h>

typedef struct ft_embedded_file {
    const char *name;          /* "index.html", "app.js" */
    const char *type;          /* media type, charset included for text */
    const unsigned char *data; /* SIZE bytes, then a NUL */
    size_t size;
} ft_embedded_file;

extern const ft_embedded_file ft_web_assets[];
extern const size_t ft_web_assets_count;

#endif
