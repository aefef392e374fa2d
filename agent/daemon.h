/* netsentry: state shared by the agent-side modules of netsentryd. */
#ifndef NS_DAEMON_H
#define NS_DAEMON_H

#include <stddef.h>

#include "source.h"

#define NS_APP_NAME	"netsentryd"

/* Data sources, index i + 1 is nsCaptureIndex and hostControlIndex. */
extern struct ns_source	*ns_sources;
extern size_t		 ns_nsources;

#endif /* NS_DAEMON_H */
