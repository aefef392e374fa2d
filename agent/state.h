/* netsentry: state kept across restarts in gdbm files under stateDir. */
#ifndef NS_STATE_H
#define NS_STATE_H

#include <stddef.h>

/*
 * Open the event history file in dir and put its events back into the
 * history, which keeps history events.  Returns -1 with the reason in
 * err when the file cannot be used, for example because another
 * netsentryd has it open.  A corrupt file is moved aside and replaced,
 * with a log line.
 */
int	 ns_state_open(const char *dir, size_t history, char *err,
	    size_t errlen);

/* Write the events that changed; called by the agent thread. */
void	 ns_state_save(void);

/* Write what changed and close the files. */
void	 ns_state_close(void);

/*
 * Open the names file in dir and read its names, keeping the max newest
 * (state_names.c).  Returns -1 with the reason in err as
 * ns_state_open() does.
 */
int	 ns_state_names_open(const char *dir, size_t max, char *err,
	    size_t errlen);

/*
 * Put the names read at open into the cache of every data source, and
 * start their journals.  Call once the sources are open, before their
 * threads start.
 */
void	 ns_state_names_restore(void);

/* Write the names that changed; called by the agent thread. */
void	 ns_state_names_save(void);

/* Write what changed and close the names file.  Call once the sources stop. */
void	 ns_state_names_close(void);

#endif /* NS_STATE_H */
