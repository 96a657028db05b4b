#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "scratch_file.h"

int scratch_file_init(scratch_file *s, const char *prefix, const char *name)
{
    snprintf(s->dir, sizeof s->dir, "/tmp/ft_%s_XXXXXX", prefix);
    if (!mkdtemp(s->dir))
        return -1;
    snprintf(s->path, sizeof s->path, "%s/%s", s->dir, name);
    return 0;
}

void scratch_file_remove(scratch_file *s)
{
    unlink(s->path);
    rmdir(s->dir);
}

void scratch_file_write(const scratch_file *s, const void *text, size_t len)
{
    FILE *f = fopen(s->path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}
