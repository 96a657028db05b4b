#include "cli/face_json.h"

/* Floats carry about 7 significant digits; more would be noise. */
static void number(ft_json *w, double v)
{
    ft_json_double_digits(w, v, 7);
}

static void kv_number(ft_json *w, const char *key, double v)
{
    ft_json_key(w, key);
    number(w, v);
}

static void points(ft_json *w, const char *key, const float (*p)[3], int n)
{
    ft_json_key(w, key);
    ft_json_array_begin(w);
    for (int i = 0; i < n; i++) {
        ft_json_array_begin(w);
        for (int a = 0; a < 3; a++)
            number(w, p[i][a]);
        ft_json_array_end(w);
    }
    ft_json_array_end(w);
}

void ft_write_face_json(ft_json *w, const ft_face *f, int landmarks)
{
    ft_json_object_begin(w);
    ft_json_kv_int(w, "id", f->id);
    kv_number(w, "detection_score", f->detection_score);
    kv_number(w, "presence", f->presence);
    ft_json_key(w, "box");
    ft_json_array_begin(w);
    for (int i = 0; i < 4; i++)
        number(w, f->box[i]);
    ft_json_array_end(w);
    if (f->has_matrix) {
        kv_number(w, "yaw", f->yaw);
        kv_number(w, "pitch", f->pitch);
        kv_number(w, "roll", f->roll);
        ft_json_key(w, "transformation_matrix");
        ft_json_array_begin(w);
        for (int i = 0; i < 16; i++)
            number(w, f->matrix[i]);
        ft_json_array_end(w);
    }
    if (f->has_blendshapes) {
        ft_json_key(w, "blendshapes");
        ft_json_object_begin(w);
        for (int i = 0; i < FT_FACE_BLENDSHAPE_COUNT; i++)
            kv_number(w, ft_face_blendshape_name(i), f->blendshapes[i]);
        ft_json_object_end(w);
    }
    if (f->shape_coeff_count > 0) {
        ft_json_key(w, "eos");
        ft_json_object_begin(w);
        ft_json_key(w, "shape_coeffs");
        ft_json_array_begin(w);
        for (int i = 0; i < f->shape_coeff_count; i++)
            number(w, f->shape_coeffs[i]);
        ft_json_array_end(w);
        ft_json_key(w, "expression_coeffs");
        ft_json_array_begin(w);
        for (int i = 0; i < f->expression_coeff_count; i++)
            number(w, f->expression_coeffs[i]);
        ft_json_array_end(w);
        kv_number(w, "fit_error_px", f->fit_error);
        ft_json_object_end(w);
    }
    if (landmarks) {
        points(w, "landmarks", (const float(*)[3])f->landmarks, f->landmark_count);
        points(w, "landmarks_normalized", (const float(*)[3])f->landmarks_norm, f->landmark_count);
        if (ft_landmark_name(f->landmark_scheme, 0)) {
            ft_json_key(w, "landmark_names");
            ft_json_array_begin(w);
            for (int i = 0; i < f->landmark_count; i++)
                ft_json_string(w, ft_landmark_name(f->landmark_scheme, i));
            ft_json_array_end(w);
        }
    }
    ft_json_object_end(w);
}
