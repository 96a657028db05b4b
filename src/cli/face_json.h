/* One ft_face as a JSON object (facetrack's own format, used by detect). */
#ifndef FT_CLI_FACE_JSON_H
#define FT_CLI_FACE_JSON_H

#include "base/json_writer.h"
#include "facetrack.h"

/* LANDMARKS: 1 to include the landmark arrays. */
void ft_write_face_json(ft_json *w, const ft_face *face, int landmarks);

#endif
