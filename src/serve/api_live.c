/* /api/live: the service's live sources (serve/live_view.h). */
#include <stdlib.h>
#include <string.h>

#include "serve/live_view.h"
#include "serve/request.h"

/* "N" or "N/ACTION" after /api/live/: the index, and ACTION (or ""). */
static int parse_path(const char *path, const char **action)
{
    const char *p = path + strlen("/api/live/");
    char *end;
    const long i = strtol(p, &end, 10);
    if (end == p || i < 0 || i >= FT_LIVE_VIEW_MAX_SOURCES || (*end && *end != '/'))
        return -1;
    *action = *end ? end + 1 : "";
    return (int)i;
}

enum MHD_Result ft_api_live_list(const ft_request *r)
{
    ft_live_view *v = r->options->live;
    ft_reply reply;
    ft_reply_begin(&reply);
    ft_json_object_begin(&reply.json);
    ft_json_key(&reply.json, "sources");
    ft_json_array_begin(&reply.json);
    for (int i = 0; i < ft_live_view_count(v); i++)
        ft_live_view_write_source(v, i, &reply.json);
    ft_json_array_end(&reply.json);
    ft_json_object_end(&reply.json);
    return ft_reply_send(r, &reply, MHD_HTTP_OK);
}

enum MHD_Result ft_api_live_get(const ft_request *r)
{
    ft_live_view *v = r->options->live;
    const char *action;
    const int i = parse_path(r->path, &action);
    if (i < 0 || i >= ft_live_view_count(v) || (*action && strcmp(action, "snapshot") != 0))
        return ft_reply_error(r, MHD_HTTP_NOT_FOUND, "no such live source or view: %s", r->path);
    ft_reply reply;
    ft_reply_begin(&reply);
    if (!*action) {
        ft_live_view_write_source(v, i, &reply.json);
        return ft_reply_send(r, &reply, MHD_HTTP_OK);
    }
    char err[256];
    const ft_status st = ft_live_view_write_snapshot(v, i, &reply.json, err, sizeof err);
    if (st == FT_OK)
        return ft_reply_send(r, &reply, MHD_HTTP_OK);
    fclose(reply.stream);
    free(reply.text);
    return ft_reply_error(r, st == FT_EAGAIN ? MHD_HTTP_SERVICE_UNAVAILABLE : MHD_HTTP_CONFLICT, "%s", err);
}

enum MHD_Result ft_api_live_action(const ft_request *r)
{
    ft_live_view *v = r->options->live;
    const char *action;
    const int i = parse_path(r->path, &action);
    if (i < 0 || i >= ft_live_view_count(v) || (strcmp(action, "start") != 0 && strcmp(action, "stop") != 0))
        return ft_reply_error(r, MHD_HTTP_NOT_FOUND, "no such live source or action: %s", r->path);
    char err[256] = "";
    ft_status st;
    if (strcmp(action, "start") == 0) {
        st = ft_live_view_start(v, i, err, sizeof err);
    } else {
        st = ft_live_view_stop(v, i);
        if (st != FT_OK)
            snprintf(err, sizeof err, "live source %d does not run", i);
    }
    if (st != FT_OK)
        return ft_reply_error(r, st == FT_ERR_INVALID_ARG ? MHD_HTTP_CONFLICT : MHD_HTTP_INTERNAL_SERVER_ERROR,
                              "%s", err);
    ft_reply reply;
    ft_reply_begin(&reply);
    ft_live_view_write_source(v, i, &reply.json);
    return ft_reply_send(r, &reply, MHD_HTTP_OK);
}
