/* Member-by-member reading of a JSON object (see json_stream.h): a small
 * scanner finds where each top-level member (or element of a streamed
 * array) begins and ends, minding strings and nesting; json-c parses and
 * checks each piece. */
#include "track/json_stream.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define READ_CHUNK (64 * 1024)
#define JSON_DEPTH 256

typedef struct reader {
    FILE *fp;
    unsigned char buf[READ_CHUNK];
    size_t pos, len;
    int eof, read_errno;
    long line, col;           /* of the next character */
    char *text;               /* the piece being gathered, NUL-terminated */
    size_t text_len, text_cap;
    long text_line, text_col; /* where it starts */
    json_tokener *tok;
    char *err;
    size_t err_size;
} reader;

enum { R_OK = 0, R_STOP = 1, R_ERR = -1 };

static int peek(reader *r)
{
    if (r->pos == r->len) {
        if (r->eof)
            return EOF;
        r->len = fread(r->buf, 1, sizeof r->buf, r->fp);
        r->pos = 0;
        if (r->len == 0) {
            r->eof = 1;
            if (ferror(r->fp))
                r->read_errno = errno ? errno : EIO;
            return EOF;
        }
    }
    return r->buf[r->pos];
}

static int next(reader *r)
{
    const int c = peek(r);
    if (c != EOF) {
        r->pos++;
        if (c == '\n') {
            r->line++;
            r->col = 1;
        } else {
            r->col++;
        }
    }
    return c;
}

static void skip_blanks(reader *r)
{
    for (int c = peek(r); c == ' ' || c == '\t' || c == '\n' || c == '\r'; c = peek(r))
        next(r);
}

static int fail(reader *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(reader *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->err, r->err_size, fmt, ap);
    va_end(ap);
    return R_ERR;
}

/* The error for the end of the file where more was due. */
static int cut_short(reader *r)
{
    if (r->read_errno)
        return fail(r, "cannot read: %s", strerror(r->read_errno));
    return fail(r, "invalid JSON: the file ends early (truncated?)");
}

/* The error for character C where it does not belong. */
static int unexpected(reader *r, int c, const char *wanted)
{
    if (c == EOF)
        return cut_short(r);
    return fail(r, "invalid JSON at line %ld, column %ld: %s expected", r->line, r->col - 1,
                wanted);
}

static int append(reader *r, int c)
{
    if (r->text_len + 2 > r->text_cap) {
        size_t cap = r->text_cap ? 2 * r->text_cap : 4096;
        char *p = realloc(r->text, cap);
        if (!p)
            return fail(r, "out of memory");
        r->text = p;
        r->text_cap = cap;
    }
    r->text[r->text_len++] = (char)c;
    r->text[r->text_len] = '\0';
    return R_OK;
}

/* Gathers the text of the value that starts here: a string, an object or
 * array (to its matching close), else a bare number or literal. */
static int gather_value(reader *r)
{
    r->text_len = 0;
    r->text_line = r->line;
    r->text_col = r->col;
    int c = peek(r);
    if (c == EOF)
        return cut_short(r);
    if (c == '"' || c == '{' || c == '[') {
        int depth = 0, in_string = 0;
        do {
            if ((c = next(r)) == EOF)
                return cut_short(r);
            if (append(r, c) != R_OK)
                return R_ERR;
            if (in_string) {
                if (c == '\\') {
                    if ((c = next(r)) == EOF)
                        return cut_short(r);
                    if (append(r, c) != R_OK)
                        return R_ERR;
                } else if (c == '"') {
                    in_string = 0;
                }
            } else if (c == '"') {
                in_string = 1;
            } else if (c == '{' || c == '[') {
                depth++;
            } else if (c == '}' || c == ']') {
                depth--;
            }
        } while (in_string || depth > 0);
        return R_OK;
    }
    while ((c = peek(r)) != EOF && !strchr(",}] \t\n\r", c)) {
        if (append(r, next(r)) != R_OK)
            return R_ERR;
    }
    if (r->text_len == 0) /* a ',', '}' or ']' where a value belongs */
        return unexpected(r, next(r), "a value");
    return R_OK;
}

/* Parses the gathered text; *OUT is NULL for JSON null. */
static int parse_value(reader *r, json_object **out)
{
    json_tokener_reset(r->tok);
    /* The terminating NUL tells json-c the text is whole, so that a bare
     * number at its very end parses. */
    *out = json_tokener_parse_ex(r->tok, r->text, (int)r->text_len + 1);
    const enum json_tokener_error jerr = json_tokener_get_error(r->tok);
    size_t end = json_tokener_get_parse_end(r->tok);
    if (jerr == json_tokener_success && end >= r->text_len)
        return R_OK;
    json_object_put(*out);
    *out = NULL;
    if (end > r->text_len)
        end = r->text_len;
    long line = r->text_line, col = r->text_col;
    for (size_t i = 0; i < end; i++) {
        if (r->text[i] == '\n') {
            line++;
            col = 1;
        } else {
            col++;
        }
    }
    return fail(r, "invalid JSON at line %ld, column %ld: %s", line, col,
                jerr == json_tokener_success ? "unexpected character"
                                             : json_tokener_error_desc(jerr));
}

