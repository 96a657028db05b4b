/* Readers of eos's model files (see eos_model.h). The binary files are
 * cereal's BinaryOutputArchive of eos's classes on a little-endian machine:
 * sizes of containers as uint64, Eigen matrices as int32 rows, int32 cols
 * and the column-major floats, strings as uint64 length and bytes, and a
 * uint32 class version before the first MorphableModel. */
#include "face/eos_model.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "base/file_read.h"
#include "base/format_error.h"

#define MAX_MODEL_BYTES (512u << 20)
#define MAX_TEXT_BYTES (1u << 20)
#define MAX_JSON_BYTES (64u << 20)
#define MAX_EXPRESSIONS 64
#define MAX_NAME_BYTES 4096

/* ------------------------------------------------------- binary archives */

typedef struct cursor {
    const unsigned char *p;
    size_t size, at;
    const char *path;
    char *err;
    size_t err_size;
} cursor;

static int take(cursor *c, void *dst, size_t bytes, const char *what)
{
    if (bytes > c->size - c->at) {
        ft_format_error(c->err, c->err_size, FT_ERR_FORMAT,
                        "%s: truncated in %s (%zu bytes needed at offset %zu, the file has %zu)",
                        c->path, what, bytes, c->at, c->size);
        return 0;
    }
    if (dst)
        memcpy(dst, c->p + c->at, bytes);
    c->at += bytes;
    return 1;
}

static int take_u64(cursor *c, uint64_t *v, const char *what)
{
    unsigned char b[8];
    if (!take(c, b, 8, what))
        return 0;
    *v = 0;
    for (int i = 7; i >= 0; i--)
        *v = (*v << 8) | b[i];
    return 1;
}

