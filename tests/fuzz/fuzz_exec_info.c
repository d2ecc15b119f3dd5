/*
 * libFuzzer harness for KUBERNETES_EXEC_INFO in lib/execcred.c (`make
 * fuzz`): the apiVersion handshake and a shared user's spec.cluster.config
 * either fail cleanly or give validated values.
 * Seeds: tests/fuzz/corpus/exec_info/.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ekskit/eks.h"
#include "ekskit/execcred.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct execcred_cluster_config c;
	const char *api;
	char *s = malloc(size + 1);

	if (s == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	(void)execcred_api_version(s, &api, NULL, NULL);
	if (execcred_cluster_config(s, &c, NULL) == 0) {
		const char *id = c.cluster_name ? c.cluster_name : c.cluster_id;
		if (id == NULL || !eks_cluster_name_valid(id))
			abort();
	}
	execcred_cluster_config_release(&c);
	free(s);
	return 0;
}