static int read_array(reader *r, const ft_json_stream_handler *h, const char *key)
{
    next(r); /* '[' */
    skip_blanks(r);
    if (peek(r) == ']') {
        next(r);
    } else {
        for (;;) {
            json_object *element;
            if (gather_value(r) != R_OK || parse_value(r, &element) != R_OK)
                return R_ERR;
            const int rc = h->element(h->ctx, key, element, r->err, r->err_size);
            json_object_put(element);
            if (rc != R_OK)
                return rc;
            skip_blanks(r);
            const int c = next(r);
            if (c == ']')
                break;
            if (c != ',')
                return unexpected(r, c, "',' or ']'");
            skip_blanks(r);
        }
    }
    return h->array_end ? h->array_end(h->ctx, key, r->err, r->err_size) : R_OK;
}

static int read_members(reader *r, const ft_json_stream_handler *h)
{
    next(r); /* '{' */
    skip_blanks(r);
    if (peek(r) == '}') {
        next(r);
        return R_OK;
    }
    for (;;) {
        int c = peek(r);
        if (c != '"')
            return unexpected(r, next(r), "a key");
        json_object *key_value;
        if (gather_value(r) != R_OK || parse_value(r, &key_value) != R_OK)
            return R_ERR;
        char *key = strdup(json_object_get_string(key_value));
        json_object_put(key_value);
        if (!key)
            return fail(r, "out of memory");
        skip_blanks(r);
        int rc = R_OK;
        if ((c = next(r)) != ':')
            rc = unexpected(r, c, "':'");
        if (rc == R_OK) {
            skip_blanks(r);
            if (peek(r) == '[' && h->stream_array && h->stream_array(h->ctx, key)) {
                rc = read_array(r, h, key);
            } else {
                json_object *value = NULL;
                rc = gather_value(r) == R_OK ? parse_value(r, &value) : R_ERR;
                if (rc == R_OK && h->member)
                    rc = h->member(h->ctx, key, value, r->err, r->err_size);
                json_object_put(value);
            }
        }
        free(key);
        if (rc != R_OK)
            return rc;
        skip_blanks(r);
        c = next(r);
        if (c == '}')
            return R_OK;
        if (c != ',')
            return unexpected(r, c, "',' or '}'");
        skip_blanks(r);
    }
}

static int read_document(reader *r, const ft_json_stream_handler *h, int *not_object)
{
    skip_blanks(r);
    const int c = peek(r);
    if (c == EOF)
        return r->read_errno ? cut_short(r) : fail(r, "invalid JSON: the file is empty");
    if (c != '{') {
        json_object *value;
        if (gather_value(r) != R_OK || parse_value(r, &value) != R_OK)
            return R_ERR;
        json_object_put(value);
        skip_blanks(r);
        if (peek(r) != EOF)
            return fail(r, "invalid JSON at line %ld, column %ld: data after the top-level value",
                        r->line, r->col);
        if (not_object)
            *not_object = 1;
        return fail(r, "the top-level value is not an object");
    }
    const int rc = read_members(r, h);
    if (rc != R_OK)
        return rc;
    skip_blanks(r);
    if (peek(r) != EOF)
        return fail(r, "invalid JSON at line %ld, column %ld: data after the top-level value",
                    r->line, r->col);
    if (r->read_errno)
        return cut_short(r);
    return R_OK;
}

ft_status ft_json_stream_read(const char *path, const ft_json_stream_handler *handler,
                              int *not_object, char *err, size_t err_size)
{
    if (not_object)
        *not_object = 0;
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        const int e = errno;
        snprintf(err, err_size, "cannot open: %s", strerror(e));
        return e == ENOENT ? FT_ERR_NOT_FOUND : FT_ERR_IO;
    }
    reader *r = calloc(1, sizeof *r);
    json_tokener *tok = json_tokener_new_ex(JSON_DEPTH);
    if (!r || !tok) {
        free(r);
        json_tokener_free(tok);
        fclose(fp);
        snprintf(err, err_size, "out of memory");
        return FT_ERR_NOMEM;
    }
    json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
    r->fp = fp;
    r->line = r->col = 1;
    r->tok = tok;
    r->err = err;
    r->err_size = err_size;
    const int rc = read_document(r, handler, not_object);
    const int read_errno = r->read_errno;
    free(r->text);
    free(r);
    json_tokener_free(tok);
    fclose(fp);
    if (rc == R_ERR)
        return read_errno ? FT_ERR_IO : FT_ERR_FORMAT;
    return FT_OK;
}
