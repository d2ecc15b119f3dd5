/*
 * Exec commands as names or absolute paths: see
 * include/ekskit/kubeconfig_execpath.h.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ekskit/buf.h"
#include "ekskit/kubeconfig_execpath.h"

#define DEFAULT_COMMAND "eks-token"

static int
executable_file(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

int
kubeconfig_execpath_check(const char *cmd, struct ekskit_err *err)
{
	if (cmd == NULL || strchr(cmd, '/') == NULL)
		return EKSKIT_OK;
	if (cmd[0] != '/')
		return ekskit_err_set(err, EKSKIT_ERR_USAGE,
		    "--exec-command %s: a path must be absolute (kubectl would look "
		    "for it relative to the kubeconfig); use --exec-absolute to write "
		    "eks-token's full path", cmd);
	if (!executable_file(cmd))
		return ekskit_err_set(err, EKSKIT_ERR_USAGE,
		    "--exec-command %s is not an executable file", cmd);
	return EKSKIT_OK;
}

/* dir/name when that is an executable file; malloc'd, else NULL. */
static char *
candidate(const char *dir, size_t dirlen, const char *name)
{
	char *p;

	if (dirlen == 0 || dir[0] != '/')       /* relative PATH entries: never */
		return NULL;
	if (asprintf(&p, "%.*s/%s", (int)dirlen, dir, name) < 0)
		return NULL;
	if (executable_file(p))
		return p;
	free(p);
	return NULL;
}

/* Beside the running program: eks-kubeconfig and eks-token are installed together. */
static char *
beside_self(const char *name)
{
	char self[PATH_MAX], *slash;
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n <= 0)
		return NULL;
	self[n] = '\0';
	if ((slash = strrchr(self, '/')) == NULL)
		return NULL;
	return candidate(self, (size_t)(slash - self), name);
}

static char *
on_path(const char *name)
{
	const char *path = getenv("PATH"), *p, *end;
	char *found = NULL;

	for (p = path; p != NULL && *p != '\0' && found == NULL; p = *end ? end + 1 : end) {
		end = strchr(p, ':');
		if (end == NULL)
			end = p + strlen(p);
		found = candidate(p, (size_t)(end - p), name);
	}
	return found;
}

int
kubeconfig_execpath_resolve(const char *cmd, char **out, struct ekskit_err *err)
{
	const char *name = cmd ? cmd : DEFAULT_COMMAND;
	int r;

	*out = NULL;
	if (strchr(name, '/') != NULL) {
		if ((r = kubeconfig_execpath_check(name, err)) != EKSKIT_OK)
			return r;
		*out = strdup(name);
	} else if ((*out = beside_self(name)) == NULL && (*out = on_path(name)) == NULL) {
		return ekskit_err_set(err, EKSKIT_ERR_NOT_FOUND,
		    "--exec-absolute: no executable %s beside this program or in PATH; "
		    "install ekskit or pass --exec-command /full/path/to/%s", name, name);
	}
	if (*out == NULL)
		return ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	return EKSKIT_OK;
}
