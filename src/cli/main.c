/* facetrack: entry point, global options and subcommand dispatch. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "facetrack.h"
#include "cli/cli.h"
#include "gpu/gpu_summary.h"

static const ft_command *const commands[] = {
    &ft_cmd_probe,  &ft_cmd_frames, &ft_cmd_model,  &ft_cmd_models, &ft_cmd_engines,
    &ft_cmd_detect, &ft_cmd_track,  &ft_cmd_reduce, &ft_cmd_scenes, &ft_cmd_serve,
    &ft_cmd_doctor, &ft_cmd_live,   &ft_cmd_cluster};
#define COMMAND_COUNT (sizeof commands / sizeof commands[0])

static void print_help(FILE *out)
{
    fprintf(out,
            "usage: facetrack [-v | -q | --log-level LEVEL] COMMAND [ARGS...]\n"
            "\n"
            "Video face analysis.\n"
            "\n"
            "commands:\n");
    for (size_t i = 0; i < COMMAND_COUNT; i++)
        fprintf(out, "  %-10s %s\n", commands[i]->name, commands[i]->summary);
    fprintf(out, "  %-10s %s\n", "help", "show the help of a command");
    fprintf(out, "  %-10s %s\n", "version", "show version and build information");
    fprintf(out,
            "\n"
            "options:\n"
            "  -v, --verbose        more log output (repeat for debug, trace)\n"
            "  -q, --quiet          errors only\n"
            "  --log-level LEVEL    quiet, error, warn, info, debug or trace\n"
            "                       (default: FACETRACK_LOG_LEVEL, else warn)\n"
            "  -h, --help           this help\n"
            "  --version            version and build information\n"
            "\n"
            "Run 'facetrack help COMMAND' for the options of a command.\n");
}

static void print_version(void)
{
    printf("facetrack %s\n%s\n", ft_version(), ft_build_info());
    ft_caps caps;
    ft_caps_get(&caps);
    printf("inference backends:");
    for (int i = 0; i < caps.backend_count; i++)
        printf(" %s%s", caps.backends[i], caps.backend_usable[i] ? "" : " (unusable here)");
    printf("\nface engines: %d of %d available (facetrack engines)\n", caps.engines_available,
           caps.engine_count);
    /* What the GPUs are now, not merely what was built (facetrack doctor
     * says why and what to install). */
    char cuda[1024];
    ft_gpu_summary(cuda, sizeof cuda, 1);
    printf("cuda: %s\n", cuda);
}

static const ft_command *find_command(const char *name)
{
    for (size_t i = 0; i < COMMAND_COUNT; i++)
        if (strcmp(commands[i]->name, name) == 0)
            return commands[i];
    return NULL;
}

int ft_cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "facetrack%s%s: ", cmd ? " " : "", cmd ? cmd : "");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, " (see 'facetrack help%s%s')\n", cmd ? " " : "", cmd ? cmd : "");
    return FT_EXIT_USAGE;
}

long long ft_cli_parse_count(const char *text)
{
    char *end = NULL;
    if (!text || !*text)
        return -1;
    long long v = strtoll(text, &end, 10);
    return (*end || v < 0) ? -1 : v;
}

static int help_command(int argc, char **argv)
{
    if (argc < 2) {
        print_help(stdout);
        return FT_EXIT_OK;
    }
    const ft_command *c = find_command(argv[1]);
    if (!c)
        return ft_cli_usage_error(NULL, "unknown command '%s'", argv[1]);
    fputs(c->usage, stdout);
    return FT_EXIT_OK;
}

int main(int argc, char **argv)
{
    int verbosity = 0, i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-v") == 0 || strcmp(a, "--verbose") == 0) {
            verbosity++;
        } else if (strcmp(a, "-vv") == 0) {
            verbosity += 2;
        } else if (strcmp(a, "-q") == 0 || strcmp(a, "--quiet") == 0) {
            ft_log_set_level(FT_LOG_ERROR);
        } else if (strcmp(a, "--log-level") == 0) {
            ft_log_level level;
            if (i + 1 >= argc || ft_log_parse_level(argv[i + 1], &level) != FT_OK)
                return ft_cli_usage_error(NULL, "--log-level needs one of quiet, error, warn, "
                                                "info, debug, trace");
            ft_log_set_level(level);
            i++;
        } else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            print_help(stdout);
            return FT_EXIT_OK;
        } else if (strcmp(a, "--version") == 0) {
            print_version();
            return FT_EXIT_OK;
        } else {
            return ft_cli_usage_error(NULL, "unknown option '%s'", a);
        }
    }
    if (verbosity)
        ft_log_set_level((ft_log_level)(FT_LOG_WARN + verbosity));
    if (i >= argc) {
        print_help(stderr);
        return FT_EXIT_USAGE;
    }
    const char *name = argv[i];
    if (strcmp(name, "help") == 0)
        return help_command(argc - i, argv + i);
    if (strcmp(name, "version") == 0) {
        print_version();
        return FT_EXIT_OK;
    }
    const ft_command *c = find_command(name);
    if (!c)
        return ft_cli_usage_error(NULL, "unknown command '%s'", name);
    for (int j = i + 1; j < argc; j++) {
        if (strcmp(argv[j], "-h") == 0 || strcmp(argv[j], "--help") == 0) {
            fputs(c->usage, stdout);
            return FT_EXIT_OK;
        }
        if (strcmp(argv[j], "--") == 0)
            break;
    }
    return c->run(argc - i, argv + i);
}
