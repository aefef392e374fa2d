/* netsentry: state kept across restarts in gdbm files under stateDir. */
#ifndef NS_STATE_H
#define NS_STATE_H

#include <stddef.h>

#include <gdbm.h>

/*
 * Open the event history file in dir and put its events back into the
 * history, which keeps history events.  Returns -1 with the reason in
 * err when the file cannot be used, for example because another
 * netsentryd has it open.  A corrupt file is moved aside and replaced,
 * with a log line.
 */
int	 ns_state_open(const char *dir, size_t history, char *err,
	    size_t errlen);

/*
 * Open the state file path for writing, creating it when missing; a file
 * gdbm cannot read is moved aside and replaced.  Returns NULL with the
 * reason in err when it is locked by another netsentryd or cannot be
 * opened.
 */
GDBM_FILE ns_state_open_file(const char *path, char *err, size_t errlen);

/* Rename an unreadable state file to PATH.corrupt.TIME, with a log line. */
int	 ns_state_move_aside(const char *path, const char *why);

/* Write the events that changed; called by the agent thread. */
void	 ns_state_save(void);

/* Write what changed and close the files. */
void	 ns_state_close(void);

#endif /* NS_STATE_H */
