/* Reads a JSON document whose top level is an object member by member, with
 * memory bounded by the largest member, except for the arrays the caller
 * chooses to stream: those come element by element. So a tracking file of
 * hundreds of MB is read one frame at a time. Each piece is parsed by
 * json-c (strict JSON, UTF-8 checked, plus Python's NaN and Infinity, which
 * json.dump writes); a repeated key comes again, the caller keeps the last
 * as Python does. */
#ifndef FT_TRACK_JSON_STREAM_H
#define FT_TRACK_JSON_STREAM_H

#include <stddef.h>

#include <json-c/json.h>

#include "facetrack.h"

/* The callbacks return 0 to go on, 1 to stop reading (the document is not
 * read further and the read succeeds), or -1 for an error they put in ERR. */
typedef struct ft_json_stream_handler {
    /* Whether the array under the top-level KEY is to be streamed. */
    int (*stream_array)(void *ctx, const char *key);
    /* An element of a streamed array (borrowed: json_object_get to keep). */
    int (*element)(void *ctx, const char *key, json_object *element, char *err, size_t err_size);
    /* The end of a streamed array. May be NULL. */
    int (*array_end)(void *ctx, const char *key, char *err, size_t err_size);
    /* Any other top-level member (borrowed). May be NULL. */
    int (*member)(void *ctx, const char *key, json_object *value, char *err, size_t err_size);
    void *ctx;
} ft_json_stream_handler;

/* Reads PATH. FT_ERR_NOT_FOUND / FT_ERR_IO when it cannot be read;
 * FT_ERR_FORMAT when it is not JSON (empty, cut short, invalid: ERR says
 * where) or its top level is no object (ERR says so and *NOT_OBJECT is set,
 * when NOT_OBJECT is given); the callbacks' errors as FT_ERR_FORMAT. ERR
 * holds the reason without the file name. */
ft_status ft_json_stream_read(const char *path, const ft_json_stream_handler *handler,
                              int *not_object, char *err, size_t err_size);

#endif
