/* An engine class as JSON: what `facetrack engines --json` prints and
 * /api/engines serves, written once. */
#ifndef FT_ENGINES_ENGINE_JSON_H
#define FT_ENGINES_ENGINE_JSON_H

#include "base/json_writer.h"
#include "facetrack.h"

/* {"name", "aliases", "description", "available", "unavailable_reason"
 * (only when not available), "source", "label", "landmarks" (point count,
 * 0 for none), "blendshapes", "pose", "options"} */
void ft_engine_write_json(ft_json *json, const ft_engine_info *engine);

/* "a, b, c": the names of the engines this build can create. */
void ft_engine_available_names(char *out, size_t size);

#endif
