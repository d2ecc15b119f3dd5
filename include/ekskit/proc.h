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

/*
 * Run the program with stdin from /dev/null, stdout read into out (a
 * secret buffer when the output holds credentials; bounded by out->max)
 * and stderr passed through.  A program that outlives the time limit, or
 * prints more than out->max, is killed.
 *
 * 0 with *wstatus set (as from waitpid) when the program ran to its end;
 * EKSKIT_ERR_NOT_FOUND when it could not be started (*spawn_errno says
 * why); EKSKIT_ERR_TIMEOUT; EKSKIT_ERR_NOMEM (too much output);
 * EKSKIT_ERR_IO.  err gets a short message; callers name the program.
 */
int proc_run(const struct proc_spec *p, struct ekbuf *out, int *wstatus,
    int *spawn_errno, struct ekskit_err *err);

#endif /* EKSKIT_PROC_H */
