/* Storage of one frame range's faces (see chunk_result.h). */
#include "track/chunk_result.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void ft_chunk_result_init(ft_chunk_result *r, int64_t first)
{
    memset(r, 0, sizeof *r);
    r->first = first;
}

static int grow(void **p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return 1;
    size_t n = *cap ? *cap * 2 : 64;
    while (n < need)
        n *= 2;
    void *q = realloc(*p, n * elem);
    if (!q)
        return 0;
    *p = q;
    *cap = n;
    return 1;
}

/* The original's centroid: the mean of the mesh for MediaPipe's faces, the
 * box centre for every other engine's. */
static void centroid(const ft_face *f, float *cx, float *cy)
{
    if (f->landmark_count < FT_LANDMARKS_468) {
        *cx = f->box[0] + f->box[2] / 2.0f;
        *cy = f->box[1] + f->box[3] / 2.0f;
        return;
    }
    double sx = 0, sy = 0;
    for (int i = 0; i < f->landmark_count; i++) {
        sx += f->landmarks[i][0];
        sy += f->landmarks[i][1];
    }
    *cx = (float)(sx / f->landmark_count);
    *cy = (float)(sy / f->landmark_count);
}

static void summarise(const ft_face *f, ft_tracked_face *t)
{
    float cx, cy;
    centroid(f, &cx, &cy);
    *t = (ft_tracked_face){
        .local_id = f->id,
        .x0 = f->box[0], .y0 = f->box[1],
        .x1 = f->box[0] + f->box[2], .y1 = f->box[1] + f->box[3],
        .cx = cx, .cy = cy,
        .confidence = f->presence,
        .detection_score = f->detection_score,
        .has_pose = f->has_matrix,
        .yaw = f->yaw, .pitch = f->pitch, .roll = f->roll,
        .has_blendshapes = f->has_blendshapes,
        .landmark_count = f->landmark_count,
    };
    if (f->has_blendshapes)
        memcpy(t->blendshapes, f->blendshapes, sizeof t->blendshapes);
}

ft_status ft_chunk_result_add_frame(ft_chunk_result *r, const ft_face *faces, int n,
                                    int keep_landmarks)
{
    if (!grow((void **)&r->offsets, &r->offset_cap, (size_t)r->frame_count + 2, sizeof *r->offsets) ||
        !grow((void **)&r->faces, &r->face_cap, r->face_count + (size_t)n, sizeof *r->faces))
        return FT_ERR_NOMEM;
    if (r->frame_count == 0)
        r->offsets[0] = 0;
    for (int i = 0; i < n; i++) {
        ft_tracked_face *t = &r->faces[r->face_count];
        summarise(&faces[i], t);
        if (keep_landmarks && faces[i].landmark_count > 0) {
            const size_t bytes = (size_t)faces[i].landmark_count * sizeof faces[i].landmarks[0];
            t->landmarks = malloc(bytes);
            if (!t->landmarks)
                return FT_ERR_NOMEM;
            memcpy(t->landmarks, faces[i].landmarks, bytes);
        }
        const int ns = faces[i].shape_coeff_count, ne = faces[i].expression_coeff_count;
        if (keep_landmarks && ns > 0) {
            if (!(t->coeffs = malloc((size_t)(ns + ne) * sizeof(float))))
                return FT_ERR_NOMEM;
            memcpy(t->coeffs, faces[i].shape_coeffs, (size_t)ns * sizeof(float));
            memcpy(t->coeffs + ns, faces[i].expression_coeffs, (size_t)ne * sizeof(float));
            t->shape_count = ns;
            t->expression_count = ne;
        }
        r->face_count++;
    }
    r->frame_count++;
    r->offsets[r->frame_count] = r->face_count;
    return FT_OK;
}

ft_status ft_chunk_result_add_objects(ft_chunk_result *r, const ft_object *objects, int n,
                                      const int *local_ids)
{
    if (r->frame_count == 0 || n < 0)
        return FT_ERR_INVALID_ARG;
    if (!grow((void **)&r->faces, &r->face_cap, r->face_count + (size_t)n, sizeof *r->faces))
        return FT_ERR_NOMEM;
    for (int i = 0; i < n; i++) {
        const ft_object *o = &objects[i];
        const long x = lround(o->box[0]), y = lround(o->box[1]);
        const long w = lround(o->box[2]), h = lround(o->box[3]);
        r->faces[r->face_count++] = (ft_tracked_face){
            .local_id = local_ids[i],
            .x0 = (float)x, .y0 = (float)y, .x1 = (float)(x + w), .y1 = (float)(y + h),
            .cx = (float)(x + w / 2), .cy = (float)(y + h / 2),
            .confidence = o->score,
            .detection_score = o->score,
            .is_object = 1,
            .class_id = o->class_id,
        };
    }
    r->offsets[r->frame_count] = r->face_count;
    return FT_OK;
}

size_t ft_chunk_result_frame(const ft_chunk_result *r, int64_t index, const ft_tracked_face **faces)
{
    *faces = NULL;
    const int64_t i = index - r->first;
    if (i < 0 || i >= r->frame_count)
        return 0;
    *faces = r->faces + r->offsets[i];
    return r->offsets[i + 1] - r->offsets[i];
}

void ft_chunk_result_free(ft_chunk_result *r)
{
    for (size_t i = 0; i < r->face_count; i++) {
        free(r->faces[i].landmarks);
        free(r->faces[i].coeffs);
    }
    free(r->faces);
    free(r->offsets);
    memset(r, 0, sizeof *r);
}
