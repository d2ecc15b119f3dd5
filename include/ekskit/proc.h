/*
 * Running a helper program with a time limit and its standard output
 * captured: credential_process commands and kubeconfig exec plugins.
 */
#ifndef EKSKIT_PROC_H
#define EKSKIT_PROC_H

#include "ekskit/buf.h"
#include "ekskit/error.h"

struct proc_spec {
	char *const *argv;     /* argv[0] is looked up in PATH; no shell */
	char *const *envp;     /* NULL = this process's environment */
	long timeout_ms;       /* for the whole run, output and exit both */
	int own_group;         /* own process group: a timeout kills its children too */
};

/* After the program exits, how long a background child holding its stdout is waited for. */
#define PROC_EOF_GRACE_MS 200

/*
 * Run the program with stdin from /dev/null, stdout read into out (a
 * secret buffer when the output holds credentials; bounded by out->max)
 * and stderr passed through.  A program that outlives the time limit, or
 * prints more than out->max, is killed (its whole process group with
 * own_group).  A program that exits while a child it left in the
 * background still holds stdout has answered: reading stops
 * PROC_EOF_GRACE_MS after its exit, and the child is left alone.
 *
 * 0 with *wstatus set (as from waitpid) when the program ran to its end;
 * EKSKIT_ERR_NOT_FOUND when it could not be started (*spawn_errno says
 * why); EKSKIT_ERR_TIMEOUT; EKSKIT_ERR_NOMEM (too much output);
 * EKSKIT_ERR_IO.  err gets a short message; callers name the program.
 */
int proc_run(const struct proc_spec *p, struct ekbuf *out, int *wstatus,
    int *spawn_errno, struct ekskit_err *err);

/*
 * 1 when path is absolute, a regular executable file owned by root and
 * writable by no one else, in a directory with the same properties: safe
 * to run as root (--flush-dns never searches PATH).
 */
int proc_program_trusted(const char *path);

/*
 * For tools that hold secrets (eks-token, eks-satoken, ...), first thing
 * in main: no core dumps (RLIMIT_CORE soft limit 0) and not dumpable
 * (prctl PR_SET_DUMPABLE 0: no core, no ptrace by other processes of the
 * user).  EKSKIT_ALLOW_CORE_DUMPS=1 skips it, for debugging.  0 or -1.
 */
int proc_protect_secrets(void);

#endif /* EKSKIT_PROC_H */
