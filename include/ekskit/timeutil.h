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

/*
 * A time as botocore writes it into the AWS CLI's caches: RFC 3339, or
 * "YYYY-MM-DDTHH:MM:SSUTC" (strftime %Z of a UTC datetime).  NULL is
 * EKSKIT_ERR_INVALID.
 */
int timeutil_parse_botocore(const char *s, time_t *out);

/* Format t (UTC) as "YYYY-MM-DDTHH:MM:SSZ" into out.  0 or EKSKIT_ERR_INVALID. */
int timeutil_format_rfc3339(time_t t, char out[TIMEUTIL_RFC3339_LEN]);

/* Milliseconds on the monotonic clock (for deadlines, not dates). */
long long timeutil_monotonic_ms(void);

/* Sleep ms milliseconds, resuming after signals. */
void timeutil_sleep_ms(long ms);

#endif /* EKSKIT_TIMEUTIL_H */
