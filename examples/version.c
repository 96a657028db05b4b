/* run: */
/* The smallest program against libfacetrack: prints the library's version
 * and checks that it is the one facetrack.h describes. */
#include <stdio.h>
#include <string.h>

#include <facetrack.h>

int main(void)
{
    char expected[32];
    snprintf(expected, sizeof expected, "%d.%d.%d", FT_VERSION_MAJOR, FT_VERSION_MINOR,
             FT_VERSION_PATCH);
    printf("libfacetrack %s (%s)\n", ft_version(), ft_build_info());
    if (strcmp(ft_version(), expected) != 0) {
        fprintf(stderr, "version: the library is %s, facetrack.h says %s\n", ft_version(),
                expected);
        return 1;
    }
    return 0;
}
