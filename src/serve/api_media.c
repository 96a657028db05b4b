/* The media roots: listing them, browsing their folders, and their video
 * files with HTTP Range support (the browser's player seeks). Every path
 * goes through ft_media_resolve(): nothing outside a root, hidden, or in
 * the data folder is reachable, and such paths answer as missing ones. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "serve/request.h"
#include "track/folder_scan.h"

enum MHD_Result ft_api_roots(const ft_request *r)
{
    const ft_media_roots *roots = &r->options->roots;
    ft_reply reply;
    ft_reply_begin(&reply);
    ft_json_object_begin(&reply.json);
    ft_json_key(&reply.json, "roots");
    ft_json_array_begin(&reply.json);
    for (int i = 0; i < roots->count; i++) {
        const char *slash = strrchr(roots->paths[i], '/');
        ft_json_object_begin(&reply.json);
        ft_json_kv_int(&reply.json, "root", i);
        ft_json_kv_string(&reply.json, "name", slash && slash[1] ? slash + 1 : roots->paths[i]);
        ft_json_kv_string(&reply.json, "path", roots->paths[i]);
        ft_json_object_end(&reply.json);
    }
    ft_json_array_end(&reply.json);
    ft_json_object_end(&reply.json);
    return ft_reply_send(r, &reply, MHD_HTTP_OK);
}

int ft_request_media_path(const ft_request *r, const char *path, char *real, int *root,
                          enum MHD_Result *failed)
{
    const char *root_arg = ft_request_arg(r, "root");
    char *end = NULL;
    const long n = root_arg ? strtol(root_arg, &end, 10) : 0;
    if (root_arg && (end == root_arg || *end)) {
        *failed = ft_reply_error(r, MHD_HTTP_BAD_REQUEST, "root must be a number");
        return 0;
    }
    /* Outside the roots, hidden, or missing: one answer, so that nothing
     * can be learnt of what exists outside. */
    if (ft_media_resolve(&r->options->roots, (int)n, path ? path : "", real) != FT_OK) {
        *failed = ft_reply_error(r, MHD_HTTP_NOT_FOUND, "no such file or folder in root %ld", n);
        return 0;
    }
    *root = (int)n;
    return 1;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The entries of folder REAL (RELATIVE in ROOT) that are folders
 * (FOLDERS) or videos, sorted; links that lead out of the root are left out. */
static void write_entries(ft_json *j, const ft_request *r, int root, const char *real,
                          const char *relative, int folders)
{
    DIR *dir = opendir(real);
    char **names = NULL;
    size_t count = 0, cap = 0;
    for (struct dirent *e; dir && (e = readdir(dir));) {
        if (e->d_name[0] == '.')
            continue; /* hidden files, "." and ".." */
        char inner[PATH_MAX * 2], target[PATH_MAX];
        struct stat sb;
        snprintf(inner, sizeof inner, "%s%s%s", relative, *relative ? "/" : "", e->d_name);
        if (ft_media_resolve(&r->options->roots, root, inner, target) != FT_OK ||
            stat(target, &sb) != 0 ||
            (folders ? !S_ISDIR(sb.st_mode) : !S_ISREG(sb.st_mode) || !ft_is_video_name(e->d_name)))
            continue;
        if (count == cap) {
            char **p = realloc(names, (cap = cap ? 2 * cap : 64) * sizeof *p);
            if (!p)
                break;
            names = p;
        }
        if (!(names[count] = strdup(e->d_name)))
            break;
        count++;
    }
    if (dir)
        closedir(dir);
    if (count)
        qsort(names, count, sizeof *names, by_name);
    ft_json_key(j, folders ? "folders" : "videos");
    ft_json_array_begin(j);
    for (size_t i = 0; i < count; i++) {
        char path[PATH_MAX * 2], full[PATH_MAX * 2];
        snprintf(path, sizeof path, "%s%s%s", relative, *relative ? "/" : "", names[i]);
        snprintf(full, sizeof full, "%s/%s", real, names[i]);
        struct stat sb;
        ft_json_object_begin(j);
        ft_json_kv_string(j, "name", names[i]);
        ft_json_kv_string(j, "path", path);
        if (!folders && stat(full, &sb) == 0)
            ft_json_kv_int(j, "size_bytes", (int64_t)sb.st_size);
        ft_json_object_end(j);
        free(names[i]);
    }
    ft_json_array_end(j);
    free(names);
}

