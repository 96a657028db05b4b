/* GET /api/results?root=N&path=VIDEO: which outputs a video has beside it;
 * GET /api/results/KIND?root=N&path=VIDEO: one of them, as a file. */
#include <limits.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "serve/request.h"
#include "track/outputs.h"

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
    const ft_output_info *kind = ft_output_find(kind_name);
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
    char outputs[FT_OUTPUT_KIND_COUNT][PATH_MAX];
    for (int k = 0; k < FT_OUTPUT_KIND_COUNT; k++)
        ft_output_path_of(video, NULL, (ft_output_kind)k, outputs[k], PATH_MAX); /* "" on failure */
    if (kind) {
        const char *output = outputs[kind->kind];
        char real[PATH_MAX];
        /* A result that leads out of the root (a link) answers as a missing one. */
        if (!*output || !is_file(output) || !realpath(output, real) ||
            !ft_media_visible(&r->options->roots, root, real))
            return ft_reply_error(r, MHD_HTTP_NOT_FOUND, "no %s result for this video yet",
                                  kind->name);
        return ft_reply_file(r, real);
    }
    const char *relative = ft_media_relative(&r->options->roots, root, video);
    ft_reply reply;
    ft_reply_begin_media(&reply, root, relative);
    ft_json_key(&reply.json, "files");
    ft_json_object_begin(&reply.json);
    for (int k = 0; k < FT_OUTPUT_KIND_COUNT; k++)
        ft_json_kv_bool(&reply.json, ft_output_info_of((ft_output_kind)k)->key,
                        *outputs[k] && is_file(outputs[k]));
    ft_json_object_end(&reply.json);
    ft_json_object_end(&reply.json);
    return ft_reply_send(r, &reply, MHD_HTTP_OK);
}
