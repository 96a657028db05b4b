/* Streaming JSON writer. The first failure is kept in w->failed as the
 * ft_status that ft_json_finish() will return; after it everything is a
 * no-op, so callers can write a whole document and check once at the end. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/json_writer.h"

static void fail(ft_json *w, ft_status status)
{
    if (!w->failed)
        w->failed = (int)status;
}

static void put(ft_json *w, const char *s, size_t n)
{
    if (!w->failed && n > 0 && fwrite(s, 1, n, w->out) != n) {
        w->errnum = errno ? errno : EIO;
        fail(w, FT_ERR_IO);
    }
}

static void put_str(ft_json *w, const char *s)
{
    put(w, s, strlen(s));
}

/* Starts a new line indented to the current depth (pretty mode only). */
static void newline(ft_json *w)
{
    static const char spaces[] = "                                ";
    if (!w->pretty)
        return;
    put(w, "\n", 1);
    for (size_t n = (size_t)w->depth * 2; n > 0;) {
        size_t chunk = n < sizeof spaces - 1 ? n : sizeof spaces - 1;
        put(w, spaces, chunk);
        n -= chunk;
    }
}

/* Writes the separator a new member needs: a comma after an earlier member,
 * then (pretty) a fresh indented line. */
static void member_separator(ft_json *w)
{
    unsigned char *count = &w->count[w->depth - 1];
    if (*count)
        put(w, ",", 1);
    *count = 1;
    newline(w);
}

/* Called before every value. Returns 0 when nothing should be written,
 * because the writer already failed or this value is not allowed here. */
static int begin_value(ft_json *w)
{
    if (w->failed)
        return 0;
    if (w->depth == 0) {
        if (w->done) { /* a second top-level value */
            fail(w, FT_ERR_INVALID_ARG);
            return 0;
        }
    } else if (w->stack[w->depth - 1] == 'o') {
        if (!w->expect_value) { /* a value without a key */
            fail(w, FT_ERR_INVALID_ARG);
            return 0;
        }
        w->expect_value = 0; /* ft_json_key() wrote the separator */
    } else {
        member_separator(w);
    }
    return 1;
}

static void end_value(ft_json *w)
{
    if (w->depth == 0)
        w->done = 1;
}

/* Length of the well-formed UTF-8 sequence at P (at most N bytes), or 0.
 * Rejects overlong forms, surrogates and code points above U+10FFFF. */
static size_t utf8_length(const unsigned char *p, size_t n)
{
    size_t len;
    unsigned char lo = 0x80, hi = 0xBF; /* range of the second byte */
    if (p[0] >= 0xC2 && p[0] <= 0xDF) {
        len = 2;
    } else if (p[0] >= 0xE0 && p[0] <= 0xEF) {
        len = 3;
        if (p[0] == 0xE0)
            lo = 0xA0;
        else if (p[0] == 0xED)
            hi = 0x9F;
    } else if (p[0] >= 0xF0 && p[0] <= 0xF4) {
        len = 4;
        if (p[0] == 0xF0)
            lo = 0x90;
        else if (p[0] == 0xF4)
            hi = 0x8F;
    } else {
        return 0;
    }
    if (n < len || p[1] < lo || p[1] > hi)
        return 0;
    for (size_t i = 2; i < len; i++)
        if (p[i] < 0x80 || p[i] > 0xBF)
            return 0;
    return len;
}

static void write_string(ft_json *w, const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t run = 0; /* bytes before p[i] that still need to be copied */
    put(w, "\"", 1);
    for (size_t i = 0; i < n;) {
        unsigned char c = p[i];
        const char *esc = NULL;
        char buf[8];
        size_t len = 1;
        if (c == '"')
            esc = "\\\"";
        else if (c == '\\')
            esc = "\\\\";
        else if (c < 0x20) {
            switch (c) {
            case '\n': esc = "\\n"; break;
            case '\t': esc = "\\t"; break;
            case '\r': esc = "\\r"; break;
            case '\b': esc = "\\b"; break;
            case '\f': esc = "\\f"; break;
            default:
                snprintf(buf, sizeof buf, "\\u%04x", (unsigned)c);
                esc = buf;
            }
        } else if (c >= 0x80) {
            len = utf8_length(p + i, n - i);
            if (len == 0) {
                esc = "\xEF\xBF\xBD"; /* U+FFFD keeps the output valid */
                len = 1;
            }
        }
        if (esc) {
            put(w, (const char *)p + i - run, run);
            put_str(w, esc);
            run = 0;
        } else {
            run += len;
        }
        i += len;
    }
    put(w, (const char *)p + n - run, run);
    put(w, "\"", 1);
}

