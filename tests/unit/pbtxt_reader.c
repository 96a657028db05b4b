#include "pbtxt_reader.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *pbtxt_load(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *text = NULL;
    size_t size = 0, cap = 0, got;
    do {
        if (cap - size < 4096) {
            char *grown = realloc(text, cap += 65536);
            if (!grown) {
                free(text);
                fclose(f);
                return NULL;
            }
            text = grown;
        }
        got = fread(text + size, 1, cap - size - 1, f);
        size += got;
    } while (got > 0);
    fclose(f);
    text[size] = '\0';
    return text;
}

/* The value after "KEY:" when LINE (at its first non-blank) starts with
 * it; NULL otherwise. Keys are whole words, so "x" does not match "index". */
static const char *value_of(const char *line, const char *key)
{
    while (*line == ' ' || *line == '\t')
        line++;
    const size_t n = strlen(key);
    if (strncmp(line, key, n) != 0)
        return NULL;
    line += n;
    while (*line == ' ' || *line == '\t')
        line++;
    if (*line != ':')
        return NULL;
    line++;
    while (*line == ' ' || *line == '\t')
        line++;
    return line;
}

/* The value of the next line from *POS on that has KEY; NULL at the end. */
static const char *next_value(const char **pos, const char *key)
{
    while (*pos && **pos) {
        const char *line = *pos, *nl = strchr(line, '\n');
        *pos = nl ? nl + 1 : NULL;
        const char *v = value_of(line, key);
        if (v)
            return v;
    }
    return NULL;
}

int pbtxt_floats(const char *text, const char *key, float *out, int max)
{
    int n = 0;
    const char *pos = text, *v;
    while ((v = next_value(&pos, key))) {
        char *end;
        const float f = strtof(v, &end);
        if (end == v)
            return -1;
        if (n < max)
            out[n] = f;
        n++;
    }
    return n;
}

int pbtxt_strings(const char *text, const char *key, char *out, size_t size, int max)
{
    int n = 0;
    const char *pos = text, *v;
    while ((v = next_value(&pos, key))) {
        if (n < max && *v == '"') {
            const char *end = strchr(v + 1, '"');
            size_t len = end ? (size_t)(end - v - 1) : strcspn(v + 1, "\n");
            if (len >= size)
                len = size - 1;
            memcpy(out + (size_t)n * size, v + 1, len);
            out[(size_t)n * size + len] = '\0';
        }
        n++;
    }
    return n;
}

int pbtxt_landmarks(const char *text, float (*out)[3], int max)
{
    float *c = calloc((size_t)max * 3 + 3, sizeof *c);
    if (!c)
        return -1;
    const int nx = pbtxt_floats(text, "x", c, max);
    const int ny = pbtxt_floats(text, "y", c + max, max);
    const int nz = pbtxt_floats(text, "z", c + 2 * max, max);
    int n = -1;
    if (nx >= 0 && nx == ny && (nz == nx || nz == 0) && nx <= max) {
        n = nx;
        for (int i = 0; i < n; i++) {
            out[i][0] = c[i];
            out[i][1] = c[max + i];
            out[i][2] = nz ? c[2 * max + i] : 0.0f;
        }
    }
    free(c);
    return n;
}
