/* PLACEHOLDER: being written; replaced before it lands. */
#include "cli.h"
int cmd_approx(int argc, char **argv) { (void)argc; (void)argv; cli_error("not built yet"); return EXIT_FAIL; }
