/* Memory the library hands to its callers (see ft_free in facetrack.h). */
#include <stdlib.h>

#include "facetrack.h"

void ft_free(void *memory)
{
    free(memory);
}
