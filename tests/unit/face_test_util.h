/* Helpers shared by the face engine tests: where the shared test data lives
 * and decoding a still image (PNG/JPEG, through ft_video) to packed RGB. */
#ifndef FT_FACE_TEST_UTIL_H
#define FT_FACE_TEST_UTIL_H

#include <stdint.h>

#include "face/face_types.h"

/* FT_SHARED_DIR, or ../shared. */
const char *ft_test_shared_dir(void);

/* "SHARED/REL" into a static buffer (one at a time). */
const char *ft_test_shared_path(const char *rel);

/* "FT_NPM_MODELS_DIR/NAME" (the models scripts/models.sh installs) into a
 * static buffer (one at a time). */
const char *ft_test_npm_model(const char *name);

/* 1 when the file exists; otherwise prints "SKIP: ..." once and returns 0. */
int ft_test_have(const char *path);

/* Decodes the first frame of PATH as RGB24 into a malloc'd tight buffer
 * (stride = 3 * width); the caller frees img->data. 0 on success. */
int ft_test_load_rgb(const char *path, ft_face_image *img);

/* Frees what ft_test_load_rgb allocated. */
void ft_test_free_image(ft_face_image *img);

#endif