enum MHD_Result ft_api_browse(const ft_request *r)
{
    const char *path = ft_request_arg(r, "path");
    char real[PATH_MAX];
    int root;
    enum MHD_Result failed;
    if (!ft_request_media_path(r, path, real, &root, &failed))
        return failed;
    struct stat sb;
    if (stat(real, &sb) != 0 || !S_ISDIR(sb.st_mode))
        return ft_reply_error(r, MHD_HTTP_BAD_REQUEST, "not a folder");
    /* The path as the client named it, without leading or doubled slashes. */
    const char *relative = ft_media_relative(&r->options->roots, root, real);
    ft_reply reply;
    ft_reply_begin_media(&reply, root, relative);
    write_entries(&reply.json, r, root, real, relative, 1);
    write_entries(&reply.json, r, root, real, relative, 0);
    ft_json_object_end(&reply.json);
    return ft_reply_send(r, &reply, MHD_HTTP_OK);
}

static const char *media_type(const char *path)
{
    static const char *const types[][2] = {
        {".mp4", "video/mp4"},         {".mov", "video/quicktime"}, {".mkv", "video/x-matroska"},
        {".webm", "video/webm"},       {".avi", "video/x-msvideo"}, {".json", "application/json"},
        {".csv", "text/csv; charset=utf-8"},
    };
    const char *dot = strrchr(path, '.');
    for (size_t i = 0; dot && i < sizeof types / sizeof *types; i++)
        if (strcasecmp(dot, types[i][0]) == 0)
            return types[i][1];
    return "application/octet-stream";
}

/* "bytes=A-B", "bytes=A-" or "bytes=-N" against SIZE: [*FIRST, *LAST].
 * 0 when the header is absent, 1 for a valid range, -1 for one that is not
 * satisfiable or not understood (several ranges included). */
static int parse_range(const char *header, int64_t size, int64_t *first, int64_t *last)
{
    if (!header)
        return 0;
    long long a = -1, b = -1;
    char tail;
    if (strncmp(header, "bytes=-", 7) == 0) { /* the last N bytes */
        if (sscanf(header + 7, "%lld%c", &b, &tail) != 1 || b <= 0)
            return -1;
        a = b >= size ? 0 : size - b;
        b = size - 1;
    } else if (sscanf(header, "bytes=%lld-%lld%c", &a, &b, &tail) != 2) {
        if (sscanf(header, "bytes=%lld-%c", &a, &tail) != 1)
            return -1;
        b = size - 1;
    }
    if (a < 0 || a >= size || b < a)
        return -1;
    *first = a;
    *last = b < size ? b : size - 1;
    return 1;
}

enum MHD_Result ft_api_media(const ft_request *r)
{
    /* /media/ROOT/PATH */
    const char *rest = r->path + strlen("/media/");
    char *end;
    const long root = strtol(rest, &end, 10);
    if (end == rest || *end != '/')
        return ft_reply_error(r, MHD_HTTP_NOT_FOUND, "media paths are /media/ROOT/PATH");
    char real[PATH_MAX];
    if (ft_media_resolve(&r->options->roots, (int)root, end + 1, real) != FT_OK)
        return ft_reply_error(r, MHD_HTTP_NOT_FOUND, "no such file in root %ld", root);
    return ft_reply_file(r, real);
}

enum MHD_Result ft_reply_file(const ft_request *r, const char *real)
{
    const int fd = open(real, O_RDONLY | O_CLOEXEC);
    struct stat sb;
    if (fd < 0 || fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        if (fd >= 0)
            close(fd);
        return ft_reply_error(r, MHD_HTTP_NOT_FOUND, "not a readable file");
    }
    int64_t first = 0, last = (int64_t)sb.st_size - 1;
    const char *range = MHD_lookup_connection_value(r->connection, MHD_HEADER_KIND, "Range");
    const int ranged = parse_range(range, sb.st_size, &first, &last);
    if (ranged < 0) {
        close(fd);
        return ft_reply_error(r, MHD_HTTP_RANGE_NOT_SATISFIABLE, "range '%s' of a %lld-byte file",
                              range, (long long)sb.st_size);
    }
    struct MHD_Response *response = MHD_create_response_from_fd_at_offset64(
        (uint64_t)(sb.st_size ? last - first + 1 : 0), fd, (uint64_t)first);
    if (!response) {
        close(fd);
        return MHD_NO;
    }
    MHD_add_response_header(response, MHD_HTTP_HEADER_CONTENT_TYPE, media_type(real));
    MHD_add_response_header(response, MHD_HTTP_HEADER_ACCEPT_RANGES, "bytes");
    if (ranged) {
        char value[96];
        snprintf(value, sizeof value, "bytes %" PRId64 "-%" PRId64 "/%lld", first, last,
                 (long long)sb.st_size);
        MHD_add_response_header(response, MHD_HTTP_HEADER_CONTENT_RANGE, value);
    }
    const enum MHD_Result ok =
        MHD_queue_response(r->connection, ranged ? MHD_HTTP_PARTIAL_CONTENT : MHD_HTTP_OK, response);
    MHD_destroy_response(response);
    return ok;
}
