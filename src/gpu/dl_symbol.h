/* A function of a library opened with dlopen: ISO C has no conversion from
 * dlsym's object pointer to a function pointer, so its bytes are copied. */
#ifndef FT_GPU_DL_SYMBOL_H
#define FT_GPU_DL_SYMBOL_H

#include <dlfcn.h>
#include <string.h>

/* Sets *FN (a function pointer variable) to NAME in HANDLE; 0 when found. */
#define FT_DL_SYMBOL(handle, name, fn)                                                            \
    ft_dl_symbol_copy((handle), (name), (void *)&(fn), sizeof(fn))

static inline int ft_dl_symbol_copy(void *handle, const char *name, void *fn, size_t size)
{
    void *sym = handle ? dlsym(handle, name) : NULL;
    memset(fn, 0, size);
    if (!sym || size != sizeof sym)
        return -1;
    memcpy(fn, &sym, size);
    return 0;
}

#endif
