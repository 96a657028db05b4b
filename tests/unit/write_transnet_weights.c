/* Writes the formula TransNetV2 test weights as a .pth file, for the shell
 * tests: write_transnet_weights F D PATH. */
#include <stdio.h>
#include <stdlib.h>

#include "transnet_weights.h"

int main(int argc, char **argv)
{
    if (argc != 4 || atoi(argv[1]) < 1 || atoi(argv[2]) < 1) {
        fprintf(stderr, "usage: write_transnet_weights F D PATH\n");
        return 2;
    }
    if (transnet_weights_write(atoi(argv[1]), atoi(argv[2]), argv[3]) != 0) {
        fprintf(stderr, "write_transnet_weights: cannot write %s\n", argv[3]);
        return 1;
    }
    return 0;
}
