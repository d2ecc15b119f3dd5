/* Test hooks behind the loopback guard: see lib/testhook.h. */
#include <stdlib.h>
#include <string.h>

#include "testhook.h"

const char *
test_hook_env(const char *name)
{
	const char *guard = getenv("EKSKIT_TEST_LOOPBACK_ONLY");

	if (guard == NULL || strcmp(guard, "1") != 0)
		return NULL;
	return getenv(name);
}

long
test_hook_long(const char *name, long limit, long dflt)
{
	const char *v = test_hook_env(name);
	char *end;
	long n;

	if (v == NULL || *v == '\0')
		return dflt;
	n = strtol(v, &end, 10);
	return *end == '\0' && n > 0 && n < limit ? n : dflt;
}