/* %.{digits}g. snprintf follows LC_NUMERIC, so a locale decimal comma is
 * turned back into the point JSON requires. */
static void format_double(char *out, size_t size, double v, int digits)
{
    snprintf(out, size, "%.*g", digits, v);
    for (char *c = out; *c; c++)
        if (*c == ',')
            *c = '.';
}

void ft_json_init(ft_json *w, FILE *out, int pretty)
{
    if (!w)
        return;
    memset(w, 0, sizeof *w);
    w->out = out;
    w->pretty = pretty != 0;
    w->final_newline = 1;
    if (!out)
        w->failed = (int)FT_ERR_INVALID_ARG;
}

static void container_begin(ft_json *w, unsigned char kind)
{
    if (!w || !begin_value(w))
        return;
    if (w->depth >= FT_JSON_MAX_DEPTH) {
        fail(w, FT_ERR_INVALID_ARG);
        return;
    }
    w->stack[w->depth] = kind;
    w->count[w->depth] = 0;
    w->depth++;
    put(w, kind == 'o' ? "{" : "[", 1);
}

static void container_end(ft_json *w, unsigned char kind)
{
    if (!w || w->failed)
        return;
    if (w->depth == 0 || w->stack[w->depth - 1] != kind || w->expect_value) {
        fail(w, FT_ERR_INVALID_ARG);
        return;
    }
    w->depth--;
    if (w->count[w->depth]) /* empty containers stay on one line: {} [] */
        newline(w);
    put(w, kind == 'o' ? "}" : "]", 1);
    end_value(w);
}

void ft_json_object_begin(ft_json *w) { container_begin(w, 'o'); }
void ft_json_object_end(ft_json *w) { container_end(w, 'o'); }
void ft_json_array_begin(ft_json *w) { container_begin(w, 'a'); }
void ft_json_array_end(ft_json *w) { container_end(w, 'a'); }

void ft_json_key(ft_json *w, const char *key)
{
    if (!w || w->failed)
        return;
    if (!key || w->depth == 0 || w->stack[w->depth - 1] != 'o' || w->expect_value) {
        fail(w, FT_ERR_INVALID_ARG);
        return;
    }
    member_separator(w);
    write_string(w, key, strlen(key));
    put_str(w, w->pretty ? ": " : ":");
    w->expect_value = 1;
}

/* Writes an already formatted scalar. */
static void scalar(ft_json *w, const char *text)
{
    if (!w || !begin_value(w))
        return;
    put_str(w, text);
    end_value(w);
}

void ft_json_string(ft_json *w, const char *s)
{
    if (!s) {
        scalar(w, "null");
        return;
    }
    ft_json_string_len(w, s, strlen(s));
}

void ft_json_string_len(ft_json *w, const char *s, size_t n)
{
    if (!w || !begin_value(w))
        return;
    write_string(w, s, n);
    end_value(w);
}

void ft_json_int(ft_json *w, int64_t v)
{
    char buf[24];
    snprintf(buf, sizeof buf, "%" PRId64, v);
    scalar(w, buf);
}

void ft_json_double(ft_json *w, double v)
{
    char buf[32];
    if (!isfinite(v)) {
        scalar(w, "null");
        return;
    }
    /* %.17g always round-trips; shorter forms are tried first because they
     * avoid noise such as 0.1 -> 0.10000000000000001. strtod reads the text
     * in the same locale snprintf wrote it in, so the check holds there. */
    int digits = 15;
    for (; digits < 17; digits++) {
        snprintf(buf, sizeof buf, "%.*g", digits, v);
        if (strtod(buf, NULL) == v)
            break;
    }
    format_double(buf, sizeof buf, v, digits);
    scalar(w, buf);
}

