/* The JSON lines of the live channels (docs/live.md): one object per line,
 * built in memory, with the fields every event starts with. */
#ifndef FT_LIVE_JSON_LINE_H
#define FT_LIVE_JSON_LINE_H

#include <stdio.h>

#include "base/json_writer.h"
#include "facetrack.h"

typedef struct ft_live_line {
    ft_json json;
    FILE *file;
    char *text;
    size_t size;
} ft_live_line;

/* Opens {"type": TYPE, "source": SOURCE, "wall_time": seconds since the
 * epoch, ...; add members with L->json. 0, or -1 when out of memory. */
int ft_live_line_begin(ft_live_line *line, const char *type, int source);
/* Closes the object; returns the line (no newline), malloc'ed, or NULL. */
char *ft_live_line_end(ft_live_line *line);

/* "faces": [...] of a frame: per face id, box [x, y, w, h] and centre in
 * capture pixels, confidence, presence, detected, landmark count,
 * blendshapes by name (or null), pose (or null), and with LANDMARKS the
 * points [[x, y], ...] in capture pixels. */
void ft_live_write_faces(ft_json *json, const ft_face *faces, int count, int landmarks);

#endif
