/* RFC 3339 timestamps in UTC: see include/ekskit/timeutil.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <time.h>

#include "ekskit/error.h"
#include "ekskit/timeutil.h"

static int
digits(const char *s, int n, int *out)
{
	int v = 0, i;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

static int
days_in_month(int year, int month)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;

	return month == 2 && leap ? 29 : days[month - 1];
}

/* Zone suffix at s: "Z", "+HH:MM", "+HHMM".  Offset in seconds east of UTC. */
static int
parse_zone(const char *s, long *offset)
{
	int hh, mm, sign;

	if ((s[0] == 'Z' || s[0] == 'z') && s[1] == '\0') {
		*offset = 0;
		return 0;
	}
	if (s[0] != '+' && s[0] != '-')
		return -1;
	sign = s[0] == '-' ? -1 : 1;
	if (digits(s + 1, 2, &hh) != 0)
		return -1;
	if (s[3] == ':') {
		if (digits(s + 4, 2, &mm) != 0 || s[6] != '\0')
			return -1;
	} else if (digits(s + 3, 2, &mm) != 0 || s[5] != '\0') {
		return -1;
	}
	if (hh > 23 || mm > 59)
		return -1;
	*offset = sign * (hh * 3600L + mm * 60L);
	return 0;
}

int
timeutil_parse_rfc3339(const char *s, time_t *out)
{
	struct tm tm;
	int y, mo, d, h, mi, sec;
	long offset;
	time_t t;

	if (s == NULL || strlen(s) < 20)
		return EKSKIT_ERR_INVALID;
	if (digits(s, 4, &y) || s[4] != '-' || digits(s + 5, 2, &mo) || s[7] != '-' ||
	    digits(s + 8, 2, &d) || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
	    digits(s + 11, 2, &h) || s[13] != ':' || digits(s + 14, 2, &mi) ||
	    s[16] != ':' || digits(s + 17, 2, &sec))
		return EKSKIT_ERR_INVALID;
	if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h > 23 ||
	    mi > 59 || sec > 60)
		return EKSKIT_ERR_INVALID;
	s += 19;
	if (*s == '.') {
		s++;
		if (*s < '0' || *s > '9')
			return EKSKIT_ERR_INVALID;
		while (*s >= '0' && *s <= '9')
			s++;
	}
	if (parse_zone(s, &offset) != 0)
		return EKSKIT_ERR_INVALID;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec == 60 ? 59 : sec;   /* leap second: clamp */
	t = timegm(&tm);
	if (t == (time_t)-1 && !(y == 1969 && mo == 12 && d == 31))
		return EKSKIT_ERR_INVALID;
	*out = t - offset;
	return EKSKIT_OK;
}

int
timeutil_format_rfc3339(time_t t, char out[TIMEUTIL_RFC3339_LEN])
{
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL || tm.tm_year + 1900 > 9999 || tm.tm_year + 1900 < 0) {
		out[0] = '\0';
		return EKSKIT_ERR_INVALID;
	}
	if (strftime(out, TIMEUTIL_RFC3339_LEN, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0) {
		out[0] = '\0';
		return EKSKIT_ERR_INVALID;
	}
	return EKSKIT_OK;
}

long long
timeutil_monotonic_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
timeutil_sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

static long long deadline_ms;   /* monotonic; 0 = none */

void
timeutil_set_deadline_ms(long long ms)
{
	deadline_ms = ms > 0 ? timeutil_monotonic_ms() + ms : 0;
}

long
timeutil_cap_ms(long want_ms)
{
	long long left;

	if (deadline_ms == 0)
		return want_ms;
	left = deadline_ms - timeutil_monotonic_ms();
	if (left <= 0)
		return 0;
	return want_ms > 0 && want_ms < left ? want_ms : (long)left;
}

int
timeutil_deadline_passed(void)
{
	return deadline_ms != 0 && timeutil_monotonic_ms() >= deadline_ms;
}

int
timeutil_deadline_from_env(const char *name, long dflt_s, struct ekskit_err *err)
{
	const char *v = getenv(name);
	char *end;
	long s = dflt_s;

	if (v != NULL && *v != '\0') {
		s = strtol(v, &end, 10);
		if (*end != '\0' || s < 0 || s > 86400)
			return ekskit_err_set(err, EKSKIT_ERR_USAGE, "%s must be a "
			    "number of seconds between 0 (no limit) and 86400, not "
			    "'%.32s'", name, v);
	}
	timeutil_set_deadline_ms((long long)s * 1000);
	return EKSKIT_OK;
}
