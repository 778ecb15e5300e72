/* PLACEHOLDER: being written; replaced before it lands. */
#include "cli.h"
int cmd_models(int argc, char **argv) { (void)argc; (void)argv; cli_error("not built yet"); return EXIT_FAIL; }
