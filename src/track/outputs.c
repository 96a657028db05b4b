/* Output names (see outputs.h). */
#include "track/outputs.h"

#include <stdio.h>
#include <string.h>

static const ft_output_info outputs[FT_OUTPUT_KIND_COUNT] = {
    [FT_OUTPUT_TRACKING] = {FT_OUTPUT_TRACKING, "tracking", "tracking", ".json"},
    [FT_OUTPUT_REDUCED] = {FT_OUTPUT_REDUCED, "reduced", "reduced", "_tracking.json"},
    [FT_OUTPUT_SCENES_CSV] = {FT_OUTPUT_SCENES_CSV, "scenes.csv", "scenes_csv", ".csv"},
    [FT_OUTPUT_SCENES_JSON] = {FT_OUTPUT_SCENES_JSON, "scenes.json", "scenes_json", "_scenes.json"},
};

const ft_output_info *ft_output_info_of(ft_output_kind kind)
{
    return (unsigned)kind < FT_OUTPUT_KIND_COUNT ? &outputs[kind] : NULL;
}

const ft_output_info *ft_output_find(const char *name)
{
    for (int k = 0; name && k < FT_OUTPUT_KIND_COUNT; k++)
        if (strcmp(outputs[k].name, name) == 0)
            return &outputs[k];
    return NULL;
}

const char *ft_output_suffix(ft_output_kind kind)
{
    const ft_output_info *info = ft_output_info_of(kind);
    return info ? info->suffix : NULL;
}

ft_status ft_output_path(const char *video, const char *output_dir, const char *suffix, char *out,
                         size_t out_size)
{
    if (!out || out_size == 0)
        return FT_ERR_INVALID_ARG;
    out[0] = '\0';
    if (!video)
        return FT_ERR_INVALID_ARG;
    const char *slash = strrchr(video, '/');
    const char *base = slash ? slash + 1 : video;
    if (!*base)
        return FT_ERR_INVALID_ARG;
    /* Python's Path.stem: a leading or trailing dot is not an extension. */
    const char *dot = strrchr(base, '.');
    size_t stem_len = dot && dot != base && dot[1] ? (size_t)(dot - base) : strlen(base);

    const char *dir = output_dir;
    size_t dir_len = dir ? strlen(dir) : 0;
    if (!dir_len) { /* the video's own folder; none when it has no slash */
        dir = video;
        dir_len = slash ? (size_t)(slash - video) + 1 : 0;
    }
    const char *sep = dir_len && dir[dir_len - 1] != '/' ? "/" : "";
    int n = snprintf(out, out_size, "%.*s%s%.*s%s", (int)dir_len, dir, sep, (int)stem_len, base,
                     suffix ? suffix : "");
    if (n < 0 || (size_t)n >= out_size) {
        out[0] = '\0';
        return FT_ERR_INVALID_ARG;
    }
    return FT_OK;
}

ft_status ft_output_path_of(const char *video, const char *output_dir, ft_output_kind kind,
                            char *out, size_t out_size)
{
    const char *suffix = ft_output_suffix(kind);
    if (!suffix) {
        if (out && out_size > 0)
            out[0] = '\0';
        return FT_ERR_INVALID_ARG;
    }
    return ft_output_path(video, output_dir, suffix, out, out_size);
}
