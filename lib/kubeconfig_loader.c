/* One-pass kubeconfig YAML loader: see lib/kubeconfig_loader.h. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "ekskit/buf.h"
#include "kubeconfig_loader.h"

#define MAX_ANCHORS (KC_LOADER_MAX_ALIASES * 10)

struct anchor {
	char *name;
	int id;
};

struct loader {
	const char *name;
	size_t len;                             /* of the input */
	yaml_document_t *doc;
	int open[KC_LOADER_MAX_DEPTH + 1];      /* collections being filled */
	int key[KC_LOADER_MAX_DEPTH + 1];       /* mapping: key waiting for its value */
	int depth;
	int docs;
	int aliases;
	struct anchor *anchors;
	size_t nanchors;
	struct ekskit_err *err;
};

static int
invalid(struct loader *l, const yaml_event_t *ev, const char *what)
{
	return ekskit_err_set(l->err, EKSKIT_ERR_INVALID, "%s: invalid yaml at "
	    "line %lu: %s; fix or move the file", l->name,
	    (unsigned long)ev->start_mark.line + 1, what);
}

static int
nomem(struct loader *l)
{
	return ekskit_err_set(l->err, EKSKIT_ERR_NOMEM, "out of memory");
}

static yaml_node_t *
node(struct loader *l, int id)
{
	return yaml_document_get_node(l->doc, id);
}

static int
anchor_find(const struct loader *l, const char *name)
{
	size_t i;

	for (i = l->nanchors; i > 0; i--)
		if (strcmp(l->anchors[i - 1].name, name) == 0)
			return l->anchors[i - 1].id;
	return 0;
}

static int
anchor_add(struct loader *l, const yaml_event_t *ev, const yaml_char_t *name, int id)
{
	struct anchor *a;

	if (name == NULL)
		return EKSKIT_OK;
	if (anchor_find(l, (const char *)name) != 0)
		return invalid(l, ev, "duplicate yaml anchor");
	if (l->nanchors >= MAX_ANCHORS)
		return invalid(l, ev, "too many yaml anchors");
	if ((a = realloc(l->anchors, (l->nanchors + 1) * sizeof(*a))) == NULL)
		return nomem(l);
	l->anchors = a;
	if ((a[l->nanchors].name = strdup((const char *)name)) == NULL)
		return nomem(l);
	a[l->nanchors++].id = id;
	return EKSKIT_OK;
}

/* Link a finished or opened node into the collection being filled. */
static int
attach(struct loader *l, int id)
{
	int parent;

	if (l->depth == 0)
		return EKSKIT_OK;       /* the root */
	parent = l->open[l->depth - 1];
	if (node(l, parent)->type == YAML_SEQUENCE_NODE)
		return yaml_document_append_sequence_item(l->doc, parent, id) ?
		    EKSKIT_OK : nomem(l);
	if (l->key[l->depth - 1] == 0) {
		l->key[l->depth - 1] = id;
		return EKSKIT_OK;
	}
	if (!yaml_document_append_mapping_pair(l->doc, parent, l->key[l->depth - 1], id))
		return nomem(l);
	l->key[l->depth - 1] = 0;
	return EKSKIT_OK;
}

/*
 * The default tags, shared by every node that has one instead of a copy
 * each (a 5,000-context file has about 200,000 nodes): nodes whose tag is
 * one of these pointers are released by kc_yaml_doc_free, which forgets the
 * pointer before libyaml frees the node.
 */
static yaml_char_t shared_tag[3][sizeof("tag:yaml.org,2002:map")] = {
	YAML_DEFAULT_SCALAR_TAG, YAML_DEFAULT_SEQUENCE_TAG, YAML_DEFAULT_MAPPING_TAG,
};

static int
is_shared_tag(const yaml_char_t *tag)
{
	return tag == shared_tag[0] || tag == shared_tag[1] || tag == shared_tag[2];
}

/*
 * The node's tag: the event's own (taken from it), or the shared default
 * when it has none or only the non-specific "!".
 */
static yaml_char_t *
take_tag(yaml_char_t **tag, int kind)
{
	yaml_char_t *t = *tag;

	if (t == NULL || strcmp((const char *)t, "!") == 0)
		return shared_tag[kind];
	*tag = NULL;
	return t;
}

/* Free what a node outside any document owns; a scalar is wiped first. */
static void
release_node(yaml_node_t *n)
{
	if (!is_shared_tag(n->tag))
		free(n->tag);
	if (n->type == YAML_SCALAR_NODE && n->data.scalar.value != NULL) {
		OPENSSL_cleanse(n->data.scalar.value, n->data.scalar.length);
		free(n->data.scalar.value);
	} else if (n->type == YAML_SEQUENCE_NODE) {
		free(n->data.sequence.items.start);
	} else if (n->type == YAML_MAPPING_NODE) {
		free(n->data.mapping.pairs.start);
	}
}

