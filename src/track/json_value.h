/* json-c values as the original's Python saw them: written back as
 * json.dump writes them (ints exact, floats by repr, strings with
 * ensure_ascii=False, members in their order), and converted with Python's
 * float() and int(). */
#ifndef FT_TRACK_JSON_VALUE_H
#define FT_TRACK_JSON_VALUE_H

#include <stdint.h>

#include <json-c/json.h>

#include "base/json_writer.h"

/* Writes V (NULL is JSON null). */
void ft_json_write_value(ft_json *j, json_object *v);

/* Python's float(V): numbers, booleans (1.0, 0.0) and strings that Python
 * reads as a float ("25", " 29.97 ", "1_000.5", "nan", "inf"). 1 and *OUT
 * when it converts, 0 when Python would raise. */
int ft_py_float(json_object *v, double *out);

/* Python's int(V): integers, booleans, finite floats (truncated toward
 * zero) and strings of an integer (" 12 ", "+7", "1_000"). 1 and *OUT when it
 * converts within 64 bits, else 0. */
int ft_py_int(json_object *v, int64_t *out);

/* Python's truth value of V: null, false, 0, 0.0, "", [] and {} are false. */
int ft_py_truthy(json_object *v);

#endif
