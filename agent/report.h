/* netsentry: the offline report of --report. */
#ifndef NS_REPORT_H
#define NS_REPORT_H

#include <stdio.h>

void	 ns_report_wait(void);
void	 ns_report(FILE *, int json);

#endif /* NS_REPORT_H */