void ft_json_double_digits(ft_json *w, double v, int digits)
{
    char buf[32];
    if (!isfinite(v)) {
        scalar(w, "null");
        return;
    }
    if (digits < 1)
        digits = 1;
    if (digits > 17)
        digits = 17;
    format_double(buf, sizeof buf, v, digits);
    scalar(w, buf);
}

/* V at PLACES decimals without printf, where V * 10^PLACES is a double
 * exactly (an fma shows it): then rounding that product to an integer in
 * the current mode (to nearest, ties to even) is what printf does to the
 * exact decimal expansion. That covers every float at up to 4 places (24
 * bits times at most 14), the landmarks and scores a track writes by the
 * million. Returns 0 where it does not apply. */
static int places_exact(char *out, double v, int places)
{
    static const double scale[] = {1.0, 10.0, 100.0, 1000.0, 10000.0};
    if (places < 0 || places > 4)
        return 0;
    const double x = v * scale[places];
    if (!(fabs(x) < 9007199254740992.0) || fma(v, scale[places], -x) != 0.0)
        return 0;
    const double r = nearbyint(x);
    uint64_t n = (uint64_t)fabs(r);
    char digits[24];
    int nd = 0;
    do {
        digits[nd++] = (char)('0' + n % 10);
        n /= 10;
    } while (n);
    while (nd <= places)
        digits[nd++] = '0'; /* 0.05: at least one digit before the point */
    int keep = 0; /* fraction digits left after the trailing zeros go */
    for (int i = 0; i < places; i++)
        if (digits[i] != '0') {
            keep = places - i;
            break;
        }
    size_t len = 0;
    if (r < 0)
        out[len++] = '-';
    for (int i = nd - 1; i >= places; i--)
        out[len++] = digits[i];
    if (keep) {
        out[len++] = '.';
        for (int i = places - 1; i >= places - keep; i--)
            out[len++] = digits[i];
    }
    out[len] = '\0';
    return 1;
}

void ft_format_double_places(char *out, size_t size, double v, int places)
{
    places = places < 0 ? 0 : places > 9 ? 9 : places;
    char buf[64];
    char *text = size >= sizeof buf ? out : buf; /* written in place where it fits */
    if (!places_exact(text, v, places)) {
        snprintf(text, sizeof buf, "%.*f", places, v);
        char *dot = strchr(text, '.');
        if (dot) {
            char *end = text + strlen(text) - 1;
            while (end > dot && *end == '0')
                *end-- = '\0';
            if (end == dot)
                *end = '\0';
        }
        if (strcmp(text, "-0") == 0)
            snprintf(text, sizeof buf, "0");
    }
    if (text != out)
        snprintf(out, size, "%s", text);
}

void ft_json_double_places(ft_json *w, double v, int places)
{
    if (!isfinite(v) || fabs(v) >= 1e15) {
        ft_json_double(w, v); /* %f of huge values is long; keep them exact */
        return;
    }
    char buf[64];
    ft_format_double_places(buf, sizeof buf, v, places);
    scalar(w, buf);
}

