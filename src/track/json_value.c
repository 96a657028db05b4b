/* Python's view of json-c values (see json_value.h). */
#include "track/json_value.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void ft_json_write_value(ft_json *j, json_object *v)
{
    switch (json_object_get_type(v)) {
    case json_type_null: ft_json_null(j); return;
    case json_type_boolean: ft_json_bool(j, json_object_get_boolean(v)); return;
    case json_type_double: ft_json_double_repr(j, json_object_get_double(v)); return;
    case json_type_int:
        /* json-c prints its integers exactly, also those above INT64_MAX */
        ft_json_raw(j, json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN));
        return;
    case json_type_string:
        ft_json_string_len(j, json_object_get_string(v), (size_t)json_object_get_string_len(v));
        return;
    case json_type_array: {
        ft_json_array_begin(j);
        const size_t n = json_object_array_length(v);
        for (size_t i = 0; i < n; i++)
            ft_json_write_value(j, json_object_array_get_idx(v, i));
        ft_json_array_end(j);
        return;
    }
    case json_type_object: {
        ft_json_object_begin(j);
        json_object_object_foreach(v, key, value)
        {
            ft_json_key(j, key);
            ft_json_write_value(j, value);
        }
        ft_json_object_end(j);
        return;
    }
    }
    ft_json_null(j);
}

/* S without surrounding white space and without the underscores Python
 * allows between digits, into OUT; 0 when an underscore is misplaced or
 * the text does not fit. */
static int python_number_text(const char *s, size_t n, char *out, size_t out_size)
{
    while (n > 0 && isspace((unsigned char)*s)) {
        s++;
        n--;
    }
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        n--;
    size_t len = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '_') {
            if (i == 0 || i + 1 == n || !isdigit((unsigned char)s[i - 1]) ||
                !isdigit((unsigned char)s[i + 1]))
                return 0;
            continue;
        }
        if (s[i] == '\0' || len + 1 >= out_size)
            return 0;
        out[len++] = s[i];
    }
    out[len] = '\0';
    return len > 0;
}

/* Python's float() of a string: a decimal number, or inf/infinity/nan with
 * an optional sign, any case (no hexadecimal, unlike strtod). */
static int float_of_text(const char *text, double *out)
{
    const char *p = text + (*text == '+' || *text == '-');
    if (!strcasecmp(p, "inf") || !strcasecmp(p, "infinity") || !strcasecmp(p, "nan")) {
        const double v = tolower((unsigned char)*p) == 'n' ? NAN : INFINITY;
        *out = *text == '-' ? -v : v;
        return 1;
    }
    int digits = 0;
    for (const char *c = p; *c; c++) {
        if (isdigit((unsigned char)*c))
            digits = 1;
        else if (!strchr(".eE+-", *c))
            return 0;
    }
    if (!digits)
        return 0;
    char *end;
    errno = 0;
    const double v = strtod(text, &end);
    if (*end)
        return 0;
    *out = v; /* overflow gives inf, as in Python */
    return 1;
}

int ft_py_float(json_object *v, double *out)
{
    char text[128];
    switch (json_object_get_type(v)) {
    case json_type_boolean: *out = json_object_get_boolean(v) ? 1.0 : 0.0; return 1;
    case json_type_int:
    case json_type_double: *out = json_object_get_double(v); return 1;
    case json_type_string:
        return python_number_text(json_object_get_string(v), (size_t)json_object_get_string_len(v),
                                  text, sizeof text) &&
               float_of_text(text, out);
    default: return 0;
    }
}

int ft_py_int(json_object *v, int64_t *out)
{
    char text[128];
    switch (json_object_get_type(v)) {
    case json_type_boolean: *out = json_object_get_boolean(v) ? 1 : 0; return 1;
    case json_type_int:
        errno = 0;
        *out = json_object_get_int64(v);
        return errno == 0; /* json-c saturates, setting errno, above INT64_MAX */
    case json_type_double: {
        const double d = trunc(json_object_get_double(v));
        if (!isfinite(d) || d < -9.2233720368547758e18 || d >= 9.2233720368547758e18)
            return 0;
        *out = (int64_t)d;
        return 1;
    }
    case json_type_string: {
        if (!python_number_text(json_object_get_string(v), (size_t)json_object_get_string_len(v),
                                text, sizeof text))
            return 0;
        const char *p = text + (*text == '+' || *text == '-');
        if (!*p)
            return 0;
        for (const char *c = p; *c; c++)
            if (!isdigit((unsigned char)*c))
                return 0;
        char *end;
        errno = 0;
        const long long x = strtoll(text, &end, 10);
        if (errno || *end)
            return 0;
        *out = x;
        return 1;
    }
    default: return 0;
    }
}

int ft_py_truthy(json_object *v)
{
    switch (json_object_get_type(v)) {
    case json_type_null: return 0;
    case json_type_boolean: return json_object_get_boolean(v);
    case json_type_int: return json_object_get_int64(v) != 0 || json_object_get_uint64(v) != 0;
    case json_type_double: return json_object_get_double(v) != 0.0;
    case json_type_string: return json_object_get_string_len(v) > 0;
    case json_type_array: return json_object_array_length(v) > 0;
    case json_type_object: return json_object_object_length(v) > 0;
    }
    return 0;
}
