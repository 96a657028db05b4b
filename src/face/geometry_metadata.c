/* The metadata's three messages, walked with the wire reader; unknown
 * fields are skipped, repeated fields and repeated sub-messages merge as
 * protobuf says (values append; a second canonical_mesh adds to the first). */
#include "face/geometry_metadata.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "face/pb_wire.h"

/* A growing array of 4-byte values (float or uint32). */
typedef struct grow {
    unsigned char *data;
    int count, cap;
} grow;

static int grow_push(grow *g, ft_pb *r, const void *v)
{
    if (g->count == g->cap) {
        /* The file bounds the count (each value takes >= 1 byte), but
         * keep an explicit ceiling too. */
        if (g->cap >= (1 << 24))
            return ft_pb_fail(r, "too many values");
        const int cap = g->cap ? 2 * g->cap : 64;
        unsigned char *p = realloc(g->data, (size_t)cap * 4);
        if (!p)
            return ft_pb_fail(r, "out of memory");
        g->data = p;
        g->cap = cap;
    }
    memcpy(g->data + (size_t)g->count * 4, v, 4);
    g->count++;
    return 0;
}

static int add_float(void *ctx, ft_pb *r, float v)
{
    return grow_push(ctx, r, &v);
}

static int add_u32(void *ctx, ft_pb *r, uint64_t v)
{
    /* A uint32 field keeps the low 32 bits of its varint. */
    const uint32_t u = (uint32_t)v;
    return grow_push(ctx, r, &u);
}

typedef struct parser {
    grow vertices, indices, ids, weights;
    int vertex_type, primitive_type, input_source;
} parser;

static int parse_mesh(parser *ps, ft_pb *r)
{
    uint32_t field;
    int wire, more;
    uint64_t v = 0;
    while ((more = ft_pb_next(r, &field, &wire)) > 0) {
        int rc;
        if (field == 1 || field == 2) {
            rc = ft_pb_varint(r, wire, &v);
            *(field == 1 ? &ps->vertex_type : &ps->primitive_type) = v > 1000 ? 1000 : (int)v;
        } else if (field == 3) {
            rc = ft_pb_repeated_float(r, wire, add_float, &ps->vertices);
        } else if (field == 4) {
            rc = ft_pb_repeated_varint(r, wire, add_u32, &ps->indices);
        } else {
            rc = ft_pb_skip(r, wire);
        }
        if (rc != 0)
            return -1;
    }
    return more;
}

static int parse_basis_ref(parser *ps, ft_pb *r)
{
    uint32_t field, id = 0;
    int wire, more;
    uint64_t v = 0;
    float weight = 0;
    while ((more = ft_pb_next(r, &field, &wire)) > 0) {
        int rc;
        if (field == 1) {
            rc = ft_pb_varint(r, wire, &v);
            id = (uint32_t)v;
        } else if (field == 2) {
            rc = ft_pb_float(r, wire, &weight);
        } else {
            rc = ft_pb_skip(r, wire);
        }
        if (rc != 0)
            return -1;
    }
    if (more < 0 || grow_push(&ps->ids, r, &id) != 0 || grow_push(&ps->weights, r, &weight) != 0)
        return -1;
    return 0;
}

static int parse_top(parser *ps, ft_pb *r)
{
    uint32_t field;
    int wire, more;
    uint64_t v = 0;
    ft_pb sub;
    while ((more = ft_pb_next(r, &field, &wire)) > 0) {
        int rc;
        if (field == 1) {
            rc = ft_pb_sub(r, wire, &sub);
            if (rc == 0 && parse_mesh(ps, &sub) != 0)
                rc = ft_pb_fail(r, sub.error ? sub.error : "malformed message");
        } else if (field == 2) {
            rc = ft_pb_sub(r, wire, &sub);
            if (rc == 0 && parse_basis_ref(ps, &sub) != 0)
                rc = ft_pb_fail(r, sub.error ? sub.error : "malformed message");
        } else if (field == 3) {
            rc = ft_pb_varint(r, wire, &v);
            ps->input_source = v > 1000 ? 1000 : (int)v;
        } else {
            rc = ft_pb_skip(r, wire);
        }
        if (rc != 0)
            return -1;
    }
    return more;
}

void ft_geometry_metadata_free(ft_geometry_metadata *m)
{
    free(m->vertices);
    free(m->indices);
    free(m->basis_ids);
    free(m->basis_weights);
    memset(m, 0, sizeof *m);
}