/* Append a node to the document; its id, or 0 when memory runs out. */
static int
push_node(yaml_document_t *d, const yaml_node_t *n)
{
	size_t cap = (size_t)(d->nodes.end - d->nodes.start), used;
	yaml_node_t *p;

	used = (size_t)(d->nodes.top - d->nodes.start);
	if (used >= (size_t)INT_MAX - 1)
		return 0;
	if (d->nodes.top == d->nodes.end) {
		cap = cap ? cap * 2 : 64;
		if ((p = realloc(d->nodes.start, cap * sizeof(*p))) == NULL)
			return 0;
		d->nodes.start = p;
		d->nodes.top = p + used;
		d->nodes.end = p + cap;
	}
	*d->nodes.top++ = *n;
	return (int)(used + 1);
}

/*
 * The node for a scalar or collection start event.  Scalars take the
 * event's value instead of copying it (libyaml's own loader does the same):
 * one copy fewer of every token and key in the file, and half the memory.
 * Collections start with a small item stack that libyaml grows on append.
 */
static int
add_node(struct loader *l, yaml_event_t *ev)
{
	yaml_node_t n;
	size_t items = ev->type == YAML_MAPPING_START_EVENT ?
	    sizeof(yaml_node_pair_t) : sizeof(yaml_node_item_t);
	void *stack = NULL;
	int id;

	/* most kubeconfig mappings hold 2 or 3 pairs: libyaml's 16 waste memory */
	if (ev->type != YAML_SCALAR_EVENT && (stack = malloc(4 * items)) == NULL)
		return 0;
	memset(&n, 0, sizeof(n));
	n.start_mark = ev->start_mark;
	n.end_mark = ev->end_mark;
	switch (ev->type) {
	case YAML_SCALAR_EVENT:
		n.type = YAML_SCALAR_NODE;
		n.data.scalar.value = ev->data.scalar.value;
		n.data.scalar.length = ev->data.scalar.length;
		n.data.scalar.style = ev->data.scalar.style;
		/* "!!str 42" and "! 42" are strings; written back untagged and
		 * plain they would read as numbers: quoting keeps them strings */
		if (n.data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
		    ev->data.scalar.tag != NULL &&
		    (strcmp((const char *)ev->data.scalar.tag, "!") == 0 ||
		    strcmp((const char *)ev->data.scalar.tag, YAML_STR_TAG) == 0))
			n.data.scalar.style = YAML_SINGLE_QUOTED_SCALAR_STYLE;
		n.tag = take_tag(&ev->data.scalar.tag, 0);
		ev->data.scalar.value = NULL;
		break;
	case YAML_SEQUENCE_START_EVENT:
		n.type = YAML_SEQUENCE_NODE;
		n.data.sequence.items.start = n.data.sequence.items.top = stack;
		n.data.sequence.items.end = n.data.sequence.items.start + 4;
		n.data.sequence.style = ev->data.sequence_start.style;
		n.tag = take_tag(&ev->data.sequence_start.tag, 1);
		break;
	default:
		n.type = YAML_MAPPING_NODE;
		n.data.mapping.pairs.start = n.data.mapping.pairs.top = stack;
		n.data.mapping.pairs.end = n.data.mapping.pairs.start + 4;
		n.data.mapping.style = ev->data.mapping_start.style;
		n.tag = take_tag(&ev->data.mapping_start.tag, 2);
		break;
	}
	if ((id = push_node(l->doc, &n)) == 0)
		release_node(&n);
	return id;
}

static int
on_node(struct loader *l, yaml_event_t *ev)
{
	const yaml_char_t *anchor;
	int id, r;

	anchor = ev->type == YAML_SCALAR_EVENT ? ev->data.scalar.anchor :
	    ev->type == YAML_SEQUENCE_START_EVENT ? ev->data.sequence_start.anchor :
	    ev->data.mapping_start.anchor;
	if ((id = add_node(l, ev)) == 0)
		return nomem(l);
	if ((r = anchor_add(l, ev, anchor, id)) != EKSKIT_OK ||
	    (r = attach(l, id)) != EKSKIT_OK || ev->type == YAML_SCALAR_EVENT)
		return r;
	if (l->depth >= KC_LOADER_MAX_DEPTH)
		return ekskit_err_set(l->err, EKSKIT_ERR_INVALID, "%s: yaml nested "
		    "deeper than %d levels (line %lu)", l->name, KC_LOADER_MAX_DEPTH,
		    (unsigned long)ev->start_mark.line + 1);
	l->key[l->depth] = 0;
	l->open[l->depth++] = id;
	return EKSKIT_OK;
}

static int
on_alias(struct loader *l, const yaml_event_t *ev)
{
	int id = anchor_find(l, (const char *)ev->data.alias.anchor);

	if (++l->aliases > KC_LOADER_MAX_ALIASES)
		return ekskit_err_set(l->err, EKSKIT_ERR_INVALID,
		    "%s: more than %d yaml aliases", l->name, KC_LOADER_MAX_ALIASES);
	if (id == 0)
		return invalid(l, ev, "yaml alias to an undefined anchor");
	return attach(l, id);
}

