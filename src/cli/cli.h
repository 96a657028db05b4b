/* The facetrack program: one function per subcommand. */
#ifndef FT_CLI_H
#define FT_CLI_H

/* Exit codes shared by every subcommand. */
enum {
    FT_EXIT_OK = 0,
    FT_EXIT_FAILED = 1, /* some input could not be processed */
    FT_EXIT_USAGE = 2   /* bad command line */
};

typedef struct ft_command {
    const char *name;
    const char *summary;
    const char *usage; /* the full help text of the subcommand */
    int (*run)(int argc, char **argv); /* argv[0] is the subcommand name */
} ft_command;

extern const ft_command ft_cmd_probe;
extern const ft_command ft_cmd_frames;
extern const ft_command ft_cmd_model;
extern const ft_command ft_cmd_models;
extern const ft_command ft_cmd_detect;
extern const ft_command ft_cmd_track;
extern const ft_command ft_cmd_reduce;
extern const ft_command ft_cmd_scenes;
extern const ft_command ft_cmd_serve;
extern const ft_command ft_cmd_engines;
extern const ft_command ft_cmd_doctor;
extern const ft_command ft_cmd_live;
extern const ft_command ft_cmd_cluster;

/* Prints "facetrack CMD: MESSAGE" and a hint to stderr; returns FT_EXIT_USAGE. */
int ft_cli_usage_error(const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Parses a non-negative integer option value; -1 when invalid. */
long long ft_cli_parse_count(const char *text);

#endif
