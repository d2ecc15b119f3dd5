/*
 * libFuzzer harness for lib/eks_parse.c (`make fuzz`): DescribeCluster and
 * ListClusters bodies.  A parsed cluster always has name, arn and status.
 * Seeds: tests/fuzz/corpus/eks/.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "ekskit/eks.h"
#include "ekskit/buf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct eks_cluster *cl;
	char **names = NULL, *next = NULL, *region;
	size_t n = 0;

	if (eks_cluster_parse((const char *)data, size, &cl, NULL) == 0) {
		if (cl->name == NULL || cl->arn == NULL || cl->status == NULL)
			abort();
		region = eks_arn_region(cl->arn);
		free(region);
		eks_cluster_free(cl);
	}
	if (eks_list_page_parse((const char *)data, size, &names, &n, &next, NULL) == 0)
		free(next);
	ek_strv_free(names);
	return 0;
}
