/* .env parsing after python-dotenv's grammar (dotenv/parser.py): a binding
 * starts after any whitespace, may run over several lines inside quotes and
 * ends at a line end. Errors name the line where the binding started. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/dotenv.h"
#include "base/file_read.h"
#include "base/format_error.h"

/* Larger files are not .env files; stops a stray /dev/zero from eating memory. */
#define MAX_FILE_SIZE (1u << 20)

typedef struct reader {
    const char *p, *end;
    int line; /* of p, from 1 */
} reader;

static void set_error(char *err, size_t err_size, const char *name, int line, const char *why)
{
    if (err && err_size > 0)
        snprintf(err, err_size, "%s:%d: %s", name, line, why);
}

/* Whitespace within a line (python's [^\S\r\n]). */
static int is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\f' || c == '\v';
}

static int is_eol(char c)
{
    return c == '\n' || c == '\r';
}

/* python-dotenv's unquoted key, [^=#\s]+, less quotes: a quoted key is not
 * supported and is better refused than read with its quotes. */
static int is_key_char(char c)
{
    return !is_blank(c) && !is_eol(c) && c != '=' && c != '#' && c != '\'' && c != '"';
}

/* Steps over one character; "\r\n", "\n" and "\r" each end one line. */
static void step(reader *r)
{
    char c = *r->p++;
    if (c == '\r' && r->p < r->end && *r->p == '\n')
        r->p++;
    if (is_eol(c))
        r->line++;
}

static void skip_blanks(reader *r)
{
    while (r->p < r->end && is_blank(*r->p))
        r->p++;
}

static void skip_rest_of_line(reader *r)
{
    while (r->p < r->end && !is_eol(*r->p))
        r->p++;
}

/* The character "\C" stands for inside QUOTE, or 0 when it is no escape and
 * stays as written. Both quotes know \\ and \'; double quotes add C's. */
static char unescape(char c, char quote)
{
    if (c == '\\' || c == '\'')
        return c;
    if (quote == '\'')
        return 0;
    switch (c) {
    case '"': return '"';
    case 'a': return '\a';
    case 'b': return '\b';
    case 'f': return '\f';
    case 'n': return '\n';
    case 'r': return '\r';
    case 't': return '\t';
    case 'v': return '\v';
    default: return 0;
    }
}

/* The quoted value at R (on its opening quote), unescaped, into *OUT. A
 * backslash always pairs with the next character, so \" never closes. */
static ft_status read_quoted(reader *r, char **out, const char **why)
{
    char quote = *r->p++;
    const char *start = r->p;
    while (r->p < r->end && *r->p != quote) {
        if (*r->p == '\\' && r->p + 1 < r->end)
            r->p++;
        step(r);
    }
    if (r->p == r->end) {
        *why = "unterminated quoted value";
        return FT_ERR_FORMAT;
    }
    const char *stop = r->p++;
    char *value = malloc((size_t)(stop - start) + 1), *o = value;
    if (!value)
        return FT_ERR_NOMEM;
    for (const char *s = start; s < stop; s++) {
        char e = *s == '\\' && s + 1 < stop ? unescape(s[1], quote) : 0;
        if (e) {
            *o++ = e;
            s++;
        } else {
            *o++ = *s;
        }
    }
    *o = '\0';
    *out = value;
    return FT_OK;
}

/* The rest of the line, less a comment (whitespace then '#', as
 * python-dotenv's re.sub(r"\s+#.*", "")) and trailing whitespace. */
static ft_status read_unquoted(reader *r, char **out)
{
    const char *start = r->p;
    skip_rest_of_line(r);
    const char *stop = r->p;
    for (const char *s = start + 1; s < stop; s++)
        if (*s == '#' && is_blank(s[-1])) {
            stop = s;
            break;
        }
    while (stop > start && is_blank(stop[-1]))
        stop--;
    *out = strndup(start, (size_t)(stop - start));
    return *out ? FT_OK : FT_ERR_NOMEM;
}

