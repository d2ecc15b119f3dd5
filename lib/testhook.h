/*
 * Internal to lib/: test hooks.  A hook is an environment variable that
 * changes behaviour for a test (shorter deadlines, injected failures, a
 * pause at a chosen point).  It is honoured only when
 * EKSKIT_TEST_LOOPBACK_ONLY=1 is set too, so a stray variable in a user's
 * environment never weakens a tool.
 */
#ifndef EKSKIT_TESTHOOK_H
#define EKSKIT_TESTHOOK_H

/* getenv(name) when the loopback guard is on, else NULL. */
const char *test_hook_env(const char *name);

/*
 * The hook's value as a positive number of milliseconds (or bytes), when
 * set and below `limit`; else `dflt`.
 */
long test_hook_long(const char *name, long limit, long dflt);

#endif /* EKSKIT_TESTHOOK_H */
