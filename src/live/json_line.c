/* JSON lines of the live channels (see json_line.h). */
#include "live/json_line.h"

#include <stdlib.h>
#include <sys/time.h>

int ft_live_line_begin(ft_live_line *l, const char *type, int source)
{
    l->text = NULL;
    l->size = 0;
    l->file = open_memstream(&l->text, &l->size);
    if (!l->file)
        return -1;
    ft_json_init(&l->json, l->file, 0);
    l->json.final_newline = 0;
    struct timeval tv;
    gettimeofday(&tv, NULL);
    ft_json_object_begin(&l->json);
    ft_json_kv_string(&l->json, "type", type);
    ft_json_kv_int(&l->json, "source", source);
    ft_json_key(&l->json, "wall_time");
    ft_json_double_places(&l->json, (double)tv.tv_sec + (double)tv.tv_usec * 1e-6, 6);
    return 0;
}

char *ft_live_line_end(ft_live_line *l)
{
    ft_json_object_end(&l->json);
    const ft_status st = ft_json_finish(&l->json);
    fclose(l->file);
    if (st != FT_OK) {
        free(l->text);
        return NULL;
    }
    return l->text;
}

void ft_live_write_faces(ft_json *j, const ft_face *faces, int count, int landmarks)
{
    ft_json_key(j, "faces");
    ft_json_array_begin(j);
    for (int i = 0; i < count; i++) {
        const ft_face *f = &faces[i];
        ft_json_object_begin(j);
        ft_json_kv_int(j, "id", f->id);
        ft_json_key(j, "box");
        ft_json_array_begin(j);
        for (int k = 0; k < 4; k++)
            ft_json_double_places(j, f->box[k], 2);
        ft_json_array_end(j);
        ft_json_key(j, "center");
        ft_json_array_begin(j);
        ft_json_double_places(j, f->box[0] + f->box[2] / 2, 2);
        ft_json_double_places(j, f->box[1] + f->box[3] / 2, 2);
        ft_json_array_end(j);
        ft_json_key(j, "confidence");
        ft_json_double_places(j, f->detection_score, 4);
        ft_json_key(j, "presence");
        ft_json_double_places(j, f->presence, 4);
        ft_json_kv_bool(j, "detected", f->detected);
        ft_json_kv_int(j, "landmark_count", f->landmark_count);
        ft_json_key(j, "blendshapes");
        if (f->has_blendshapes) {
            ft_json_object_begin(j);
            for (int k = 0; k < FT_FACE_BLENDSHAPE_COUNT; k++) {
                ft_json_key(j, ft_face_blendshape_name(k));
                ft_json_double_places(j, f->blendshapes[k], 4);
            }
            ft_json_object_end(j);
        } else {
            ft_json_null(j);
        }
        ft_json_key(j, "pose");
        if (f->has_matrix) {
            ft_json_object_begin(j);
            ft_json_key(j, "yaw");
            ft_json_double_places(j, f->yaw, 2);
            ft_json_key(j, "pitch");
            ft_json_double_places(j, f->pitch, 2);
            ft_json_key(j, "roll");
            ft_json_double_places(j, f->roll, 2);
            ft_json_object_end(j);
        } else {
            ft_json_null(j);
        }
        if (landmarks) {
            ft_json_key(j, "landmarks");
            ft_json_array_begin(j);
            for (int k = 0; k < f->landmark_count; k++) {
                ft_json_array_begin(j);
                ft_json_double_places(j, f->landmarks[k][0], 2);
                ft_json_double_places(j, f->landmarks[k][1], 2);
                ft_json_array_end(j);
            }
            ft_json_array_end(j);
        }
        ft_json_object_end(j);
    }
    ft_json_array_end(j);
}
