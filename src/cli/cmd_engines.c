/* facetrack engines: the face engines of the registry, whether this build
 * can run each and why not. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "engines/engine_json.h"
#include "facetrack.h"

static const char usage[] =
    "usage: facetrack engines [--json]\n"
    "\n"
    "Lists the face engines, by the names the original workflow gives them\n"
    "(track --engine, STEP5_TRACKING_ENGINE, detect --engine, serve's jobs):\n"
    "whether this build can run each (and why not), its aliases, the landmark\n"
    "points its faces carry, whether it gives blendshapes and head pose.\n"
    "--json prints {\"engines\": [...]} with the options each engine honours.\n";

static void print_table(void)
{
    for (int i = 0; i < ft_engine_count(); i++) {
        const ft_engine_info *e = ft_engine_at(i);
        char why[256], aliases[128] = "";
        const int ok = ft_engine_available(e, why, sizeof why);
        for (const char *const *a = e->aliases; a && *a; a++) {
            size_t used = strlen(aliases);
            snprintf(aliases + used, sizeof aliases - used, "%s%s", used ? "," : " (alias ", *a);
        }
        if (*aliases) {
            size_t used = strlen(aliases);
            snprintf(aliases + used, sizeof aliases - used, ")");
        }
        printf("%-22s %-13s landmarks %-3d blendshapes %-3s pose %-3s %s%s\n", e->name,
               ok ? "available" : "unavailable", (int)e->landmarks, e->blendshapes ? "yes" : "no",
               e->pose ? "yes" : "no", e->description, aliases);
        if (!ok)
            printf("%-22s   why: %s\n", "", why);
    }
}

static int run_engines(int argc, char **argv)
{
    int json = 0, only_args = 0;
    for (int i = 1; i < argc; i++) {
        if (!only_args && strcmp(argv[i], "--") == 0)
            only_args = 1; /* ends the options; engines takes no arguments */
        else if (only_args)
            return ft_cli_usage_error("engines", "unknown argument '%s'", argv[i]);
        else if (strcmp(argv[i], "--json") == 0)
            json = 1;
        else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            fputs(usage, stdout);
            return FT_EXIT_OK;
        } else
            return ft_cli_usage_error("engines", "unknown argument '%s'", argv[i]);
    }
    if (!json) {
        print_table();
        return FT_EXIT_OK;
    }
    ft_json w;
    ft_json_init(&w, stdout, 1);
    ft_json_object_begin(&w);
    ft_json_key(&w, "engines");
    ft_json_array_begin(&w);
    for (int i = 0; i < ft_engine_count(); i++)
        ft_engine_write_json(&w, ft_engine_at(i));
    ft_json_array_end(&w);
    ft_json_object_end(&w);
    fputc('\n', stdout);
    return ft_json_finish(&w) == FT_OK ? FT_EXIT_OK : FT_EXIT_FAILED;
}

const ft_command ft_cmd_engines = {"engines", "the face engines and whether this build runs them",
                                   usage, run_engines};
