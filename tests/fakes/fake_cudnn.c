/* A stand-in for libcudnn.so.9 reporting version 9.1.2, for the tests of
 * facetrack's dlopen probe. */
#include <stddef.h>

size_t cudnnGetVersion(void);

size_t cudnnGetVersion(void)
{
    return 90102;
}
