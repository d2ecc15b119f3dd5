#!/usr/bin/env bash
# Every relative link in README.md, docs/*.md and tests/README.md resolves: the
# file (or directory) exists and, for `#anchor` links into Markdown, a heading
# with that GitHub anchor exists.  First proves the checker catches broken
# links, on a scratch tree.
. "$(dirname "$0")/../lib/common.sh"
test_env

check_links() {  # root file... ; prints one line per broken link, exit 1 if any
	"$PYTHON" - "$@" <<'EOF'
import os, re, sys

root, files = sys.argv[1], sys.argv[2:]
LINK = re.compile(r'(?<!!)\[(?:[^\]\[]|\[[^\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)')
FENCE = re.compile(r'^\s*(```|~~~)')

def strip_code(text):
    """The text without fenced blocks and inline code spans."""
    out, fenced = [], False
    for line in text.split('\n'):
        if FENCE.match(line):
            fenced = not fenced
            out.append('')
            continue
        out.append('' if fenced else re.sub(r'`[^`]*`', '', line))
    return out

def slug(heading):
    """GitHub's anchor for a heading: lowercase, punctuation dropped, spaces to '-'."""
    h = re.sub(r'`', '', heading.strip().lower())
    h = re.sub(r'\[([^\]]*)\]\([^)]*\)', r'\1', h)
    h = re.sub(r'[^\w\- ]', '', h)
    return h.replace(' ', '-')

def anchors(path, cache={}):
    if path not in cache:
        seen, found, fenced = {}, set(), False
        for line in open(path, encoding='utf-8').read().split('\n'):
            if FENCE.match(line):
                fenced = not fenced
                continue
            m = None if fenced else re.match(r'^#{1,6}\s+(.*?)\s*#*\s*$', line)
            if not m:
                continue
            s = slug(m.group(1))
            n = seen.get(s, 0)
            seen[s] = n + 1
            found.add(s if n == 0 else f'{s}-{n}')
        cache[path] = found
    return cache[path]

bad = 0
for f in files:
    path = os.path.join(root, f)
    for lineno, line in enumerate(strip_code(open(path, encoding='utf-8').read()), 1):
        for target in LINK.findall(line):
            if re.match(r'^[a-z][a-z0-9+.-]*:', target, re.I):
                continue          # http:, https:, mailto: ...
            file_part, _, anchor = target.partition('#')
            dest = os.path.normpath(os.path.join(os.path.dirname(path), file_part)) if file_part else path
            if not os.path.exists(dest):
                print(f'{f}:{lineno}: {target}: no such file')
                bad = 1
            elif anchor and dest.endswith('.md') and anchor not in anchors(dest):
                print(f'{f}:{lineno}: {target}: no heading with anchor #{anchor}')
                bad = 1
sys.exit(bad)
EOF
}

# The checker itself: a scratch tree with good and broken links.
mkdir -p "$T/scratch/docs"
cat >"$T/scratch/README.md" <<'EOF'
# Top
## Quick start — eks-token
[ok](docs/a.md) [ok anchor](docs/a.md#the-cache) [self](#quick-start--eks-token)
[missing file](docs/nope.md) [missing anchor](docs/a.md#nothing-here)
`[in code](docs/gone.md)`
```
[in a fence](docs/gone2.md)
```
EOF
printf '# A\n## The cache\n[back](../README.md#top) [dup](#a-1)\n# A\n' >"$T/scratch/docs/a.md"
out=$(check_links "$T/scratch" README.md docs/a.md); rc=$?
assert_eq 1 "$rc" "checker fails on broken links"
assert_contains "$out" "README.md:4: docs/nope.md: no such file" "missing file reported"
assert_contains "$out" "README.md:4: docs/a.md#nothing-here: no heading" "missing anchor reported"
assert_eq 2 "$(printf '%s\n' "$out" | grep -c .)" "only the two broken links reported (code and good links pass)"

# The real documentation.
cd "$TOP" || die "no $TOP"
files=(README.md tests/README.md docs/*.md)
[ -e docs/credentials.md ] || fail "docs/ is missing"
out=$(check_links "$TOP" "${files[@]}"); rc=$?
if [ "$rc" = 0 ]; then ok "every relative link in ${#files[@]} files resolves"; else
	fail "broken links:"; printf '%s\n' "$out" >&2; fi
finish
