/*
 * The command of the exec blocks ekskit writes: a bare name (found on
 * kubectl's PATH) or an absolute path, for GUI clients (Lens, IDEs) that
 * do not inherit the shell's PATH.
 */
#ifndef EKSKIT_KUBECONFIG_EXECPATH_H
#define EKSKIT_KUBECONFIG_EXECPATH_H

#include "ekskit/error.h"

/*
 * --exec-command: a name without a slash is taken as is; one with a slash
 * must be an absolute path to an executable regular file (client-go
 * resolves a relative one against the kubeconfig's directory, which is
 * never what was meant).  EKSKIT_ERR_USAGE naming the flag otherwise.
 */
int kubeconfig_execpath_check(const char *cmd, struct ekskit_err *err);

/*
 * --exec-absolute: the absolute path of `cmd` (NULL: eks-token).  An
 * absolute cmd is checked and copied; a name is looked for beside the
 * running program (/proc/self/exe), then in PATH's absolute directories.
 * The result is an executable regular file.  *out malloc'd (caller frees).
 * EKSKIT_ERR_USAGE when cmd is relative with a slash, EKSKIT_ERR_NOT_FOUND
 * (naming where it looked) when there is none.
 */
int kubeconfig_execpath_resolve(const char *cmd, char **out,
    struct ekskit_err *err);

#endif /* EKSKIT_KUBECONFIG_EXECPATH_H */
