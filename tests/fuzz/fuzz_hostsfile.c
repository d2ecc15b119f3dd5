/*
 * libFuzzer harness for the hosts-file block editor (lib/hostsfile.c).
 *
 * The input is an arbitrary hosts file.  Properties checked on every input
 * that edits successfully:
 *   - inserting a block and removing it again gives back the input bytes;
 *   - a second identical edit reports no change;
 *   - lookups and the unified diff never fail on valid text;
 *   - every block is listed, and stripping them all leaves no marker of a
 *     listed block (--list, --restore's "is it ours" check).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ekskit/buf.h"
#include "ekskit/diff.h"
#include "ekskit/hostsfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const addrs[] = { "10.0.1.5", "fd00::5" };
#define HOST "abc.gr7.us-west-2.eks.amazonaws.com"

static int
lists(const char *t, size_t len)
{
	struct hostsfile_block *b = NULL;
	size_t n = 0;
	int ok = hostsfile_list_blocks(t, len, &b, &n, NULL) == 0;

	hostsfile_blocks_free(b, n);
	return ok;
}

/* The edited text lists our block; stripping every block removes it. */
static void
check_blocks(const char *t, size_t len)
{
	struct hostsfile_block *b = NULL;
	char *s = NULL, **v = NULL;
	size_t n = 0, slen, i;
	int found = 0, has_demo = 0;

	if (hostsfile_list_blocks(t, len, &b, &n, NULL) != 0)
		abort();
	for (i = 0; i < n; i++)
		if (strcmp(b[i].region, "us-west-2") == 0 && strcmp(b[i].cluster, "demo") == 0)
			has_demo = 1;
	hostsfile_blocks_free(b, n);
	if (!has_demo || hostsfile_strip_blocks(t, len, &s, &slen, NULL) != 0)
		abort();
	if (hostsfile_block_addrs(s, slen, "us-west-2", "demo", HOST, &v, &found, NULL) != 0 ||
	    found)
		abort();
	ek_strv_free(v);
	free(s);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *in = (const char *)data;
	char *a = NULL, *b = NULL, *c = NULL, **v = NULL;
	size_t alen, blen, clen;
	int ch, found;
	struct ekbuf d;

	if (size > 1 << 20)
		return 0;
	if (hostsfile_edit(in, size, "us-west-2", "demo", HOST, addrs, 2, &a, &alen,
	    &ch, NULL) != 0)
		return 0;     /* a damaged block: refused, fine */
	if (hostsfile_edit(a, alen, "us-west-2", "demo", HOST, addrs, 2, &b, &blen,
	    &ch, NULL) != 0 || ch != 0 || blen != alen || memcmp(a, b, alen) != 0)
		abort();
	/* removing from the edited text restores the input unless the input
	 * already had a block of its own (then the original block is gone) */
	if (hostsfile_block_addrs(in, size, "us-west-2", "demo", HOST, &v, &found,
	    NULL) != 0)
		abort();
	ek_strv_free(v);
	if (hostsfile_edit(a, alen, "us-west-2", "demo", NULL, NULL, 0, &c, &clen,
	    &ch, NULL) != 0)
		abort();
	if (!found && (clen != size || memcmp(c, in, size) != 0))
		abort();
	if (hostsfile_lookup(a, alen, HOST, &v, NULL) != 0)
		abort();
	ek_strv_free(v);
	ekbuf_init(&d, 0);
	if (ek_unified_diff(in, size, a, alen, "a", "b", &d) != 0)
		abort();
	ekbuf_release(&d);
	if (lists(in, size))    /* another key's damaged block stays damaged */
		check_blocks(a, alen);
	free(a);
	free(b);
	free(c);
	return 0;
}