static int take_i32(cursor *c, int32_t *v, const char *what)
{
    unsigned char b[4];
    if (!take(c, b, 4, what))
        return 0;
    *v = (int32_t)((uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
                   (uint32_t)b[3] << 24);
    return 1;
}

static int bad(cursor *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* "PATH: REASON (offset N)"; returns 0. */
static int bad(cursor *c, const char *fmt, ...)
{
    char reason[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof reason, fmt, ap);
    va_end(ap);
    ft_format_error(c->err, c->err_size, FT_ERR_FORMAT, "%s: %s (offset %zu)", c->path, reason,
                    c->at);
    return 0;
}

/* An Eigen float matrix header; the data follows (rows * cols floats). */
static int matrix_header(cursor *c, const char *what, int32_t *rows, int32_t *cols)
{
    if (!take_i32(c, rows, what) || !take_i32(c, cols, what))
        return 0;
    if (*rows < 0 || *cols < 0)
        return bad(c, "%s has a negative size %dx%d", what, (int)*rows, (int)*cols);
    if ((uint64_t)*rows * (uint64_t)*cols * 4u > c->size - c->at)
        return take(c, NULL, (size_t)((uint64_t)*rows * (uint64_t)*cols * 4u), what);
    return 1;
}

/* Column-major floats into DST (NULL: skipped), every value finite. */
static int matrix_data(cursor *c, const char *what, float *dst, size_t count)
{
    const size_t start = c->at;
    if (!take(c, dst, count * 4, what))
        return 0;
    for (size_t i = 0; dst && i < count; i++)
        if (!isfinite(dst[i])) {
            c->at = start + 4 * i;
            return bad(c, "%s has a value that is not a finite number", what);
        }
    return 1;
}

static int skip_matrix(cursor *c, const char *what)
{
    int32_t r, k;
    return matrix_header(c, what, &r, &k) && matrix_data(c, what, NULL, (size_t)r * (size_t)k);
}

/* A triangle list: uint64 count, then 3 int32 per triangle. */
static int triangle_list(cursor *c, const char *what, int vertex_count, int (**out)[3],
                         int *count)
{
    uint64_t n;
    if (!take_u64(c, &n, what))
        return 0;
    if (n > (c->size - c->at) / 12)
        return take(c, NULL, (size_t)(n > SIZE_MAX / 12 ? SIZE_MAX : n * 12), what);
    int(*t)[3] = NULL;
    if (out && n > 0 && !(t = malloc((size_t)n * sizeof *t))) {
        ft_format_error(c->err, c->err_size, FT_ERR_NOMEM, "%s: out of memory", c->path);
        return 0;
    }
    for (uint64_t i = 0; i < n; i++)
        for (int k = 0; k < 3; k++) {
            int32_t v = 0;
            if (!take_i32(c, &v, what)) {
                free(t);
                return 0;
            }
            if (out && (v < 0 || v >= vertex_count)) {
                free(t);
                c->at -= 4;
                return bad(c, "%s names vertex %d of a model of %d", what, (int)v, vertex_count);
            }
            if (t)
                t[i][k] = v;
        }
    if (out) {
        *out = t;
        *count = (int)n;
    }
    return 1;
}

/* A PCA model (mean, orthonormal basis, eigenvalues, triangle list). With
 * M NULL it is skipped (the colour model). */
static int pca_model(cursor *c, const char *name, ft_eos_model *m)
{
    char what[64];
    int32_t rows, cols;
    snprintf(what, sizeof what, "the %s model's mean", name);
    if (!matrix_header(c, what, &rows, &cols))
        return 0;
    if (!m)
        return matrix_data(c, what, NULL, (size_t)rows * (size_t)cols) &&
               skip_matrix(c, "the colour model's basis") &&
               skip_matrix(c, "the colour model's eigenvalues") &&
               triangle_list(c, "the colour model's triangles", 0, NULL, NULL);
    if (cols != 1 || rows <= 0 || rows % 3 != 0)
        return bad(c, "%s is %dx%d, not 3N x 1", what, (int)rows, (int)cols);
    m->vertex_count = rows / 3;
    if (!(m->mean = malloc((size_t)rows * sizeof(float)))) {
        ft_format_error(c->err, c->err_size, FT_ERR_NOMEM, "%s: out of memory", c->path);
        return 0;
    }
    if (!matrix_data(c, what, m->mean, (size_t)rows))
        return 0;

    snprintf(what, sizeof what, "the %s model's basis", name);
    int32_t brows, k;
    if (!matrix_header(c, what, &brows, &k))
        return 0;
    if (brows != rows || k < 1 || k > FT_FACE_MAX_SHAPE_COEFFS)
        return bad(c, "%s is %dx%d, not the mean's rows by 1..%d components", what, (int)brows,
                   (int)k, FT_FACE_MAX_SHAPE_COEFFS);
    float *ortho = malloc((size_t)rows * (size_t)k * sizeof(float));
    m->basis = malloc((size_t)rows * (size_t)k * sizeof(float));
    m->basis_columns = malloc((size_t)rows * (size_t)k * sizeof(float));
    m->eigenvalues = malloc((size_t)k * sizeof(float));
    if (!ortho || !m->basis || !m->basis_columns || !m->eigenvalues) {
        free(ortho);
        ft_format_error(c->err, c->err_size, FT_ERR_NOMEM, "%s: out of memory", c->path);
        return 0;
    }
    if (!matrix_data(c, what, ortho, (size_t)rows * (size_t)k)) {
        free(ortho);
        return 0;
    }
    m->shape_count = k;
    snprintf(what, sizeof what, "the %s model's eigenvalues", name);
    int32_t erows, ecols;
    int ok = matrix_header(c, what, &erows, &ecols);
    if (ok && (erows != k || ecols != 1))
        ok = bad(c, "%s are %dx%d, not one per component", what, (int)erows, (int)ecols);
    ok = ok && matrix_data(c, what, m->eigenvalues, (size_t)k);
    for (int i = 0; ok && i < k; i++)
        if (m->eigenvalues[i] < 0)
            ok = bad(c, "%s: component %d has a negative eigenvalue", what, i);
    if (ok) /* eos fits with the basis rescaled by the standard deviations */
        for (int r = 0; r < rows; r++)
            for (int j = 0; j < k; j++) {
                const float v = ortho[(size_t)j * (size_t)rows + (size_t)r] * sqrtf(m->eigenvalues[j]);
                m->basis[(size_t)r * (size_t)k + (size_t)j] = v;
                m->basis_columns[(size_t)j * (size_t)rows + (size_t)r] = v;
            }
    free(ortho);
    snprintf(what, sizeof what, "the %s model's triangles", name);
    if (ok)
        ok = triangle_list(c, what, m->vertex_count, &m->triangles, &m->triangle_count);
    if (ok && m->triangle_count == 0)
        ok = bad(c, "%s are empty", what);
    return ok;
}

static ft_status parse_shape_model(const char *path, const char *data, size_t size, void *out,
                                   char *err, size_t err_size)
{
    ft_eos_model *m = out;
    cursor c = {(const unsigned char *)data, size, 0, path, err, err_size};
    uint32_t version;
    int32_t v;
    if (!take_i32(&c, &v, "the model version"))
        return FT_ERR_FORMAT;
    version = (uint32_t)v;
    if (version < 1 || version > 4)
        return ft_format_error(err, err_size, FT_ERR_FORMAT,
                               "%s: not an eos morphable model (class version %u, not 1..4)",
                               path, version);
    if (!pca_model(&c, "shape", m) || !pca_model(&c, "colour", NULL))
        return FT_ERR_FORMAT;
    /* Version 1 (the SFM files eos ships) ends with the texture
     * coordinates: reading them checks the file is whole. Later versions
     * hold an expression model and landmark definitions next, which the
     * fitting takes from the blendshapes file and the mapper instead. */
    if (version == 1) {
        uint64_t n;
        if (!take_u64(&c, &n, "the texture coordinates"))
            return FT_ERR_FORMAT;
        const size_t bytes = n > (c.size - c.at) / 16 ? SIZE_MAX : (size_t)n * 16;
        if (!take(&c, NULL, bytes, "the texture coordinates"))
            return FT_ERR_FORMAT;
        if (c.at != c.size)
            return ft_format_error(err, err_size, FT_ERR_FORMAT,
                                   "%s: %zu unexpected bytes after the model", path,
                                   c.size - c.at);
    }
    return FT_OK;
}

static ft_status parse_blendshapes(const char *path, const char *data, size_t size, void *out,
                                   char *err, size_t err_size)
{
    ft_eos_model *m = out;
    cursor c = {(const unsigned char *)data, size, 0, path, err, err_size};
    uint64_t n;
    if (!take_u64(&c, &n, "the blendshape count"))
        return FT_ERR_FORMAT;
    if (n < 1 || n > MAX_EXPRESSIONS || n > FT_FACE_MAX_EXPRESSION_COEFFS)
        return ft_format_error(err, err_size, FT_ERR_FORMAT,
                               "%s: not eos blendshapes (%llu of them, not 1..%d)", path,
                               (unsigned long long)n, FT_FACE_MAX_EXPRESSION_COEFFS);
    const size_t rows = (size_t)m->vertex_count * 3;
    m->expressions = malloc(rows * (size_t)n * sizeof(float));
    m->expression_names = calloc((size_t)n, sizeof *m->expression_names);
    float *column = malloc(rows * sizeof(float));
    if (!m->expressions || !m->expression_names || !column) {
        free(column);
        return ft_format_error(err, err_size, FT_ERR_NOMEM, "%s: out of memory", path);
    }
    m->expression_count = (int)n;
    for (uint64_t e = 0; e < n; e++) {
        uint64_t len;
        if (!take_u64(&c, &len, "a blendshape's name"))
            goto fail;
        if (len > MAX_NAME_BYTES) {
            bad(&c, "a blendshape's name is %llu bytes long (at most %d)",
                (unsigned long long)len, MAX_NAME_BYTES);
            goto fail;
        }
        char name[MAX_NAME_BYTES + 1];
        if (!take(&c, name, (size_t)len, "a blendshape's name"))
            goto fail;
        name[len] = '\0';
        /* printable, since messages quote it */
        for (uint64_t i = 0; i < len; i++)
            if (!isprint((unsigned char)name[i]))
                name[i] = '?';
        snprintf(m->expression_names[e], sizeof m->expression_names[e], "%.31s", name);
        char what[96];
        snprintf(what, sizeof what, "blendshape '%.40s'", m->expression_names[e]);
        int32_t r, k;
        if (!matrix_header(&c, what, &r, &k))
            goto fail;
        if ((size_t)r != rows || k != 1) {
            bad(&c, "%s is %dx%d, not the shape model's 3N x 1", what, (int)r, (int)k);
            goto fail;
        }
        if (!matrix_data(&c, what, column, rows))
            goto fail;
        for (size_t i = 0; i < rows; i++)
            m->expressions[i * (size_t)n + (size_t)e] = column[i];
    }
    free(column);
    if (c.at != c.size)
        return ft_format_error(err, err_size, FT_ERR_FORMAT,
                               "%s: %zu unexpected bytes after the blendshapes", path,
                               c.size - c.at);
    return FT_OK;
fail:
    free(column);
    return FT_ERR_FORMAT;
}

ft_status ft_eos_model_load(const char *shape_path, const char *expression_path,
                            ft_eos_model *out, char *err, size_t err_size)
{
    memset(out, 0, sizeof *out);
    ft_status st = ft_parse_file(shape_path, MAX_MODEL_BYTES, "an eos shape model",
                                 parse_shape_model, out, err, err_size);
    if (st == FT_OK)
        st = ft_parse_file(expression_path, MAX_MODEL_BYTES, "eos blendshapes",
                           parse_blendshapes, out, err, err_size);
    if (st != FT_OK)
        ft_eos_model_free(out);
    return st;
}

void ft_eos_model_free(ft_eos_model *m)
{
    if (!m)
        return;
    free(m->mean);
    free(m->basis);
    free(m->basis_columns);
    free(m->eigenvalues);
    free(m->triangles);
    free(m->expressions);
    free(m->expression_names);
    memset(m, 0, sizeof *m);
}

/* -------------------------------------------------------- the TOML mapper */

/* An integer, bare or quoted ("12"), at *S; moves *S past it. */
static int toml_int(const char **s, long *v)
{
    const char *p = *s;
    while (*p == ' ' || *p == '\t')
        p++;
    const int quoted = *p == '"' || *p == '\'';
    const char quote = *p;
    if (quoted)
        p++;
    if (!isdigit((unsigned char)*p))
        return 0;
    char *end;
    *v = strtol(p, &end, 10);
    if (end - p > 9)
        return 0;
    p = end;
    if (quoted) {
        if (*p != quote)
            return 0;
        p++;
    }
    while (*p == ' ' || *p == '\t')
        p++;
    *s = p;
    return 1;
}

static ft_status mapper_error(const char *path, int line, const char *what, char *err,
                              size_t err_size)
{
    return ft_format_error(err, err_size, FT_ERR_FORMAT, "%s: line %d: %s", path, line, what);
}

/* A contour array's values (after '['), possibly over several lines. */
static ft_status contour_values(const char *path, int line, const char *text, int *out, int *count,
                                char *err, size_t err_size)
{
    const char *p = text;
    *count = 0;
    for (;;) {
        while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' || *p == ',')
            p++;
        if (*p == ']')
            return FT_OK;
        long v;
        if (!toml_int(&p, &v))
            return mapper_error(path, line, "a contour landmark is not a number", err,
                                err_size);
        if (v < 1 || v > FT_EOS_IBUG_POINTS)
            return mapper_error(path, line, "a contour landmark is not an iBUG point (1..68)",
                                err, err_size);
        if (*count == FT_EOS_MAX_CONTOUR)
            return mapper_error(path, line, "too many contour landmarks", err, err_size);
        out[(*count)++] = (int)v;
    }
}

typedef struct mapper_job {
    ft_eos_mapper *m;
    int vertex_count;
} mapper_job;

static ft_status parse_mapper(const char *path, const char *data, size_t size, void *out,
                              char *err, size_t err_size)
{
    (void)size;
    mapper_job *job = out;
    ft_eos_mapper *m = job->m;
    for (int i = 0; i <= FT_EOS_IBUG_POINTS; i++)
        m->vertex_of[i] = -1;
    enum { OTHER, MAPPINGS, CONTOURS } section = OTHER;
    int mappings = 0, have_right = 0, have_left = 0, seen_contours = 0;
    /* Comments dropped, line by line; arrays gather lines up to ']'. */
    char *text = malloc(size + 1);
    if (!text)
        return ft_format_error(err, err_size, FT_ERR_NOMEM, "%s: out of memory", path);
    size_t n = 0;
    int in_comment = 0;
    for (size_t i = 0; i < size; i++) {
        if (data[i] == '\n')
            in_comment = 0;
        else if (data[i] == '#')
            in_comment = 1;
        if (!in_comment)
            text[n++] = data[i];
    }
    text[n] = '\0';
    ft_status st = FT_OK;
    int line = 0;
    for (const char *p = text; *p && st == FT_OK;) {
        const char *eol = strchr(p, '\n');
        line++;
        const char *s = p;
        while (*s == ' ' || *s == '\t' || *s == '\r')
            s++;
        const char *end = eol ? eol : s + strlen(s);
        while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
            end--;
        const char *next = eol ? eol + 1 : end;
        if (s == end) {
            p = next;
            continue;
        }
        if (*s == '[') {
            const size_t len = (size_t)(end - s);
            if (len == 19 && strncmp(s, "[landmark_mappings]", len) == 0)
                section = MAPPINGS;
            else if (len == 19 && strncmp(s, "[contour_landmarks]", len) == 0)
                section = seen_contours = CONTOURS;
            else
                section = OTHER;
            p = next;
            continue;
        }
        if (section == MAPPINGS) {
            const char *q = s;
            long key, vertex;
            if (!toml_int(&q, &key) || *q != '=')
                st = mapper_error(path, line, "not 'ibug_point = vertex'", err, err_size);
            else if (q++, !toml_int(&q, &vertex) || q < end)
                st = mapper_error(path, line, "the vertex is not a number", err, err_size);
            else if (key < 1 || key > FT_EOS_IBUG_POINTS)
                st = mapper_error(path, line, "the landmark is not an iBUG point (1..68)", err,
                                  err_size);
            else if (job->vertex_count > 0 && vertex >= job->vertex_count)
                st = mapper_error(path, line, "the vertex is not in the shape model", err,
                                  err_size);
            else if (m->vertex_of[key] >= 0)
                st = mapper_error(path, line, "the landmark is mapped twice", err, err_size);
            else {
                m->vertex_of[key] = (int)vertex;
                mappings++;
            }
        } else if (section == CONTOURS) {
            const int right = strncmp(s, "right", 5) == 0, left = strncmp(s, "left", 4) == 0;
            const char *q = s + (right ? 5 : left ? 4 : 0);
            while (*q == ' ' || *q == '\t')
                q++;
            if ((!right && !left) || *q != '=') {
                st = mapper_error(path, line, "not 'right = [...]' or 'left = [...]'", err,
                                  err_size);
                break;
            }
            q++;
            while (*q == ' ' || *q == '\t')
                q++;
            const char *close = strchr(q, ']');
            if (*q != '[' || !close) {
                st = mapper_error(path, line, "the contour is not an array [...]", err,
                                  err_size);
                break;
            }
            st = contour_values(path, line, q + 1, right ? m->right : m->left,
                                right ? &m->right_count : &m->left_count, err, err_size);
            have_right |= right;
            have_left |= left;
            for (const char *c = q; c < close; c++)
                line += *c == '\n';
            eol = strchr(close, '\n');
            next = eol ? eol + 1 : close + 1;
        }
        p = next;
    }
    free(text);
    if (st != FT_OK)
        return st;
    if (mappings < 4)
        return ft_format_error(err, err_size, FT_ERR_FORMAT,
                               "%s: no [landmark_mappings] of at least 4 points", path);
    if (!seen_contours || !have_right || !have_left)
        return ft_format_error(err, err_size, FT_ERR_FORMAT,
                               "%s: no [contour_landmarks] with 'right' and 'left'", path);
    return FT_OK;
}

ft_status ft_eos_mapper_load(const char *path, int vertex_count, ft_eos_mapper *out, char *err,
                             size_t err_size)
{
    memset(out, 0, sizeof *out);
    mapper_job job = {out, vertex_count};
    return ft_parse_file(path, MAX_TEXT_BYTES, "a landmark mapper", parse_mapper, &job, err,
                         err_size);
}

/* ------------------------------------------------------------ cereal JSON */

static ft_status parse_json(const char *path, const char *data, size_t size, json_object **root,
                            char *err, size_t err_size)
{
    *root = NULL;
    if (size >= (size_t)INT32_MAX || memchr(data, '\0', size))
        return ft_format_error(err, err_size, FT_ERR_FORMAT, "%s: invalid JSON: a NUL byte",
                               path);
    json_tokener *tok = json_tokener_new();
    if (!tok)
        return ft_format_error(err, err_size, FT_ERR_NOMEM, "%s: out of memory", path);
    json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
    json_object *obj = json_tokener_parse_ex(tok, data, (int)size + 1);
    const enum json_tokener_error jerr = json_tokener_get_error(tok);
    json_tokener_free(tok);
    if (jerr != json_tokener_success) {
        json_object_put(obj);
        return ft_format_error(err, err_size, FT_ERR_FORMAT, "%s: invalid JSON: %s", path,
                               jerr == json_tokener_continue ? "unexpected end of file"
                                                             : json_tokener_error_desc(jerr));
    }
    *root = obj;
    return FT_OK;
}

/* ROOT.OUTER.INNER as an array, or NULL. */
static json_object *array_at(json_object *root, const char *outer, const char *inner)
{
    json_object *o, *a;
    if (!json_object_object_get_ex(root, outer, &o) || !json_object_object_get_ex(o, inner, &a) ||
        !json_object_is_type(a, json_type_array))
        return NULL;
    return a;
}

static int json_index(json_object *v, int lo, int hi, int *out)
{
    if (!json_object_is_type(v, json_type_int))
        return 0;
    const int64_t x = json_object_get_int64(v);
    if (x < lo || x >= hi)
        return 0;
    *out = (int)x;
    return 1;
}

typedef struct contour_job {
    ft_eos_contour *c;
    int vertex_count;
} contour_job;

static ft_status parse_contour(const char *path, const char *data, size_t size, void *out,
                               char *err, size_t err_size)
{
    contour_job *job = out;
    json_object *root;
    ft_status st = parse_json(path, data, size, &root, err, err_size);
    if (st != FT_OK)
        return st;
    const char *keys[2] = {"right_contour", "left_contour"};
    int *dst[2] = {job->c->right, job->c->left};
    int *count[2] = {&job->c->right_count, &job->c->left_count};
    const int hi = job->vertex_count > 0 ? job->vertex_count : INT32_MAX;
    for (int side = 0; side < 2 && st == FT_OK; side++) {
        json_object *a = array_at(root, "model_contour", keys[side]);
        const size_t n = a ? json_object_array_length(a) : 0;
        if (!a || n == 0 || n > FT_EOS_MAX_CONTOUR) {
            st = ft_format_error(err, err_size, FT_ERR_FORMAT,
                                 "%s: no model_contour.%s of 1..%d vertices", path, keys[side],
                                 FT_EOS_MAX_CONTOUR);
            break;
        }
        for (size_t i = 0; i < n && st == FT_OK; i++)
            if (!json_index(json_object_array_get_idx(a, i), 0, hi, &dst[side][i]))
                st = ft_format_error(err, err_size, FT_ERR_FORMAT,
                                     "%s: model_contour.%s[%zu] is not a vertex of the model",
                                     path, keys[side], i);
        *count[side] = (int)n;
    }
    json_object_put(root);
    return st;
}

ft_status ft_eos_contour_load(const char *path, int vertex_count, ft_eos_contour *out, char *err,
                              size_t err_size)
{
    memset(out, 0, sizeof *out);
    contour_job job = {out, vertex_count};
    return ft_parse_file(path, MAX_TEXT_BYTES, "a model contour", parse_contour, &job, err,
                         err_size);
}

typedef struct edges_job {
    ft_eos_edges *e;
    int vertex_count, triangle_count;
} edges_job;

/* {"value0": a, "value1": b}, as cereal writes a std::array<int, 2>. */
static int index_pair(json_object *o, int lo, int hi, int out[2])
{
    json_object *a, *b;
    return json_object_is_type(o, json_type_object) && json_object_object_get_ex(o, "value0", &a) &&
           json_object_object_get_ex(o, "value1", &b) && json_index(a, lo, hi, &out[0]) &&
           json_index(b, lo, hi, &out[1]);
}

static ft_status parse_edges(const char *path, const char *data, size_t size, void *out,
                             char *err, size_t err_size)
{
    edges_job *job = out;
    ft_eos_edges *e = job->e;
    json_object *root;
    ft_status st = parse_json(path, data, size, &root, err, err_size);
    if (st != FT_OK)
        return st;
    json_object *faces = array_at(root, "edge_topology", "adjacent_faces");
    json_object *verts = array_at(root, "edge_topology", "adjacent_vertices");
    const size_t n = faces ? json_object_array_length(faces) : 0;
    if (!faces || !verts || n == 0 || json_object_array_length(verts) != n || n > INT32_MAX / 4) {
        json_object_put(root);
        return ft_format_error(err, err_size, FT_ERR_FORMAT,
                               "%s: no edge_topology with as many adjacent_faces as "
                               "adjacent_vertices",
                               path);
    }
    e->faces = malloc(n * sizeof *e->faces);
    e->vertices = malloc(n * sizeof *e->vertices);
    if (!e->faces || !e->vertices) {
        json_object_put(root);
        return ft_format_error(err, err_size, FT_ERR_NOMEM, "%s: out of memory", path);
    }
    /* 1-based: face 0 marks a border edge; vertices start at 1 */
    const int fhi = job->triangle_count > 0 ? job->triangle_count + 1 : INT32_MAX;
    const int vhi = job->vertex_count > 0 ? job->vertex_count + 1 : INT32_MAX;
    for (size_t i = 0; i < n && st == FT_OK; i++) {
        if (!index_pair(json_object_array_get_idx(faces, i), 0, fhi, e->faces[i]))
            st = ft_format_error(err, err_size, FT_ERR_FORMAT,
                                 "%s: edge_topology.adjacent_faces[%zu] is not two face numbers "
                                 "of the model",
                                 path, i);
        else if (!index_pair(json_object_array_get_idx(verts, i), 1, vhi, e->vertices[i]))
            st = ft_format_error(err, err_size, FT_ERR_FORMAT,
                                 "%s: edge_topology.adjacent_vertices[%zu] is not two vertex "
                                 "numbers of the model",
                                 path, i);
    }
    e->count = (int)n;
    json_object_put(root);
    return st;
}

ft_status ft_eos_edges_load(const char *path, int vertex_count, int triangle_count,
                            ft_eos_edges *out, char *err, size_t err_size)
{
    memset(out, 0, sizeof *out);
    edges_job job = {out, vertex_count, triangle_count};
    ft_status st = ft_parse_file(path, MAX_JSON_BYTES, "an edge topology", parse_edges, &job,
                                 err, err_size);
    if (st != FT_OK)
        ft_eos_edges_free(out);
    return st;
}

void ft_eos_edges_free(ft_eos_edges *e)
{
    if (!e)
        return;
    free(e->faces);
    free(e->vertices);
    memset(e, 0, sizeof *e);
}

/* ------------------------------------------------------- bytes in memory */

ft_status ft_eos_shape_model_read(const char *name, const char *data, size_t size,
                                  ft_eos_model *out, char *err, size_t err_size)
{
    memset(out, 0, sizeof *out);
    ft_status st = parse_shape_model(name, data, size, out, err, err_size);
    if (st != FT_OK)
        ft_eos_model_free(out);
    return st;
}

ft_status ft_eos_blendshapes_read(const char *name, const char *data, size_t size,
                                  ft_eos_model *out, char *err, size_t err_size)
{
    free(out->expressions);
    free(out->expression_names);
    out->expressions = NULL;
    out->expression_names = NULL;
    out->expression_count = 0;
    ft_status st = parse_blendshapes(name, data, size, out, err, err_size);
    if (st != FT_OK) {
        free(out->expressions);
        free(out->expression_names);
        out->expressions = NULL;
        out->expression_names = NULL;
        out->expression_count = 0;
    }
    return st;
}

ft_status ft_eos_mapper_read(const char *name, const char *data, size_t size, int vertex_count,
                             ft_eos_mapper *out, char *err, size_t err_size)
{
    memset(out, 0, sizeof *out);
    mapper_job job = {out, vertex_count};
    return parse_mapper(name, data, size, &job, err, err_size);
}

ft_status ft_eos_contour_read(const char *name, const char *data, size_t size, int vertex_count,
                              ft_eos_contour *out, char *err, size_t err_size)
{
    memset(out, 0, sizeof *out);
    contour_job job = {out, vertex_count};
    return parse_contour(name, data, size, &job, err, err_size);
}

ft_status ft_eos_edges_read(const char *name, const char *data, size_t size, int vertex_count,
                            int triangle_count, ft_eos_edges *out, char *err, size_t err_size)
{
    memset(out, 0, sizeof *out);
    edges_job job = {out, vertex_count, triangle_count};
    ft_status st = parse_edges(name, data, size, &job, err, err_size);
    if (st != FT_OK)
        ft_eos_edges_free(out);
    return st;
}