/* Stores KEY=VALUE, taking both; a key seen before gets the new value. */
static ft_status set_pair(ft_dotenv *list, char *key, char *value)
{
    for (size_t i = 0; i < list->count; i++)
        if (strcmp(list->pairs[i].key, key) == 0) {
            free(list->pairs[i].value);
            list->pairs[i].value = value;
            free(key);
            return FT_OK;
        }
    if (list->count == list->cap) {
        size_t cap = list->cap ? list->cap * 2 : 16;
        ft_dotenv_pair *pairs = realloc(list->pairs, cap * sizeof *pairs);
        if (!pairs) {
            free(key);
            free(value);
            return FT_ERR_NOMEM;
        }
        list->pairs = pairs;
        list->cap = cap;
    }
    list->pairs[list->count].key = key;
    list->pairs[list->count].value = value;
    list->count++;
    return FT_OK;
}

/* One comment or binding at R, which is on a character that is no whitespace. */
static ft_status parse_binding(reader *r, ft_dotenv *list, const char **why)
{
    if (*r->p == '#') {
        skip_rest_of_line(r);
        return FT_OK;
    }
    if (r->end - r->p > 6 && memcmp(r->p, "export", 6) == 0 && is_blank(r->p[6])) {
        r->p += 6;
        skip_blanks(r);
    }
    const char *key = r->p;
    while (r->p < r->end && is_key_char(*r->p))
        r->p++;
    size_t key_len = (size_t)(r->p - key);
    skip_blanks(r);
    if (key_len == 0 || r->p == r->end || *r->p != '=') {
        *why = "expected KEY=VALUE";
        return FT_ERR_FORMAT;
    }
    r->p++;
    skip_blanks(r);

    char *value = NULL;
    ft_status st;
    if (r->p < r->end && (*r->p == '\'' || *r->p == '"')) {
        st = read_quoted(r, &value, why);
        if (st != FT_OK)
            return st;
        skip_blanks(r);
        if (r->p < r->end && *r->p == '#')
            skip_rest_of_line(r);
        if (r->p < r->end && !is_eol(*r->p)) {
            free(value);
            *why = "unexpected text after the closing quote";
            return FT_ERR_FORMAT;
        }
    } else {
        st = read_unquoted(r, &value);
        if (st != FT_OK)
            return st;
    }
    char *key_copy = strndup(key, key_len);
    if (!key_copy) {
        free(value);
        return FT_ERR_NOMEM;
    }
    return set_pair(list, key_copy, value);
}

ft_status ft_dotenv_parse(const char *text, size_t len, const char *name, ft_dotenv *list,
                          char *err, size_t err_size)
{
    ft_clear_error(err, err_size);
    if (!list || (!text && len > 0))
        return FT_ERR_INVALID_ARG;
    ft_dotenv_free(list);
    if (!name)
        name = ".env";
    reader r = {text, text + len, 1};
    const char *nul = len > 0 ? memchr(text, '\0', len) : NULL;
    if (nul) {
        /* Values are C strings: a NUL byte would cut one short unseen. */
        r.end = nul;
        while (r.p < r.end)
            step(&r);
        set_error(err, err_size, name, r.line, "NUL byte");
        return FT_ERR_FORMAT;
    }
    for (;;) {
        while (r.p < r.end && (is_blank(*r.p) || is_eol(*r.p)))
            step(&r);
        if (r.p == r.end)
            return FT_OK;
        int line = r.line;
        const char *why = "out of memory";
        ft_status st = parse_binding(&r, list, &why);
        if (st != FT_OK) {
            set_error(err, err_size, name, line, why);
            ft_dotenv_free(list);
            return st;
        }
    }
}

static ft_status parse_dotenv(const char *path, const char *text, size_t len, void *list,
                              char *err, size_t err_size)
{
    return ft_dotenv_parse(text, len, path, list, err, err_size);
}

ft_status ft_dotenv_load(const char *path, ft_dotenv *list, char *err, size_t err_size)
{
    ft_clear_error(err, err_size);
    if (!list || !path)
        return FT_ERR_INVALID_ARG;
    ft_dotenv_free(list);
    return ft_parse_file(path, MAX_FILE_SIZE, "a .env file", parse_dotenv, list, err, err_size);
}

const char *ft_dotenv_get(const ft_dotenv *list, const char *key)
{
    if (!list || !key)
        return NULL;
    for (size_t i = 0; i < list->count; i++)
        if (strcmp(list->pairs[i].key, key) == 0)
            return list->pairs[i].value;
    return NULL;
}

void ft_dotenv_free(ft_dotenv *list)
{
    if (!list)
        return;
    for (size_t i = 0; i < list->count; i++) {
        free(list->pairs[i].key);
        free(list->pairs[i].value);
    }
    free(list->pairs);
    memset(list, 0, sizeof *list);
}
