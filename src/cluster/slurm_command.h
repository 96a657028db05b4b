/* Runs one of Slurm's commands (sbatch, squeue, sacct, scontrol) as a child
 * process, without a shell: the arguments go as a vector, so no value is
 * ever parsed by a shell. Its standard output and error are captured. */
#ifndef FT_CLUSTER_SLURM_COMMAND_H
#define FT_CLUSTER_SLURM_COMMAND_H

#include <stddef.h>

typedef struct ft_slurm_result {
    int exit_code;  /* the command's exit status; 128 + N when killed by signal N */
    char *out;      /* its standard output (malloc'ed, NUL-terminated) */
    char *err;      /* its standard error, the same */
} ft_slurm_result;

/* Runs ARGV (ARGV[0] looked up on PATH), in a process group of its own (so
 * that a signal to the caller's group spares it), with /dev/null as its
 * input, and waits
 * at most TIMEOUT_S seconds (then kills it). 0 when it ran (whatever its
 * exit status) and RESULT holds what it wrote; -1 when it could not run or
 * timed out, with one line in WHY: "sbatch not found on PATH (...)",
 * "sbatch did not answer within 60 s". */
int ft_slurm_run(char *const argv[], int timeout_s, ft_slurm_result *result, char *why,
                 size_t why_size);
void ft_slurm_result_free(ft_slurm_result *result);

/* Slurm's message of a failed command in one line: its standard error (else
 * its output) with the lines joined by "; " and the "CMD: error: " prefixes
 * dropped; "exit status N" when it wrote nothing. */
void ft_slurm_message(const char *command, const ft_slurm_result *result, char *out,
                      size_t out_size);

#endif
