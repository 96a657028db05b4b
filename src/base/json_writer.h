/* Streaming JSON writer: values go straight to a FILE* as they are produced,
 * so an output never has to be held in memory whole. Commas, nesting and
 * string escaping are handled here; misuse (a value where a key is expected,
 * unbalanced close) is recorded and reported by ft_json_finish(). */
#ifndef FT_BASE_JSON_WRITER_H
#define FT_BASE_JSON_WRITER_H

#include <stdint.h>
#include <stdio.h>

#include "facetrack.h"

#define FT_JSON_MAX_DEPTH 64

typedef struct ft_json {
    FILE *out;
    int pretty;            /* indent with two spaces, one value per line */
    int depth;
    int failed;            /* a write failed or the writer was misused */
    int errnum;            /* errno of the first failed write, 0 if none */
    unsigned char stack[FT_JSON_MAX_DEPTH]; /* 'o' object, 'a' array */
    unsigned char count[FT_JSON_MAX_DEPTH]; /* 0 = no member written yet */
    int expect_value;      /* a key was written; its value comes next */
    int done;              /* the top-level value is complete */
    int final_newline;     /* ft_json_finish ends the document with "\n" (default 1) */
} ft_json;

void ft_json_init(ft_json *w, FILE *out, int pretty);

void ft_json_object_begin(ft_json *w);
void ft_json_object_end(ft_json *w);
void ft_json_array_begin(ft_json *w);
void ft_json_array_end(ft_json *w);
/* Inside an object: the key of the next value. */
void ft_json_key(ft_json *w, const char *key);

void ft_json_string(ft_json *w, const char *s);   /* NULL writes null */
/* N bytes of S, which may hold NUL bytes (written as \u0000). */
void ft_json_string_len(ft_json *w, const char *s, size_t n);
void ft_json_int(ft_json *w, int64_t v);
/* Shortest decimal that reads back as the same double; NaN/Inf write null. */
void ft_json_double(ft_json *w, double v);
/* At most DIGITS significant digits (1..17), trailing zeros dropped. */
void ft_json_double_digits(ft_json *w, double v, int digits);
/* Rounded to PLACES decimals (0..9), trailing zeros dropped: 0.25, 3, -1.5. */
void ft_json_double_places(ft_json *w, double v, int places);
/* As Python's json.dump writes a float: repr(), the shortest decimal that
 * reads back as the same double, always with a point or an exponent (25.0,
 * 0.793, 1e-05, 1e+16); NaN, Infinity and -Infinity as Python writes them. */
void ft_json_double_repr(ft_json *w, double v);
/* repr(round(v, PLACES)) (PLACES 0..9): 0.0, 0.5, 0.927. */
void ft_json_double_repr_places(ft_json *w, double v, int places);
/* Python's repr(float) / str(float) into OUT: as above, but "nan", "inf" and
 * "-inf" for the values that are not finite. */
void ft_format_double_repr(char *out, size_t size, double v);
/* What ft_json_double_places writes, into OUT (at least 64 bytes): printf's
 * %.*f of V, trailing zeros and a bare point dropped, "-0" written "0". */
void ft_format_double_places(char *out, size_t size, double v, int places);
void ft_json_bool(ft_json *w, int v);
void ft_json_null(ft_json *w);
/* A value already written as JSON by someone trusted to write it well. */
void ft_json_raw(ft_json *w, const char *json);

/* Key + value shorthands for objects. */
void ft_json_kv_string(ft_json *w, const char *key, const char *s);
void ft_json_kv_int(ft_json *w, const char *key, int64_t v);
void ft_json_kv_double(ft_json *w, const char *key, double v);
void ft_json_kv_bool(ft_json *w, const char *key, int v);

/* Ends the document (a newline after the top-level value, unless
 * final_newline was cleared) and flushes.
 * FT_ERR_IO when a write failed, FT_ERR_INVALID_ARG when misused or
 * unbalanced. */
ft_status ft_json_finish(ft_json *w);

#endif
