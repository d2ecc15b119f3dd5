/*
 * libFuzzer harness for lib/kubeconfig_convert.c (`make fuzz`).
 *
 * Any input either fails to parse as a kubeconfig, or every user's exec
 * block is read (kcv_parse_exec), its arguments rebuilt for both targets,
 * the block edited in place, and the emitted document must parse again.
 * The input also goes through kcv_redact, which must keep its line count.
 * Seeds: tests/fuzz/corpus/kubeconfig_convert/.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ekskit/kubeconfig.h"
#include "ekskit/kubeconfig_convert.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
convert_user(struct kubeconfig *kc, size_t i)
{
	struct kc_exec_edit ed;
	struct kcv_auth a;
	struct kc_user *u;
	char **args;

	if (kubeconfig_get_user_at(kc, i, &u, NULL) != 0)
		return;
	if (u->exec != NULL && kcv_parse_exec(u->exec, &a, NULL) == 0) {
		if (a.region == NULL)
			a.region = strdup("us-east-1");
		if ((args = kcv_build_args(&a, KCV_TO_AWS, NULL)) != NULL)
			ek_strv_free(args);
		if ((args = kcv_build_args(&a, KCV_TO_EKS_TOKEN, NULL)) != NULL) {
			memset(&ed, 0, sizeof(ed));
			ed.api_version = KC_EXEC_API_V1BETA1;
			ed.command = "eks-token";
			ed.args = (const char *const *)args;
			while (args[ed.nargs] != NULL)
				ed.nargs++;
			ed.install_hint = "line 1\nline 2\n";
			(void)kubeconfig_edit_exec(kc, i, &ed, NULL, NULL);
			ek_strv_free(args);
		}
		kcv_auth_release(&a);
	}
	kc_user_free(u);
}

static size_t
lines(const char *p, size_t n)
{
	size_t c = 0;

	while (n-- > 0)
		c += *p++ == '\n';
	return c;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kubeconfig *kc, *again;
	struct ekbuf out, red;
	size_t i;

	ekbuf_init(&red, 0);
	if (kcv_redact((const char *)data, size, &red) != 0 ||
	    lines(red.data ? red.data : "", red.len) != lines((const char *)data, size))
		abort();
	ekbuf_release(&red);
	if (kubeconfig_parse("fuzz", (const char *)data, size, &kc, NULL) != 0)
		return 0;
	for (i = 0; i < kubeconfig_count(kc, KC_USERS); i++)
		convert_user(kc, i);
	ekbuf_init(&out, 0);
	if (kubeconfig_emit(kc, &out, NULL) != 0)
		abort();
	if (kubeconfig_parse("again", out.data ? out.data : "", out.len, &again, NULL) != 0)
		abort();
	if (kubeconfig_count(again, KC_USERS) != kubeconfig_count(kc, KC_USERS))
		abort();
	kubeconfig_free(again);
	kubeconfig_free(kc);
	ekbuf_release(&out);
	return 0;
}