void ft_format_double_repr(char *out, size_t size, double v)
{
    if (isnan(v) || isinf(v)) {
        snprintf(out, size, "%s", isnan(v) ? "nan" : v > 0 ? "inf" : "-inf");
        return;
    }
    /* The fewest significant digits that read back as V (Python's repr
     * picks the same: the correctly rounded shortest form). */
    char sci[40];
    for (int precision = 0; precision <= 17; precision++) {
        snprintf(sci, sizeof sci, "%.*e", precision, v); /* strtod reads its locale */
        if (precision == 17 || strtod(sci, NULL) == v)
            break;
    }
    /* sci is [-]D[.DDD]e[+-]XX: its digits and decimal exponent. */
    char digits[24];
    size_t nd = 0;
    const char *p = sci;
    const int negative = *p == '-';
    if (negative)
        p++;
    for (; *p && *p != 'e'; p++) /* skips the point, whatever the locale makes it */
        if (*p >= '0' && *p <= '9' && nd < sizeof digits - 1)
            digits[nd++] = *p;
    digits[nd] = '\0';
    const int exp10 = *p == 'e' ? atoi(p + 1) : 0;
    char text[64];
    size_t len = 0;
    if (negative)
        text[len++] = '-';
    if (exp10 < -4 || exp10 >= 16) { /* Python's switch to exponent form */
        text[len++] = digits[0];
        if (nd > 1) {
            text[len++] = '.';
            memcpy(text + len, digits + 1, nd - 1);
            len += nd - 1;
        }
        snprintf(text + len, sizeof text - len, "e%c%02d", exp10 < 0 ? '-' : '+',
                 exp10 < 0 ? -exp10 : exp10);
    } else if (exp10 < 0) { /* 0.000DDD */
        text[len++] = '0';
        text[len++] = '.';
        for (int i = -1; i > exp10; i--)
            text[len++] = '0';
        memcpy(text + len, digits, nd);
        len += nd;
        text[len] = '\0';
    } else { /* DDD.DDD, at least one digit after the point */
        for (int i = 0; i <= exp10; i++)
            text[len++] = (size_t)i < nd ? digits[i] : '0';
        text[len++] = '.';
        if ((size_t)exp10 + 1 < nd) {
            memcpy(text + len, digits + exp10 + 1, nd - (size_t)exp10 - 1);
            len += nd - (size_t)exp10 - 1;
        } else {
            text[len++] = '0';
        }
        text[len] = '\0';
    }
    snprintf(out, size, "%s", text);
}

void ft_json_double_repr(ft_json *w, double v)
{
    if (isnan(v) || isinf(v)) {
        scalar(w, isnan(v) ? "NaN" : v > 0 ? "Infinity" : "-Infinity");
        return;
    }
    char buf[64];
    ft_format_double_repr(buf, sizeof buf, v);
    scalar(w, buf);
}

void ft_json_double_repr_places(ft_json *w, double v, int places)
{
    if (isfinite(v) && fabs(v) < 1e15) {
        /* %f rounds the exact binary value, as Python's round() does. */
        char buf[64];
        places = places < 0 ? 0 : places > 9 ? 9 : places;
        snprintf(buf, sizeof buf, "%.*f", places, v);
        v = strtod(buf, NULL); /* in the locale snprintf wrote it in */
    }
    ft_json_double_repr(w, v);
}

void ft_json_bool(ft_json *w, int v) { scalar(w, v ? "true" : "false"); }
void ft_json_null(ft_json *w) { scalar(w, "null"); }

void ft_json_raw(ft_json *w, const char *json) { scalar(w, json); }

void ft_json_kv_string(ft_json *w, const char *key, const char *s)
{
    ft_json_key(w, key);
    ft_json_string(w, s);
}

void ft_json_kv_int(ft_json *w, const char *key, int64_t v)
{
    ft_json_key(w, key);
    ft_json_int(w, v);
}

void ft_json_kv_double(ft_json *w, const char *key, double v)
{
    ft_json_key(w, key);
    ft_json_double(w, v);
}

void ft_json_kv_bool(ft_json *w, const char *key, int v)
{
    ft_json_key(w, key);
    ft_json_bool(w, v);
}

ft_status ft_json_finish(ft_json *w)
{
    if (!w)
        return FT_ERR_INVALID_ARG;
    if (!w->failed) {
        if (w->depth != 0 || !w->done)
            fail(w, FT_ERR_INVALID_ARG);
        else if (w->final_newline)
            put(w, "\n", 1);
    }
    /* Buffered writes only fail for sure once flushed. */
    if (w->out && (fflush(w->out) != 0 || ferror(w->out))) {
        if (!w->errnum)
            w->errnum = errno ? errno : EIO;
        fail(w, FT_ERR_IO);
    }
    return (ft_status)w->failed;
}
