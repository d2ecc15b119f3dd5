/*
 * The floor for a kubeconfig merge: what libyaml itself needs to read a
 * file, parse it and emit the same events back into a new file.
 * bench/kubeconfig.sh builds and times it beside eks-kubeconfig.
 *
 * Usage: floor_yaml IN OUT.  Reads IN whole, runs every parser event
 * straight into an emitter writing to memory, then writes OUT.  Exit 0 on
 * success, 1 with a message on stderr otherwise.  No kubeconfig logic, no
 * lock, no fsync: a lower bound, not a competitor.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

struct mem {
	unsigned char *data;
	size_t len, cap;
};

static int
mem_write(void *arg, unsigned char *buf, size_t n)
{
	struct mem *m = arg;

	if (m->len + n > m->cap) {
		size_t cap = m->cap ? m->cap : 65536;
		unsigned char *p;

		while (cap < m->len + n)
			cap *= 2;
		if ((p = realloc(m->data, cap)) == NULL)
			return 0;
		m->data = p;
		m->cap = cap;
	}
	memcpy(m->data + m->len, buf, n);
	m->len += n;
	return 1;
}

static int
read_all(const char *path, struct mem *m)
{
	FILE *f = fopen(path, "rb");
	unsigned char buf[65536];
	size_t n;
	int ok = f != NULL;

	while (ok && (n = fread(buf, 1, sizeof(buf), f)) > 0)
		ok = mem_write(m, buf, n);
	if (f != NULL && ferror(f))
		ok = 0;
	if (f != NULL)
		fclose(f);
	return ok;
}

/* Parse events and hand each to the emitter; 1 on success. */
static int
copy_events(const struct mem *in, struct mem *out)
{
	yaml_parser_t p;
	yaml_emitter_t e;
	yaml_event_t ev;
	int ok = 1, done = 0;

	yaml_parser_initialize(&p);
	yaml_emitter_initialize(&e);
	yaml_parser_set_input_string(&p, in->data, in->len);
	yaml_emitter_set_output(&e, mem_write, out);
	yaml_emitter_set_unicode(&e, 1);
	while (ok && !done) {
		if (!yaml_parser_parse(&p, &ev)) {
			fprintf(stderr, "floor_yaml: parse error: %s\n",
			    p.problem ? p.problem : "?");
			ok = 0;
			break;
		}
		done = ev.type == YAML_STREAM_END_EVENT;
		/* yaml_emitter_emit takes the event (frees it) on success and failure */
		if (!yaml_emitter_emit(&e, &ev)) {
			fprintf(stderr, "floor_yaml: emit error: %s\n",
			    e.problem ? e.problem : "?");
			ok = 0;
		}
	}
	yaml_emitter_delete(&e);
	yaml_parser_delete(&p);
	return ok;
}

int
main(int argc, char **argv)
{
	struct mem in = { NULL, 0, 0 }, out = { NULL, 0, 0 };
	FILE *f;
	int ok;

	if (argc != 3) {
		fprintf(stderr, "usage: floor_yaml IN OUT\n");
		return 1;
	}
	ok = read_all(argv[1], &in) && copy_events(&in, &out);
	if (ok) {
		ok = (f = fopen(argv[2], "wb")) != NULL;
		if (ok && (fwrite(out.data, 1, out.len, f) != out.len))
			ok = 0;
		if (f != NULL && fclose(f) != 0)
			ok = 0;
		if (!ok)
			fprintf(stderr, "floor_yaml: cannot write %s\n", argv[2]);
	}
	free(in.data);
	free(out.data);
	return ok ? 0 : 1;
}
