/* What the xornet program leaves behind when a signal stops it: nothing of
 * its own but the files it wrote whole (docs/robustness.md).
 *
 * SIGINT, SIGTERM, SIGHUP and SIGPIPE (unless the program was started with
 * them ignored, as nohup does) run a handler that removes the program's
 * registered temporary files and folders, kills a registered child
 * (gnuplot), and ends the program by the same signal, so its exit status
 * still says which one.
 *
 * The library's own temporary files (xn_net_save's) are not registered:
 * the program holds the signals around such a call instead.  A signal that
 * arrives while they are held, in any thread (OpenBLAS runs threads of its
 * own, which a sigprocmask in one thread would not cover), is noted and
 * takes effect when the hold is released, once the save has renamed or
 * removed its file.  A second SIGINT, SIGTERM or SIGHUP during a hold
 * (a save stuck on a FIFO nobody reads) ends the program at once.
 *
 * SIGKILL cannot be caught: it may leave a temporary file beside the file
 * being written and a folder xornet-plot-XXXXXX under $TMPDIR. */
#ifndef XORNET_CLI_CLEANUP_H
#define XORNET_CLI_CLEANUP_H

#include <stddef.h>
#include <sys/types.h>

/* Installs the handler; main calls it first. */
void cli_signals_init(void);

/* Holds the signals off until the matching release (holds nest).  The
 * release of the outermost hold ends the program if a signal came. */
void cli_hold_signals(void);
void cli_release_signals(void);

/* The same hold, for work that none of the registered files is part of
 * (a checkpoint's save): a signal that comes meanwhile removes them at
 * once and only the end waits for the release, so that a SIGKILL soon
 * after the signal (mpirun sends one a second after its SIGTERM) finds no
 * more than the save's own temporary file.  Pair with
 * cli_release_signals_removing; no registry call inside. */
void cli_hold_signals_removing(void);
void cli_release_signals_removing(void);

/* Registers a temporary file (names NULL) or a folder holding the files
 * names[0..n_names) (removed, then the folder) for removal on a signal.
 * Returns an id for the calls below, or -1 if it could not be kept (no
 * memory, too many at once): the file then stays after a signal.  Call with
 * the signals held, between creating the file and registering it. */
int cli_temp_add(const char *path, const char *const *names, size_t n_names);
/* A child process working in the registered folder, leader of its own
 * process group: the group is killed (SIGKILL) and the child waited for
 * before the folder is removed.  0 for none.  Call held. */
void cli_temp_child(int id, pid_t pid);
/* Forgets an entry whose files the caller has removed or renamed into
 * place.  Accepts -1.  Call held. */
void cli_temp_forget(int id);

#endif
