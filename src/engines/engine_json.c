/* Engine classes as JSON and as a list of names (see engine_json.h). */
#include "engines/engine_json.h"

#include <stdio.h>
#include <string.h>

static void write_strings(ft_json *j, const char *key, const char *const *list)
{
    ft_json_key(j, key);
    ft_json_array_begin(j);
    for (; list && *list; list++)
        ft_json_string(j, *list);
    ft_json_array_end(j);
}

void ft_engine_write_json(ft_json *j, const ft_engine_info *e)
{
    char why[256];
    const int available = ft_engine_available(e, why, sizeof why);
    ft_json_object_begin(j);
    ft_json_kv_string(j, "name", e->name);
    write_strings(j, "aliases", e->aliases);
    ft_json_kv_string(j, "description", e->description);
    ft_json_kv_bool(j, "available", available);
    if (!available)
        ft_json_kv_string(j, "unavailable_reason", why);
    ft_json_kv_string(j, "source", e->source);
    ft_json_kv_string(j, "label", e->label);
    ft_json_kv_int(j, "landmarks", (int)e->landmarks);
    ft_json_kv_bool(j, "blendshapes", e->blendshapes);
    ft_json_kv_bool(j, "pose", e->pose);
    write_strings(j, "options", e->options);
    ft_json_object_end(j);
}

void ft_engine_available_names(char *out, size_t size)
{
    size_t used = 0;
    if (size)
        out[0] = '\0';
    for (int i = 0; i < ft_engine_count(); i++) {
        const ft_engine_info *e = ft_engine_at(i);
        if (!ft_engine_available(e, NULL, 0) || used + 1 >= size)
            continue;
        int n = snprintf(out + used, size - used, "%s%s", used ? ", " : "", e->name);
        used = n > 0 && (size_t)n < size - used ? used + (size_t)n : size - 1;
    }
}