/*
 * Room for the nodes a file of this size usually holds (one per ~32
 * bytes), so the node array is not copied at every doubling of a large
 * file.  libyaml keeps it as a public start/top/end stack; growing it
 * further stays libyaml's job.
 */
static int
presize_nodes(struct loader *l)
{
	size_t want = l->len / 32, cap;
	yaml_node_t *n;

	cap = (size_t)(l->doc->nodes.end - l->doc->nodes.start);
	if (want <= cap || l->doc->nodes.top != l->doc->nodes.start)
		return EKSKIT_OK;
	/* a large file's nodes fill tens of MB: huge pages where offered */
	if ((n = ek_malloc_large(want * sizeof(*n))) == NULL)
		return EKSKIT_OK;       /* grown as needed instead */
	free(l->doc->nodes.start);
	l->doc->nodes.start = l->doc->nodes.top = n;
	l->doc->nodes.end = n + want;
	return EKSKIT_OK;
}

static int
on_event(struct loader *l, yaml_event_t *ev)
{
	switch (ev->type) {
	case YAML_DOCUMENT_START_EVENT:
		if (++l->docs > 1)
			return ekskit_err_set(l->err, EKSKIT_ERR_INVALID, "%s: more than "
			    "one yaml document (line %lu); a kubeconfig holds exactly "
			    "one", l->name, (unsigned long)ev->start_mark.line + 1);
		kc_yaml_doc_free(l->doc);
		if (!yaml_document_initialize(l->doc,
		    ev->data.document_start.version_directive,
		    ev->data.document_start.tag_directives.start,
		    ev->data.document_start.tag_directives.end,
		    ev->data.document_start.implicit, 1))
			return nomem(l);
		return presize_nodes(l);
	case YAML_DOCUMENT_END_EVENT:
		l->doc->end_implicit = ev->data.document_end.implicit;
		return EKSKIT_OK;
	case YAML_SCALAR_EVENT:
	case YAML_SEQUENCE_START_EVENT:
	case YAML_MAPPING_START_EVENT:
		return on_node(l, ev);
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT:
		node(l, l->open[l->depth - 1])->end_mark = ev->end_mark;
		l->depth--;
		return EKSKIT_OK;
	case YAML_ALIAS_EVENT:
		return on_alias(l, ev);
	default:
		return EKSKIT_OK;
	}
}

static int
parse_problem(const struct loader *l, const yaml_parser_t *p)
{
	if (p->error == YAML_MEMORY_ERROR)
		return ekskit_err_set(l->err, EKSKIT_ERR_NOMEM, "out of memory");
	return ekskit_err_set(l->err, EKSKIT_ERR_INVALID,
	    "%s: invalid yaml at line %lu column %lu: %s%s%s; fix or move the file",
	    l->name, (unsigned long)p->problem_mark.line + 1,
	    (unsigned long)p->problem_mark.column + 1,
	    p->problem ? p->problem : "parse error",
	    p->context ? " " : "", p->context ? p->context : "");
}

int
kc_yaml_load(const char *name, const char *data, size_t len,
    yaml_document_t *doc, struct ekskit_err *err)
{
	struct loader l;
	yaml_parser_t p;
	yaml_event_t ev;
	int r = EKSKIT_OK, done = 0;
	size_t i;

	memset(&l, 0, sizeof(l));
	l.name = name;
	l.len = len;
	l.doc = doc;
	l.err = err;
	/* an empty stream still yields a (rootless) document */
	if (!yaml_document_initialize(doc, NULL, NULL, NULL, 1, 1))
		return ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	yaml_parser_initialize(&p);
	yaml_parser_set_input_string(&p, (const unsigned char *)data, len);
	while (!done && r == EKSKIT_OK) {
		if (!yaml_parser_parse(&p, &ev)) {
			r = parse_problem(&l, &p);
			break;
		}
		done = ev.type == YAML_STREAM_END_EVENT;
		r = on_event(&l, &ev);
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&p);
	for (i = 0; i < l.nanchors; i++)
		free(l.anchors[i].name);
	free(l.anchors);
	if (r != EKSKIT_OK)
		kc_yaml_doc_free(doc);    /* what was read may hold keys and tokens */
	return r;
}

void
kc_yaml_doc_free(yaml_document_t *doc)
{
	yaml_node_t *n;

	if (doc == NULL)
		return;
	for (n = doc->nodes.start; n != NULL && n < doc->nodes.top; n++) {
		if (n->type == YAML_SCALAR_NODE && n->data.scalar.value != NULL)
			OPENSSL_cleanse(n->data.scalar.value, n->data.scalar.length);
		if (is_shared_tag(n->tag))
			n->tag = NULL;
	}
	yaml_document_delete(doc);
}
