/* .env files as python-dotenv reads them (a subset): KEY=VALUE lines, an
 * optional "export " prefix, blank lines and # comments, single- and
 * double-quoted values, " #" comments after unquoted values. The pairs are
 * returned to the caller; the process environment is never touched. */
#ifndef FT_BASE_DOTENV_H
#define FT_BASE_DOTENV_H

#include <stddef.h>

#include "facetrack.h"

typedef struct ft_dotenv_pair {
    char *key;
    char *value;
} ft_dotenv_pair;

/* Zero-initialise before the first load or parse. */
typedef struct ft_dotenv {
    ft_dotenv_pair *pairs; /* in the order first seen; a repeated key keeps
                              its place and takes the later value */
    size_t count, cap;
} ft_dotenv;

/* Reads the file PATH into LIST, which is emptied first. FT_ERR_NOT_FOUND
 * when it does not exist, FT_ERR_IO when it cannot be read, FT_ERR_FORMAT
 * at the first malformed line. ERR gets one line ("PATH:LINE: reason"); on
 * failure LIST is left empty. */
ft_status ft_dotenv_load(const char *path, ft_dotenv *list, char *err, size_t err_size);
/* The same for LEN bytes of TEXT; NAME stands for the file in messages. */
ft_status ft_dotenv_parse(const char *text, size_t len, const char *name, ft_dotenv *list,
                          char *err, size_t err_size);
/* The value of KEY, or NULL when the file does not set it. */
const char *ft_dotenv_get(const ft_dotenv *list, const char *key);
void ft_dotenv_free(ft_dotenv *list);

#endif
