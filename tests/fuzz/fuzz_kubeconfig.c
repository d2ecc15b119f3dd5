/*
 * libFuzzer harness for lib/kubeconfig.c (`make fuzz`).
 *
 * Any input either fails to parse with a message, or parses; then the
 * readers run over every context, an EKS entry set is merged in, and the
 * emitted document must parse again and still hold every entry (our own
 * output is always readable).  Seeds: tests/fuzz/corpus/kubeconfig/.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ekskit/kubeconfig.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define W(s) ((char *)(s))

static void
read_all(const struct kubeconfig *kc)
{
	struct kc_context *ctx;
	struct kc_cluster *cl;
	struct kc_user *u;
	size_t i;

	for (i = 0; i < kubeconfig_count(kc, KC_CONTEXTS); i++) {
		const char *name = kubeconfig_name_at(kc, KC_CONTEXTS, i);
		if (name == NULL || kubeconfig_get_context(kc, name, &ctx, NULL) != 0)
			continue;
		if (ctx->cluster && kubeconfig_get_cluster(kc, ctx->cluster, &cl, NULL) == 0)
			kc_cluster_free(cl);
		if (ctx->user && kubeconfig_get_user(kc, ctx->user, &u, NULL) == 0)
			kc_user_free(u);
		kc_context_free(ctx);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char *args[] = { W("--cluster-name"), W("f"), W("--region"), W("us-east-1") };
	struct kc_exec ex = { W(KC_EXEC_API_V1BETA1), W("eks-token"), args, 4, NULL, 0, NULL, 0 };
	struct kc_user u = { W("fuzz-user"), NULL, NULL, NULL, NULL, NULL, NULL, &ex };
	struct kc_cluster c = { W("fuzz-cluster"), W("https://x"), W("Q0EK"), NULL, NULL, NULL, 0 };
	struct kc_context x = { W("fuzz"), W("fuzz-cluster"), W("fuzz-user"), NULL };
	struct kubeconfig *kc, *again;
	struct ekbuf out;

	if (kubeconfig_parse("fuzz", (const char *)data, size, &kc, NULL) != 0)
		return 0;
	read_all(kc);
	if (kubeconfig_set_cluster(kc, &c, NULL, NULL) != 0 ||
	    kubeconfig_set_user(kc, &u, NULL, NULL) != 0 ||
	    kubeconfig_set_context(kc, &x, NULL, NULL) != 0 ||
	    kubeconfig_set_current_context(kc, "fuzz", NULL, NULL) != 0)
		abort();
	ekbuf_init(&out, 0);
	if (kubeconfig_emit(kc, &out, NULL) == 0) {
		/* what we write must read back, with our entries in it */
		if (kubeconfig_parse("again", out.data, out.len, &again, NULL) != 0)
			abort();
		if (!kubeconfig_has(again, KC_CONTEXTS, "fuzz") ||
		    !kubeconfig_has(again, KC_USERS, "fuzz-user") ||
		    !kubeconfig_has(again, KC_CLUSTERS, "fuzz-cluster"))
			abort();
		read_all(again);
		kubeconfig_free(again);
	}
	ekbuf_release(&out);
	kubeconfig_free(kc);
	return 0;
}
