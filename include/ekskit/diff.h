/*
 * Unified diffs of two texts, for --dry-run output (eks-hosts, eks-access's
 * aws-auth edits, eks-kubeconfig convert).  One hunk from the first to the
 * last changed line with 3 lines of context around it: the edits the tools
 * make are few and close together, and a single hunk is still a valid
 * unified diff when they are not.  Pure: no I/O.
 */
#ifndef EKSKIT_DIFF_H
#define EKSKIT_DIFF_H

#include <stddef.h>

#include "ekskit/buf.h"

/*
 * Append the diff from a[0..alen) to b[0..blen) to out, with the headers
 * "--- label_a" and "+++ label_b"; nothing when the texts are equal.  The
 * texts come from files others may write, so every control character but
 * tab is shown as '?' (a CR ending a CRLF line is dropped), and a last line
 * without a newline is marked as diff(1) marks it.  0 or EKSKIT_ERR_NOMEM
 * (out may then hold part of the diff).
 */
int ek_unified_diff(const char *a, size_t alen, const char *b, size_t blen,
    const char *label_a, const char *label_b, struct ekbuf *out);

#endif /* EKSKIT_DIFF_H */
