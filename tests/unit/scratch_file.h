/* One scratch file in a fresh temporary folder, for the tests of readers
 * of small text files (shot lists, audio analyses). */
#ifndef FT_TEST_SCRATCH_FILE_H
#define FT_TEST_SCRATCH_FILE_H

#include <stddef.h>

typedef struct scratch_file {
    char dir[64];
    char path[128]; /* DIR/NAME */
} scratch_file;

/* Makes /tmp/ft_PREFIX_XXXXXX and names NAME in it; 0 on success. */
int scratch_file_init(scratch_file *s, const char *prefix, const char *name);

/* Removes the file and its folder. */
void scratch_file_remove(scratch_file *s);

/* Writes LEN bytes of TEXT to the file; a test failure otherwise. */
void scratch_file_write(const scratch_file *s, const void *text, size_t len);

#endif
