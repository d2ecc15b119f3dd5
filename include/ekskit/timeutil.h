/*
 * RFC 3339 / ISO 8601 timestamps in UTC, as AWS and Kubernetes write them.
 */
#ifndef EKSKIT_TIMEUTIL_H
#define EKSKIT_TIMEUTIL_H

#include <time.h>

#define TIMEUTIL_RFC3339_LEN 21   /* "YYYY-MM-DDTHH:MM:SSZ" + NUL */

/*
 * Parse "YYYY-MM-DDTHH:MM:SS" with optional fractional seconds (ignored)
 * and a zone "Z" or "+HH:MM" / "-HH:MM" (also "+HHMM"); 't', 'z' and a
 * space for 'T' are accepted.  A missing zone is an error (ambiguous).
 * *out gets UTC seconds.  0 or EKSKIT_ERR_INVALID.
 */
int timeutil_parse_rfc3339(const char *s, time_t *out);

/* Format t (UTC) as "YYYY-MM-DDTHH:MM:SSZ" into out.  0 or EKSKIT_ERR_INVALID. */
int timeutil_format_rfc3339(time_t t, char out[TIMEUTIL_RFC3339_LEN]);

/* Milliseconds on the monotonic clock (for deadlines, not dates). */
long long timeutil_monotonic_ms(void);

/* Sleep ms milliseconds, resuming after signals. */
void timeutil_sleep_ms(long ms);

/*
 * A process-wide deadline on the monotonic clock: the total time a tool
 * may take (eks-token: kubectl waits on it).  The HTTP layer caps every
 * attempt and retry by it and proc_run caps helper programs by it, so a
 * hanging or dripping endpoint ends the run at the deadline.  No deadline
 * until one is set.
 */
/* Set it ms from now; ms <= 0 removes it. */
void timeutil_set_deadline_ms(long long ms);
/*
 * min(want_ms, time left) when a deadline is set, else want_ms (want_ms
 * <= 0 meaning "no limit of its own").  0 once the deadline has passed.
 */
long timeutil_cap_ms(long want_ms);
/* 1 when a deadline is set and has passed. */
int timeutil_deadline_passed(void);
/*
 * Set the deadline from the environment variable `name` (seconds, a whole
 * number; 0 means none), or dflt_s when unset.  0, or EKSKIT_ERR_USAGE
 * with a message for a bad value.
 */
struct ekskit_err;
int timeutil_deadline_from_env(const char *name, long dflt_s,
    struct ekskit_err *err);

#endif /* EKSKIT_TIMEUTIL_H */