/* MediaPipe's ValidateGeometryPipelineMetadata, and what the pipeline
 * needs besides (a positive total weight). */
static ft_status validate(const parser *ps, const ft_geometry_metadata *m, char *reason, size_t n)
{
    if (ps->vertex_type != 0 || ps->primitive_type != 0) {
        snprintf(reason, n, "unsupported vertex type %d or primitive type %d (VERTEX_PT, TRIANGLE only)",
                 ps->vertex_type, ps->primitive_type);
        return FT_ERR_UNSUPPORTED;
    }
    const int vertex_floats = ps->vertices.count;
    if (vertex_floats == 0 || vertex_floats % FT_GEOMETRY_VERTEX_SIZE != 0) {
        snprintf(reason, n, "canonical mesh has %d vertex floats, not a positive multiple of 5",
                 vertex_floats);
        return FT_ERR_FORMAT;
    }
    if (m->index_count % 3 != 0) {
        snprintf(reason, n, "canonical mesh has %d indices, not a multiple of 3", m->index_count);
        return FT_ERR_FORMAT;
    }
    for (int i = 0; i < m->index_count; i++)
        if (m->indices[i] >= (uint32_t)m->vertex_count) {
            snprintf(reason, n, "mesh index %u past the %d vertices", m->indices[i], m->vertex_count);
            return FT_ERR_FORMAT;
        }
    if (m->basis_count == 0) {
        snprintf(reason, n, "empty Procrustes landmark basis");
        return FT_ERR_FORMAT;
    }
    double total = 0;
    for (int i = 0; i < m->basis_count; i++) {
        if (m->basis_ids[i] >= (uint32_t)m->vertex_count) {
            snprintf(reason, n, "basis landmark %u past the %d vertices", m->basis_ids[i],
                     m->vertex_count);
            return FT_ERR_FORMAT;
        }
        if (!(m->basis_weights[i] >= 0)) {
            snprintf(reason, n, "basis landmark %u has weight %g (must be >= 0)", m->basis_ids[i],
                     (double)m->basis_weights[i]);
            return FT_ERR_FORMAT;
        }
        total += m->basis_weights[i];
    }
    if (!(total > 1e-9) || total > 1e30) {
        snprintf(reason, n, "basis weights sum to %g", total);
        return FT_ERR_FORMAT;
    }
    for (int i = 0; i < vertex_floats; i++)
        if (m->vertices[i] != m->vertices[i] || m->vertices[i] > 1e6f || m->vertices[i] < -1e6f) {
            snprintf(reason, n, "vertex value %g out of range", (double)m->vertices[i]);
            return FT_ERR_FORMAT;
        }
    if (m->input_source < 0 || m->input_source > 2) {
        snprintf(reason, n, "unknown input source %d", m->input_source);
        return FT_ERR_FORMAT;
    }
    return FT_OK;
}

ft_status ft_geometry_metadata_parse(const void *data, size_t size, ft_geometry_metadata *m,
                                     char *reason, size_t reason_size)
{
    memset(m, 0, sizeof *m);
    parser ps;
    memset(&ps, 0, sizeof ps);
    ft_pb r;
    ft_pb_init(&r, data, size);
    const int bad = parse_top(&ps, &r) != 0;
    /* The arrays move to M as they are (bytes of floats and uint32s). */
    m->vertices = (float *)(void *)ps.vertices.data;
    m->vertex_count = ps.vertices.count / FT_GEOMETRY_VERTEX_SIZE;
    m->indices = (uint32_t *)(void *)ps.indices.data;
    m->index_count = ps.indices.count;
    m->basis_ids = (uint32_t *)(void *)ps.ids.data;
    m->basis_weights = (float *)(void *)ps.weights.data;
    m->basis_count = ps.ids.count;
    m->input_source = ps.input_source;
    ft_status st = FT_OK;
    if (bad) {
        snprintf(reason, reason_size, "%s", r.error ? r.error : "malformed protobuf");
        st = r.error && strcmp(r.error, "out of memory") == 0 ? FT_ERR_NOMEM : FT_ERR_FORMAT;
    } else {
        st = validate(&ps, m, reason, reason_size);
    }
    if (st != FT_OK)
        ft_geometry_metadata_free(m);
    return st;
}
