/* GET /api/results?root=N&path=VIDEO: which outputs a video has beside it;
 * GET /api/results/KIND?root=N&path=VIDEO: one of them, as a file. */
#include <limits.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "serve/request.h"
#include "track/video_list.h"

typedef struct result_kind {
    const char *name;   /* in the URL */
    const char *key;    /* in the listing */
    const char *suffix; /* after the video's stem */
} result_kind;

static const result_kind kinds[] = {
    {"tracking", "tracking", ".json"},
    {"reduced", "reduced", "_tracking.json"},
    {"scenes.csv", "scenes_csv", ".csv"},
    {"scenes.json", "scenes_json", "_scenes.json"},
};
#define KIND_COUNT (sizeof kinds / sizeof *kinds)

static int is_file(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 && S_ISREG(sb.st_mode);
}

enum MHD_Result ft_api_results(const ft_request *r)
{
    const char *kind_name = strcmp(r->path, "/api/results") == 0 ? NULL
                            : strncmp(r->path, "/api/results/", 13) == 0 ? r->path + 13
                                                                         : "";
    const result_kind *kind = NULL;
    for (size_t i = 0; kind_name && i < KIND_COUNT; i++)
        if (strcmp(kinds[i].name, kind_name) == 0)
            kind = &kinds[i];
    if (kind_name && !kind)
        return ft_reply_error(r, MHD_HTTP_NOT_FOUND,
                              "results are tracking, reduced, scenes.csv and scenes.json");
    const char *path = ft_request_arg(r, "path");
    if (!path || !*path)
        return ft_reply_error(r, MHD_HTTP_BAD_REQUEST, "path must name a video");
    char video[PATH_MAX];
    int root;
    enum MHD_Result failed;
    if (!ft_request_media_path(r, path, video, &root, &failed))
        return failed;
    if (!is_file(video))
        return ft_reply_error(r, MHD_HTTP_BAD_REQUEST, "not a video file");
    char outputs[KIND_COUNT][PATH_MAX];
    for (size_t i = 0; i < KIND_COUNT; i++)
        if (ft_output_path(video, NULL, kinds[i].suffix, outputs[i], PATH_MAX) != FT_OK)
            outputs[i][0] = '\0';
    if (kind) {
        const char *output = outputs[kind - kinds];
        char real[PATH_MAX];
        if (!*output || !is_file(output) || !realpath(output, real))
            return ft_reply_error(r, MHD_HTTP_NOT_FOUND, "no %s result for this video yet",
                                  kind->name);
        if (!ft_media_relative(&r->options->roots, root, real))
            return ft_reply_error(r, MHD_HTTP_FORBIDDEN, "the result leads outside the media roots");
        return ft_reply_file(r, real);
    }
    const char *relative = ft_media_relative(&r->options->roots, root, video);
    ft_reply reply;
    ft_reply_begin(&reply);
    ft_json_object_begin(&reply.json);
    ft_json_kv_int(&reply.json, "root", root);
    ft_json_kv_string(&reply.json, "path", relative);
    ft_json_key(&reply.json, "files");
    ft_json_object_begin(&reply.json);
    for (size_t i = 0; i < KIND_COUNT; i++)
        ft_json_kv_bool(&reply.json, kinds[i].key, *outputs[i] && is_file(outputs[i]));
    ft_json_object_end(&reply.json);
    ft_json_object_end(&reply.json);
    return ft_reply_send(r, &reply, MHD_HTTP_OK);
}
