/* Values out of MediaPipe's text-format golden files (.prototxt/.pbtxt):
 * every "KEY: value" line, in file order, whatever message it sits in.
 * Enough for landmarks (x, y, z), classifications (score, label), meshes
 * (vertex_buffer) and matrices (packed_data); not a text-format parser. */
#ifndef FT_TEST_PBTXT_READER_H
#define FT_TEST_PBTXT_READER_H

#include <stddef.h>

/* Reads PATH whole into a malloc'd NUL-terminated string; NULL when absent. */
char *pbtxt_load(const char *path);

/* The numbers of every line "KEY: number" into OUT (at most MAX); the
 * number of matches, which may exceed MAX; -1 when a value is not a number. */
int pbtxt_floats(const char *text, const char *key, float *out, int max);

/* The quoted strings of every line KEY: "..." into OUT (at most MAX, each
 * cut to SIZE - 1 characters); the number of matches. */
int pbtxt_strings(const char *text, const char *key, char *out, size_t size, int max);

/* Landmark blocks: the x, y, z lines into OUT[i] (z 0 when a block has
 * none); the number of landmarks, -1 when the x, y, z counts disagree. */
int pbtxt_landmarks(const char *text, float (*out)[3], int max);

#endif
