/* PLACEHOLDER: being written; replaced before it lands. */
#include "cli.h"
int cmd_predict(int argc, char **argv) { (void)argc; (void)argv; cli_error("not built yet"); return EXIT_FAIL; }
int cmd_eval(int argc, char **argv) { (void)argc; (void)argv; cli_error("not built yet"); return EXIT_FAIL; }
int cmd_grad(int argc, char **argv) { (void)argc; (void)argv; cli_error("not built yet"); return EXIT_FAIL; }
