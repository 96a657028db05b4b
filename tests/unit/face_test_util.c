#include "face_test_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "facetrack.h"

const char *ft_test_shared_dir(void)
{
    const char *dir = getenv("FT_SHARED_DIR");
    return dir && *dir ? dir : "../shared";
}

const char *ft_test_shared_path(const char *rel)
{
    static char path[2048];
    snprintf(path, sizeof path, "%s/%s", ft_test_shared_dir(), rel);
    return path;
}

const char *ft_test_npm_model(const char *name)
{
    static char path[2048];
    const char *dir = getenv("FT_NPM_MODELS_DIR");
    snprintf(path, sizeof path, "%s/%s", dir && *dir ? dir : "build/models", name);
    return path;
}

int ft_test_have(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        printf("SKIP: %s not found (the shared test data)\n", path);
        return 0;
    }
    fclose(f);
    return 1;
}

void ft_test_free_image(ft_face_image *img)
{
    /* The loader hands out a buffer it allocated; the view is const. */
    union {
        const uint8_t *c;
        uint8_t *m;
    } u = {img->data};
    free(u.m);
    img->data = NULL;
}

int ft_test_load_rgb(const char *path, ft_face_image *img)
{
    ft_video_options opt;
    ft_video_options_init(&opt);
    opt.pixfmt = FT_PIXFMT_RGB24;
    opt.decode_threads = 1;
    ft_video *v = NULL;
    char err[512];
    if (ft_video_open(path, &opt, &v, err, sizeof err) != FT_OK) {
        fprintf(stderr, "%s\n", err);
        return -1;
    }
    ft_frame fr;
    int rc = -1;
    if (ft_video_read(v, &fr) == FT_OK) {
        uint8_t *buf = malloc((size_t)fr.width * fr.height * 3);
        if (buf) {
            for (int y = 0; y < fr.height; y++)
                memcpy(buf + (size_t)y * fr.width * 3, fr.data[0] + (size_t)y * fr.linesize[0],
                       (size_t)fr.width * 3);
            img->data = buf;
            img->width = fr.width;
            img->height = fr.height;
            img->stride = fr.width * 3;
            img->channels = 3;
            img->gpu = NULL;
            rc = 0;
        }
    } else {
        fprintf(stderr, "%s: %s\n", path, ft_video_error(v));
    }
    ft_video_close(v);
    return rc;
}
