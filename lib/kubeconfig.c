/*
 * kubeconfig documents with the libyaml document API: see
 * include/ekskit/kubeconfig.h.
 *
 * The loaded yaml_document_t is edited in place: new entries are added as
 * new nodes and linked into the lists (a replaced entry's old nodes stay in
 * the node array, unreachable, and the emitter never visits them).  Nothing
 * outside the three lists and current-context is touched, so unknown keys,
 * extensions and other entries survive byte-for-byte in meaning.
 */
#include <libgen.h>
#include <pthread.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <yaml.h>

#include "ekskit/kubeconfig.h"
#include "ekskit/buf.h"
#include "kubeconfig_loader.h"

#define KC_MAX_DEPTH KC_LOADER_MAX_DEPTH
#define ROOT_ID 1               /* libyaml: the root is the first node */

struct kubeconfig {
	yaml_document_t doc;
	char *path;                 /* as given; NULL for a new one */
	char *dir;                  /* directory of path, for relative references */
	size_t src_len;             /* bytes parsed: sizes the emit buffer */
};

static const char *const section_key[] = { "clusters", "users", "contexts" };
static const char *const section_inner[] = { "cluster", "user", "context" };

/* ---------- small node helpers ---------- */

static yaml_node_t *
node_at(const struct kubeconfig *kc, int id)
{
	/* yaml_document_get_node takes a non-const document but does not modify it */
	return id ? yaml_document_get_node((yaml_document_t *)&kc->doc, id) : NULL;
}

static const char *
scalar_of(const yaml_node_t *n)
{
	return n != NULL && n->type == YAML_SCALAR_NODE ?
	    (const char *)n->data.scalar.value : NULL;
}

/* A plain `~`, `null` or empty scalar (or an explicit !!null). */
static int
is_null_node(const yaml_node_t *n)
{
	const char *v;

	if (n == NULL)
		return 1;
	if (n->type != YAML_SCALAR_NODE)
		return 0;
	if (n->tag != NULL && strcmp((const char *)n->tag, YAML_NULL_TAG) == 0)
		return 1;
	if (n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return 0;
	v = (const char *)n->data.scalar.value;
	return *v == '\0' || strcmp(v, "~") == 0 || strcmp(v, "null") == 0 ||
	    strcmp(v, "Null") == 0 || strcmp(v, "NULL") == 0;
}

/* The pair of mapping `map` whose scalar key is `key`, or NULL. */
static yaml_node_pair_t *
map_pair(const struct kubeconfig *kc, const yaml_node_t *map, const char *key)
{
	yaml_node_pair_t *p;

	if (map == NULL || map->type != YAML_MAPPING_NODE)
		return NULL;
	for (p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
		const char *k = scalar_of(node_at(kc, p->key));
		if (k != NULL && strcmp(k, key) == 0)
			return p;
	}
	return NULL;
}

static yaml_node_t *
map_get(const struct kubeconfig *kc, const yaml_node_t *map, const char *key)
{
	yaml_node_pair_t *p = map_pair(kc, map, key);

	return p ? node_at(kc, p->value) : NULL;
}

static yaml_node_t *
root_of(const struct kubeconfig *kc)
{
	return yaml_document_get_root_node((yaml_document_t *)&kc->doc);
}

/* Node of the section list, or NULL when absent or null. */
static yaml_node_t *
section_list(const struct kubeconfig *kc, enum kc_section s)
{
	yaml_node_t *n = map_get(kc, root_of(kc), section_key[s]);

	return n != NULL && n->type == YAML_SEQUENCE_NODE ? n : NULL;
}

static const char *
entry_name(const struct kubeconfig *kc, int entry_id)
{
	return scalar_of(map_get(kc, node_at(kc, entry_id), "name"));
}

/* Index in the section list of the entry called name, or -1. */
static long
find_entry(const struct kubeconfig *kc, enum kc_section s, const char *name)
{
	yaml_node_t *list = section_list(kc, s);
	yaml_node_item_t *it;

	if (list == NULL || name == NULL)
		return -1;
	for (it = list->data.sequence.items.start; it < list->data.sequence.items.top; it++) {
		const char *n = entry_name(kc, *it);
		if (n != NULL && strcmp(n, name) == 0)
			return it - list->data.sequence.items.start;
	}
	return -1;
}

/* ---------- building nodes ---------- */

/*
 * Plain scalars a YAML 1.1 reader resolves to numbers or timestamps
 * (client-go's sigs.k8s.io/yaml, go-yaml v2; PyYAML, which writes the AWS
 * CLI's files): ints with _ and 0x/0o/0b/0 prefixes, sexagesimal numbers,
 * floats, .inf and .nan, dates.  Anything else that merely starts with a
 * digit ("7Ppl..." of a base64 CA) stays a string, and plain, as the AWS CLI
 * writes it.
 */
static const char *const non_string_patterns[] = {
	"^[-+]?[0-9_]*[0-9][0-9_]*$",
	"^[-+]?0[xX][0-9a-fA-F_]+$",
	"^[-+]?0[oO][0-7_]+$",
	"^[-+]?0[bB][01_]+$",
	"^[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+(\\.[0-9_]*)?$",
	"^[-+]?[0-9_]*\\.[0-9_]*([eE][-+]?[0-9]+)?$",
	"^[-+]?[0-9][0-9_]*[eE][-+]?[0-9]+$",
	"^[-+]?\\.(inf|Inf|INF|nan|NaN|NAN)$",
	"^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}([Tt \t].*)?$",
};
#define NPATTERNS (sizeof(non_string_patterns) / sizeof(non_string_patterns[0]))

static regex_t non_string_re[NPATTERNS];
static int non_string_ok;
static pthread_once_t non_string_once = PTHREAD_ONCE_INIT;

static void
compile_non_string(void)
{
	size_t i;

	for (i = 0; i < NPATTERNS; i++)
		if (regcomp(&non_string_re[i], non_string_patterns[i],
		    REG_EXTENDED | REG_NOSUB) != 0)
			return;         /* non_string_ok stays 0: quote every digit */
	non_string_ok = 1;
}

static int
word_in(const char *s, const char *const *words)
{
	for (; *words; words++)
		if (strcmp(s, *words) == 0)
			return 1;
	return 0;
}

/*
 * Would a YAML 1.1 reader resolve this plain scalar to something other
 * than a string?  Then it must be quoted.
 */
static int
needs_quotes(const char *s)
{
	static const char *const words[] = {
		"y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO",
		"true", "True", "TRUE", "false", "False", "FALSE", "on", "On", "ON",
		"off", "Off", "OFF", "null", "Null", "NULL", "~", "=", "<<", NULL,
	};
	size_t i;

	if (*s == '\0' || word_in(s, words))
		return 1;
	if (strchr("0123456789+-.", s[0]) == NULL)
		return 0;       /* every number and date starts with one of these */
	(void)pthread_once(&non_string_once, compile_non_string);
	if (!non_string_ok)
		return 1;
	for (i = 0; i < NPATTERNS; i++)
		if (regexec(&non_string_re[i], s, 0, NULL, 0) == 0)
			return 1;
	return 0;
}

static int
add_str(yaml_document_t *d, const char *s)
{
	return yaml_document_add_scalar(d, NULL, (yaml_char_t *)s, -1,
	    needs_quotes(s) ? YAML_DOUBLE_QUOTED_SCALAR_STYLE :
	    YAML_ANY_SCALAR_STYLE);
}

/* Multi-line text (installHint) as a literal block, as kubectl users write it. */
static int
add_text(yaml_document_t *d, const char *s)
{
	if (strchr(s, '\n') == NULL)
		return add_str(d, s);
	return yaml_document_add_scalar(d, NULL, (yaml_char_t *)s, -1,
	    YAML_LITERAL_SCALAR_STYLE);
}

/* An unquoted `true` / `false` (resolved as a boolean by readers). */
static int
add_bool(yaml_document_t *d, int v)
{
	return yaml_document_add_scalar(d, NULL,
	    (yaml_char_t *)(v ? "true" : "false"), -1, YAML_PLAIN_SCALAR_STYLE);
}

static int
add_map(yaml_document_t *d)
{
	return yaml_document_add_mapping(d, NULL, YAML_BLOCK_MAPPING_STYLE);
}

static int
add_seq(yaml_document_t *d)
{
	return yaml_document_add_sequence(d, NULL, YAML_BLOCK_SEQUENCE_STYLE);
}

static int
put_node(yaml_document_t *d, int map, const char *key, int value)
{
	int k;

	if (map == 0 || value == 0 || (k = add_str(d, key)) == 0)
		return 0;
	return yaml_document_append_mapping_pair(d, map, k, value);
}

/* map[key] = s, skipped (success) when s is NULL. */
static int
put_str(yaml_document_t *d, int map, const char *key, const char *s)
{
	if (s == NULL)
		return 1;
	return put_node(d, map, key, add_str(d, s));
}

/* ---------- loading ---------- */

static int
type_error(struct ekskit_err *err, const struct kubeconfig *kc,
    const char *what, const char *should, const yaml_node_t *n)
{
	return ekskit_err_set(err, EKSKIT_ERR_INVALID,
	    "%s: %s should be %s (line %lu); fix the file or pass another with "
	    "--kubeconfig", kc->path ? kc->path : "kubeconfig", what, should,
	    n ? (unsigned long)n->start_mark.line + 1 : 0UL);
}

/* The shape the AWS CLI and kubectl insist on, checked before any edit. */
static int
validate(const struct kubeconfig *kc, struct ekskit_err *err)
{
	static const char *const scalars[] = { "apiVersion", "kind", "current-context" };
	yaml_node_t *root = root_of(kc), *n;
	yaml_node_item_t *it;
	size_t i;

	if (root->type != YAML_MAPPING_NODE)
		return type_error(err, kc, "the top level", "a mapping", root);
	for (i = 0; i < 3; i++) {
		n = map_get(kc, root, section_key[i]);
		if (n == NULL || is_null_node(n))
			continue;
		if (n->type != YAML_SEQUENCE_NODE)
			return type_error(err, kc, section_key[i], "a list", n);
		for (it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
			yaml_node_t *e = node_at(kc, *it);
			if (e->type != YAML_MAPPING_NODE)
				return type_error(err, kc, section_key[i],
				    "a list of mappings", e);
		}
	}
	for (i = 0; i < 3; i++) {
		n = map_get(kc, root, scalars[i]);
		if (n != NULL && n->type != YAML_SCALAR_NODE)
			return type_error(err, kc, scalars[i], "a string", n);
	}
	n = map_get(kc, root, "preferences");
	if (n != NULL && !is_null_node(n) && n->type != YAML_MAPPING_NODE)
		return type_error(err, kc, "preferences", "a mapping", n);
	return EKSKIT_OK;
}

static int
init_skeleton(yaml_document_t *d)
{
	int root;

	if (!yaml_document_initialize(d, NULL, NULL, NULL, 1, 1))
		return 0;
	root = add_map(d);
	return put_str(d, root, "apiVersion", "v1") &&
	    put_node(d, root, "clusters", add_seq(d)) &&
	    put_node(d, root, "contexts", add_seq(d)) &&
	    put_str(d, root, "current-context", "") &&
	    put_str(d, root, "kind", "Config") &&
	    put_node(d, root, "preferences", add_map(d)) &&
	    put_node(d, root, "users", add_seq(d));
}

struct kubeconfig *
kubeconfig_new(void)
{
	struct kubeconfig *kc = calloc(1, sizeof(*kc));

	if (kc == NULL)
		return NULL;
	if (!init_skeleton(&kc->doc)) {
		kc_yaml_doc_free(&kc->doc);
		free(kc);
		return NULL;
	}
	return kc;
}

static int
set_path(struct kubeconfig *kc, const char *name)
{
	char *tmp;

	if (name == NULL)
		return 1;
	if ((kc->path = strdup(name)) == NULL || (tmp = strdup(name)) == NULL)
		return 0;
	kc->dir = strdup(dirname(tmp));
	free(tmp);
	return kc->dir != NULL;
}

int
kubeconfig_parse(const char *name, const char *data, size_t len,
    struct kubeconfig **out, struct ekskit_err *err)
{
	struct kubeconfig *kc = NULL;
	int r;

	*out = NULL;
	if (name == NULL)
		name = "kubeconfig";
	if (len > KUBECONFIG_MAX_SIZE)
		return ekskit_err_set(err, EKSKIT_ERR_NOMEM,
		    "%s: larger than %u bytes", name, KUBECONFIG_MAX_SIZE);
	if ((kc = calloc(1, sizeof(*kc))) == NULL || !set_path(kc, name)) {
		r = ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
		goto fail_nodoc;
	}
	/* one pass: limits checked while the document is built */
	if ((r = kc_yaml_load(name, data, len, &kc->doc, err)) != EKSKIT_OK)
		goto fail_nodoc;
	kc->src_len = len;
	if (root_of(kc) == NULL) {
		/* an empty file (or only comments): start from scratch, like kubectl */
		kc_yaml_doc_free(&kc->doc);
		if (!init_skeleton(&kc->doc)) {
			r = ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
			goto fail;
		}
	}
	if ((r = validate(kc, err)) != EKSKIT_OK)
		goto fail;
	*out = kc;
	return EKSKIT_OK;
fail:
	kc_yaml_doc_free(&kc->doc);
fail_nodoc:
	if (kc != NULL) {
		free(kc->path);
		free(kc->dir);
		free(kc);
	}
	return r;
}

int
kubeconfig_load_buf(const char *path, struct ekbuf *b, struct kubeconfig **out,
    struct ekskit_err *err)
{
	int r;

	*out = NULL;
	ekbuf_reset(b);
	if ((r = ek_read_file(path, b, err)) == EKSKIT_OK)
		r = kubeconfig_parse(path, b->data ? b->data : "", b->len, out, err);
	else if (r == EKSKIT_ERR_NOMEM)
		r = ekskit_err_set(err, EKSKIT_ERR_INVALID,
		    "%s: larger than %u bytes; is it really a kubeconfig?", path,
		    KUBECONFIG_MAX_SIZE);
	return r;
}

int
kubeconfig_load(const char *path, struct kubeconfig **out,
    struct ekskit_err *err)
{
	struct ekbuf b;
	int r;

	/* the file may hold client keys and tokens: wiped when released */
	ekbuf_init_secret(&b, KUBECONFIG_MAX_SIZE);
	r = kubeconfig_load_buf(path, &b, out, err);
	ekbuf_release(&b);
	return r;
}

/* Scalars may be tokens and client keys: wipe them all before freeing. */
void
kubeconfig_free(struct kubeconfig *kc)
{
	if (kc == NULL)
		return;
	kc_yaml_doc_free(&kc->doc);
	free(kc->path);
	free(kc->dir);
	free(kc);
}

/* ---------- queries ---------- */

int
kubeconfig_has(const struct kubeconfig *kc, enum kc_section s, const char *name)
{
	return find_entry(kc, s, name) >= 0;
}

size_t
kubeconfig_count(const struct kubeconfig *kc, enum kc_section s)
{
	yaml_node_t *list = section_list(kc, s);

	return list ? (size_t)(list->data.sequence.items.top -
	    list->data.sequence.items.start) : 0;
}

const char *
kubeconfig_name_at(const struct kubeconfig *kc, enum kc_section s, size_t i)
{
	yaml_node_t *list = section_list(kc, s);

	if (list == NULL || i >= kubeconfig_count(kc, s))
		return NULL;
	return entry_name(kc, list->data.sequence.items.start[i]);
}

const char *
kubeconfig_current_context(const struct kubeconfig *kc)
{
	const char *s = scalar_of(map_get(kc, root_of(kc), "current-context"));

	return s != NULL && *s != '\0' ? s : NULL;
}

/* ---------- readers ---------- */

/* The inner mapping (`cluster:`, `user:`, `context:`) of entry i (NULL when null). */
static int
inner_at(const struct kubeconfig *kc, enum kc_section s, size_t i,
    yaml_node_t **out, struct ekskit_err *err)
{
	yaml_node_t *list = section_list(kc, s), *inner;

	*out = NULL;
	inner = map_get(kc, node_at(kc, list->data.sequence.items.start[i]),
	    section_inner[s]);
	if (inner == NULL || is_null_node(inner))
		return EKSKIT_OK;
	if (inner->type != YAML_MAPPING_NODE)
		return type_error(err, kc, section_inner[s], "a mapping", inner);
	*out = inner;
	return EKSKIT_OK;
}

/* Index of the named entry, or EKSKIT_ERR_NOT_FOUND naming it. */
static int
index_of(const struct kubeconfig *kc, enum kc_section s, const char *name,
    size_t *i, struct ekskit_err *err)
{
	long k = find_entry(kc, s, name);

	if (k < 0)
		return ekskit_err_set(err, EKSKIT_ERR_NOT_FOUND,
		    "%s: no %s named \"%s\"", kc->path ? kc->path : "kubeconfig",
		    section_inner[s], name);
	*i = (size_t)k;
	return EKSKIT_OK;
}

/* The entry's name for a reader, or EKSKIT_ERR_NOT_FOUND past the end / unnamed. */
static int
name_for(const struct kubeconfig *kc, enum kc_section s, size_t i,
    const char **name, struct ekskit_err *err)
{
	if ((*name = kubeconfig_name_at(kc, s, i)) == NULL)
		return ekskit_err_set(err, EKSKIT_ERR_NOT_FOUND,
		    "%s: no named %s #%zu", kc->path ? kc->path : "kubeconfig",
		    section_inner[s], i + 1);
	return EKSKIT_OK;
}

/* Copy a scalar field (absent/null: NULL). */
static int
read_str(const struct kubeconfig *kc, const yaml_node_t *map, const char *key,
    char **out, struct ekskit_err *err)
{
	yaml_node_t *n = map_get(kc, map, key);

	*out = NULL;
	if (n == NULL || is_null_node(n))
		return EKSKIT_OK;
	if (n->type != YAML_SCALAR_NODE)
		return type_error(err, kc, key, "a string", n);
	if ((*out = strdup((const char *)n->data.scalar.value)) == NULL)
		return ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	return EKSKIT_OK;
}

/* A file reference, made absolute against the kubeconfig's directory. */
static int
read_path(const struct kubeconfig *kc, const yaml_node_t *map, const char *key,
    char **out, struct ekskit_err *err)
{
	char *p, *abs;
	int r;

	if ((r = read_str(kc, map, key, out, err)) != EKSKIT_OK || *out == NULL)
		return r;
	p = *out;
	if (*p == '\0' || *p == '/' || kc->dir == NULL)
		return EKSKIT_OK;
	if ((abs = malloc(strlen(kc->dir) + strlen(p) + 2)) == NULL)
		return ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	sprintf(abs, "%s/%s", kc->dir, p);
	free(p);
	*out = abs;
	return EKSKIT_OK;
}

static int
read_bool(const struct kubeconfig *kc, const yaml_node_t *map, const char *key,
    int *out, struct ekskit_err *err)
{
	static const char *const yes[] = { "true", "True", "TRUE", "yes", "Yes",
		"YES", "on", "On", "ON", "y", "Y", NULL };
	static const char *const no[] = { "false", "False", "FALSE", "no", "No",
		"NO", "off", "Off", "OFF", "n", "N", NULL };
	yaml_node_t *n = map_get(kc, map, key);
	const char *v;

	*out = 0;
	if (n == NULL || is_null_node(n))
		return EKSKIT_OK;
	if ((v = scalar_of(n)) != NULL && word_in(v, yes))
		*out = 1;
	else if (v == NULL || !word_in(v, no))
		return type_error(err, kc, key, "true or false", n);
	return EKSKIT_OK;
}

void
kc_context_free(struct kc_context *c)
{
	if (c == NULL)
		return;
	free(c->name);
	free(c->cluster);
	free(c->user);
	free(c->namespace);
	free(c);
}

void
kc_env_list_free(struct kc_env *v, size_t n)
{
	size_t i;

	for (i = 0; v != NULL && i < n; i++) {
		free(v[i].name);
		ek_free_secret(v[i].value);
	}
	free(v);
}

void
kc_cluster_free(struct kc_cluster *c)
{
	if (c == NULL)
		return;
	free(c->name);
	free(c->server);
	free(c->ca_data);
	free(c->ca_file);
	free(c->tls_server_name);
	free(c->proxy_url);
	kc_env_list_free(c->exec_config, c->nexec_config);
	free(c);
}

void
kc_exec_free(struct kc_exec *e)
{
	size_t i;

	if (e == NULL)
		return;
	free(e->api_version);
	free(e->command);
	for (i = 0; i < e->nargs; i++)
		free(e->args[i]);
	free(e->args);
	kc_env_list_free(e->env, e->nenv);  /* env may carry secrets: wiped */
	free(e->interactive_mode);
	free(e->install_hint);
	free(e);
}

void
kc_user_free(struct kc_user *u)
{
	if (u == NULL)
		return;
	free(u->name);
	free(u->client_cert_data);
	free(u->client_cert_file);
	ek_free_secret(u->client_key_data);
	free(u->client_key_file);
	ek_free_secret(u->token);
	free(u->token_file);
	kc_exec_free(u->exec);
	free(u);
}

int
kubeconfig_get_context(const struct kubeconfig *kc, const char *name,
    struct kc_context **out, struct ekskit_err *err)
{
	size_t i = 0;
	int r;

	*out = NULL;
	if (name == NULL && (name = kubeconfig_current_context(kc)) == NULL)
		return ekskit_err_set(err, EKSKIT_ERR_NOT_FOUND,
		    "%s: no current-context; pass a context name",
		    kc->path ? kc->path : "kubeconfig");
	if ((r = index_of(kc, KC_CONTEXTS, name, &i, err)) != EKSKIT_OK)
		return r;
	return kubeconfig_get_context_at(kc, i, out, err);
}

int
kubeconfig_get_context_at(const struct kubeconfig *kc, size_t i,
    struct kc_context **out, struct ekskit_err *err)
{
	struct kc_context *c;
	const char *name;
	yaml_node_t *in;
	int r;

	*out = NULL;
	if ((r = name_for(kc, KC_CONTEXTS, i, &name, err)) != EKSKIT_OK ||
	    (r = inner_at(kc, KC_CONTEXTS, i, &in, err)) != EKSKIT_OK)
		return r;
	if ((c = calloc(1, sizeof(*c))) == NULL || (c->name = strdup(name)) == NULL) {
		kc_context_free(c);
		return ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	}
	if ((r = read_str(kc, in, "cluster", &c->cluster, err)) != EKSKIT_OK ||
	    (r = read_str(kc, in, "user", &c->user, err)) != EKSKIT_OK ||
	    (r = read_str(kc, in, "namespace", &c->namespace, err)) != EKSKIT_OK) {
		kc_context_free(c);
		return r;
	}
	*out = c;
	return EKSKIT_OK;
}

/* The mapping of the KC_EXEC_EXTENSION entry of a cluster's extensions, or NULL. */
static yaml_node_t *
exec_extension(const struct kubeconfig *kc, const yaml_node_t *in)
{
	yaml_node_t *list = map_get(kc, in, "extensions"), *ext;
	yaml_node_item_t *it;
	const char *n;

	if (list == NULL || list->type != YAML_SEQUENCE_NODE)
		return NULL;
	for (it = list->data.sequence.items.start; it < list->data.sequence.items.top; it++) {
		n = scalar_of(map_get(kc, node_at(kc, *it), "name"));
		ext = map_get(kc, node_at(kc, *it), "extension");
		if (n != NULL && strcmp(n, KC_EXEC_EXTENSION) == 0 && ext != NULL &&
		    ext->type == YAML_MAPPING_NODE)
			return ext;
	}
	return NULL;
}

static int
read_exec_config(const struct kubeconfig *kc, const yaml_node_t *in,
    struct kc_cluster *c, struct ekskit_err *err)
{
	yaml_node_t *ext = exec_extension(kc, in);
	yaml_node_pair_t *p;
	size_t n;

	if (ext == NULL)
		return EKSKIT_OK;
	n = (size_t)(ext->data.mapping.pairs.top - ext->data.mapping.pairs.start);
	if ((c->exec_config = calloc(n + 1, sizeof(*c->exec_config))) == NULL)
		return ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	for (p = ext->data.mapping.pairs.start; p < ext->data.mapping.pairs.top; p++) {
		const char *k = scalar_of(node_at(kc, p->key));
		const char *v = scalar_of(node_at(kc, p->value));
		struct kc_env *e = &c->exec_config[c->nexec_config];
		if (k == NULL || v == NULL)
			continue;
		if ((e->name = strdup(k)) == NULL || (e->value = strdup(v)) == NULL) {
			c->nexec_config++;
			return ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
		}
		c->nexec_config++;
	}
	return EKSKIT_OK;
}

int
kubeconfig_get_cluster(const struct kubeconfig *kc, const char *name,
    struct kc_cluster **out, struct ekskit_err *err)
{
	size_t i = 0;
	int r;

	*out = NULL;
	if ((r = index_of(kc, KC_CLUSTERS, name, &i, err)) != EKSKIT_OK)
		return r;
	return kubeconfig_get_cluster_at(kc, i, out, err);
}

int
kubeconfig_get_cluster_at(const struct kubeconfig *kc, size_t i,
    struct kc_cluster **out, struct ekskit_err *err)
{
	struct kc_cluster *c;
	const char *name;
	yaml_node_t *in;
	int r;

	*out = NULL;
	if ((r = name_for(kc, KC_CLUSTERS, i, &name, err)) != EKSKIT_OK ||
	    (r = inner_at(kc, KC_CLUSTERS, i, &in, err)) != EKSKIT_OK)
		return r;
	if ((c = calloc(1, sizeof(*c))) == NULL || (c->name = strdup(name)) == NULL) {
		kc_cluster_free(c);
		return ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	}
	if ((r = read_str(kc, in, "server", &c->server, err)) != EKSKIT_OK ||
	    (r = read_str(kc, in, "certificate-authority-data", &c->ca_data, err)) != EKSKIT_OK ||
	    (r = read_path(kc, in, "certificate-authority", &c->ca_file, err)) != EKSKIT_OK ||
	    (r = read_str(kc, in, "tls-server-name", &c->tls_server_name, err)) != EKSKIT_OK ||
	    (r = read_str(kc, in, "proxy-url", &c->proxy_url, err)) != EKSKIT_OK ||
	    (r = read_bool(kc, in, "insecure-skip-tls-verify",
	    &c->insecure_skip_tls_verify, err)) != EKSKIT_OK ||
	    (r = read_exec_config(kc, in, c, err)) != EKSKIT_OK) {
		kc_cluster_free(c);
		return r;
	}
	*out = c;
	return EKSKIT_OK;
}

static int
read_exec_args(const struct kubeconfig *kc, const yaml_node_t *ex,
    struct kc_exec *e, struct ekskit_err *err)
{
	yaml_node_t *n = map_get(kc, ex, "args");
	yaml_node_item_t *it;
	size_t cnt;

	if (n == NULL || is_null_node(n))
		return EKSKIT_OK;
	if (n->type != YAML_SEQUENCE_NODE)
		return type_error(err, kc, "exec.args", "a list of strings", n);
	cnt = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
	if ((e->args = calloc(cnt + 1, sizeof(*e->args))) == NULL)
		return ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	for (it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
		const char *s = scalar_of(node_at(kc, *it));
		if (s == NULL)
			return type_error(err, kc, "exec.args", "a list of strings",
			    node_at(kc, *it));
		if ((e->args[e->nargs] = strdup(s)) == NULL)
			return ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
		e->nargs++;
	}
	return EKSKIT_OK;
}

static int
read_exec_env(const struct kubeconfig *kc, const yaml_node_t *ex,
    struct kc_exec *e, struct ekskit_err *err)
{
	yaml_node_t *n = map_get(kc, ex, "env");
	yaml_node_item_t *it;
	size_t cnt;
	int r;

	if (n == NULL || is_null_node(n))
		return EKSKIT_OK;
	if (n->type != YAML_SEQUENCE_NODE)
		return type_error(err, kc, "exec.env", "a list of name/value pairs", n);
	cnt = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
	if ((e->env = calloc(cnt + 1, sizeof(*e->env))) == NULL)
		return ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	for (it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
		yaml_node_t *m = node_at(kc, *it);
		struct kc_env *v = &e->env[e->nenv];
		if (m->type != YAML_MAPPING_NODE)
			return type_error(err, kc, "exec.env", "a list of name/value pairs", m);
		e->nenv++;
		if ((r = read_str(kc, m, "name", &v->name, err)) != EKSKIT_OK ||
		    (r = read_str(kc, m, "value", &v->value, err)) != EKSKIT_OK)
			return r;
		if (v->name == NULL)
			return type_error(err, kc, "exec.env entry", "named", m);
	}
	return EKSKIT_OK;
}

static int
read_exec(const struct kubeconfig *kc, const yaml_node_t *ex,
    struct kc_exec **out, struct ekskit_err *err)
{
	struct kc_exec *e;
	int r;

	*out = NULL;
	if (ex->type != YAML_MAPPING_NODE)
		return type_error(err, kc, "exec", "a mapping", ex);
	if ((e = calloc(1, sizeof(*e))) == NULL)
		return ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	if ((r = read_str(kc, ex, "apiVersion", &e->api_version, err)) != EKSKIT_OK ||
	    (r = read_str(kc, ex, "command", &e->command, err)) != EKSKIT_OK ||
	    (r = read_str(kc, ex, "interactiveMode", &e->interactive_mode, err)) != EKSKIT_OK ||
	    (r = read_str(kc, ex, "installHint", &e->install_hint, err)) != EKSKIT_OK ||
	    (r = read_bool(kc, ex, "provideClusterInfo", &e->provide_cluster_info, err)) != EKSKIT_OK ||
	    (r = read_exec_args(kc, ex, e, err)) != EKSKIT_OK ||
	    (r = read_exec_env(kc, ex, e, err)) != EKSKIT_OK)
		goto fail;
	if (e->command == NULL || *e->command == '\0') {
		r = type_error(err, kc, "exec.command", "set", ex);
		goto fail;
	}
	/* client-go resolves a relative command path (one with a slash) like a file */
	if (strchr(e->command, '/') != NULL && e->command[0] != '/' && kc->dir) {
		char *abs = malloc(strlen(kc->dir) + strlen(e->command) + 2);
		if (abs == NULL) {
			r = ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
			goto fail;
		}
		sprintf(abs, "%s/%s", kc->dir, e->command);
		free(e->command);
		e->command = abs;
	}
	*out = e;
	return EKSKIT_OK;
fail:
	kc_exec_free(e);
	return r;
}

int
kubeconfig_get_user(const struct kubeconfig *kc, const char *name,
    struct kc_user **out, struct ekskit_err *err)
{
	size_t i = 0;
	int r;

	*out = NULL;
	if ((r = index_of(kc, KC_USERS, name, &i, err)) != EKSKIT_OK)
		return r;
	return kubeconfig_get_user_at(kc, i, out, err);
}

int
kubeconfig_get_user_at(const struct kubeconfig *kc, size_t i,
    struct kc_user **out, struct ekskit_err *err)
{
	struct kc_user *u;
	const char *name;
	yaml_node_t *in, *ex;
	int r;

	*out = NULL;
	if ((r = name_for(kc, KC_USERS, i, &name, err)) != EKSKIT_OK ||
	    (r = inner_at(kc, KC_USERS, i, &in, err)) != EKSKIT_OK)
		return r;
	if ((u = calloc(1, sizeof(*u))) == NULL || (u->name = strdup(name)) == NULL) {
		kc_user_free(u);
		return ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	}
	if ((r = read_str(kc, in, "client-certificate-data", &u->client_cert_data, err)) != 0 ||
	    (r = read_path(kc, in, "client-certificate", &u->client_cert_file, err)) != 0 ||
	    (r = read_str(kc, in, "client-key-data", &u->client_key_data, err)) != 0 ||
	    (r = read_path(kc, in, "client-key", &u->client_key_file, err)) != 0 ||
	    (r = read_str(kc, in, "token", &u->token, err)) != 0 ||
	    (r = read_path(kc, in, "tokenFile", &u->token_file, err)) != 0)
		goto fail;
	ex = map_get(kc, in, "exec");
	if (ex != NULL && !is_null_node(ex) &&
	    (r = read_exec(kc, ex, &u->exec, err)) != EKSKIT_OK)
		goto fail;
	*out = u;
	return EKSKIT_OK;
fail:
	kc_user_free(u);
	return r;
}

/* ---------- reading across KUBECONFIG files ---------- */

void
kc_resolved_release(struct kc_resolved *r)
{
	if (r == NULL)
		return;
	kc_context_free(r->context);
	kc_cluster_free(r->cluster);
	kc_user_free(r->user);
	memset(r, 0, sizeof(*r));
}

/* Index of the first loaded file holding name in section s, or -1. */
static long
first_with(struct kubeconfig *const *kcs, size_t n, enum kc_section s,
    const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (kcs[i] != NULL && kubeconfig_has(kcs[i], s, name))
			return (long)i;
	return -1;
}

static int
resolve_in(struct kubeconfig *const *kcs, size_t n, const char *context,
    struct kc_resolved *out, struct ekskit_err *err)
{
	long i;
	size_t k;
	int r;

	for (k = 0; context == NULL && k < n; k++)
		if (kcs[k] != NULL)
			context = kubeconfig_current_context(kcs[k]);
	if (context == NULL)
		return ekskit_err_set(err, EKSKIT_ERR_NOT_FOUND,
		    "no current-context in the kubeconfig; pass a context name");
	if ((i = first_with(kcs, n, KC_CONTEXTS, context)) < 0)
		return ekskit_err_set(err, EKSKIT_ERR_NOT_FOUND,
		    "context \"%s\" not found in the kubeconfig", context);
	if ((r = kubeconfig_get_context(kcs[i], context, &out->context, err)) != 0)
		return r;
	if (out->context->cluster == NULL || out->context->user == NULL)
		return ekskit_err_set(err, EKSKIT_ERR_INVALID,
		    "%s: context \"%s\" names no %s", kcs[i]->path ? kcs[i]->path : "kubeconfig",
		    context, out->context->cluster == NULL ? "cluster" : "user");
	if ((i = first_with(kcs, n, KC_CLUSTERS, out->context->cluster)) < 0)
		return ekskit_err_set(err, EKSKIT_ERR_NOT_FOUND,
		    "cluster \"%s\" of context \"%s\" not found in the kubeconfig",
		    out->context->cluster, context);
	if ((r = kubeconfig_get_cluster(kcs[i], out->context->cluster, &out->cluster, err)) != 0)
		return r;
	if ((i = first_with(kcs, n, KC_USERS, out->context->user)) < 0)
		return ekskit_err_set(err, EKSKIT_ERR_NOT_FOUND,
		    "user \"%s\" of context \"%s\" not found in the kubeconfig",
		    out->context->user, context);
	return kubeconfig_get_user(kcs[i], out->context->user, &out->user, err);
}

int
kubeconfig_resolve(char *const *paths, const char *context,
    struct kc_resolved *out, struct ekskit_err *err)
{
	struct kubeconfig **kcs;
	size_t n = 0, i;
	int r = EKSKIT_OK;

	memset(out, 0, sizeof(*out));
	while (paths != NULL && paths[n] != NULL)
		n++;
	if ((kcs = calloc(n + 1, sizeof(*kcs))) == NULL)
		return ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	for (i = 0; i < n && r == EKSKIT_OK; i++) {
		r = kubeconfig_load(paths[i], &kcs[i], err);
		if (r == EKSKIT_ERR_NOT_FOUND) {
			ekskit_err_clear(err);
			r = EKSKIT_OK;
		}
	}
	if (r == EKSKIT_OK)
		r = resolve_in(kcs, n, context, out, err);
	if (r != EKSKIT_OK)
		kc_resolved_release(out);
	for (i = 0; i < n; i++)
		kubeconfig_free(kcs[i]);
	free(kcs);
	return r;
}

/* ---------- writers ---------- */

static int
resolves_non_string(const yaml_node_t *n)
{
	return (n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE ||
	    n->data.scalar.style == YAML_ANY_SCALAR_STYLE) &&
	    needs_quotes((const char *)n->data.scalar.value);
}

/*
 * Structural equality of an existing node and a freshly built one (acyclic
 * and small, so the recursion is bounded by the new node's depth).
 */
static int
node_equal(const struct kubeconfig *kc, int a, int b, int depth)
{
	yaml_node_t *x = node_at(kc, a), *y = node_at(kc, b);
	long i, n;

	if (x == NULL || y == NULL || x->type != y->type || depth > KC_MAX_DEPTH)
		return 0;
	switch (x->type) {
	case YAML_SCALAR_NODE:
		/* `true` and "true" differ in meaning; other styles do not */
		return x->data.scalar.length == y->data.scalar.length &&
		    memcmp(x->data.scalar.value, y->data.scalar.value,
		    x->data.scalar.length) == 0 &&
		    resolves_non_string(x) == resolves_non_string(y);
	case YAML_SEQUENCE_NODE:
		n = x->data.sequence.items.top - x->data.sequence.items.start;
		if (n != y->data.sequence.items.top - y->data.sequence.items.start)
			return 0;
		for (i = 0; i < n; i++)
			if (!node_equal(kc, x->data.sequence.items.start[i],
			    y->data.sequence.items.start[i], depth + 1))
				return 0;
		return 1;
	case YAML_MAPPING_NODE:
		n = x->data.mapping.pairs.top - x->data.mapping.pairs.start;
		if (n != y->data.mapping.pairs.top - y->data.mapping.pairs.start)
			return 0;
		for (i = 0; i < n; i++)
			if (!node_equal(kc, x->data.mapping.pairs.start[i].key,
			    y->data.mapping.pairs.start[i].key, depth + 1) ||
			    !node_equal(kc, x->data.mapping.pairs.start[i].value,
			    y->data.mapping.pairs.start[i].value, depth + 1))
				return 0;
		return 1;
	default:
		return 0;
	}
}

/* The section list, created (or a null value replaced) when missing. */
static int
ensure_list(struct kubeconfig *kc, enum kc_section s)
{
	yaml_node_t *root = root_of(kc);
	yaml_node_pair_t *p = map_pair(kc, root, section_key[s]);
	int seq;

	if (p != NULL && node_at(kc, p->value)->type == YAML_SEQUENCE_NODE)
		return p->value;
	if ((seq = add_seq(&kc->doc)) == 0)
		return 0;
	/* adding nodes may move the node array: look the pair up again */
	root = root_of(kc);
	if ((p = map_pair(kc, root, section_key[s])) != NULL) {
		p->value = seq;
		return seq;
	}
	return put_node(&kc->doc, ROOT_ID, section_key[s], seq) ? seq : 0;
}

/* Replace the same-named entry or append entry_id to the section. */
static int
put_entry(struct kubeconfig *kc, enum kc_section s, const char *name,
    int entry_id, int *changed, struct ekskit_err *err)
{
	yaml_node_t *list;
	long i;
	int seq;

	if (entry_id == 0 || (seq = ensure_list(kc, s)) == 0)
		return ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	list = node_at(kc, seq);
	/* `clusters: []` from another tool: keep our entries readable */
	list->data.sequence.style = YAML_BLOCK_SEQUENCE_STYLE;
	i = find_entry(kc, s, name);
	if (i >= 0) {
		int old = list->data.sequence.items.start[i];
		int same = node_equal(kc, old, entry_id, 0);
		if (!same)
			list->data.sequence.items.start[i] = entry_id;
		if (changed)
			*changed = !same;
		return EKSKIT_OK;
	}
	if (!yaml_document_append_sequence_item(&kc->doc, seq, entry_id))
		return ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	if (changed)
		*changed = 1;
	return EKSKIT_OK;
}

static int
need_name(const char *name, const char *what, struct ekskit_err *err)
{
	if (name == NULL || *name == '\0')
		return ekskit_err_set(err, EKSKIT_ERR_INVALID, "%s without a name", what);
	return EKSKIT_OK;
}

/* extensions: [{extension: {k: v...}, name: KC_EXEC_EXTENSION}], key order as kubectl writes it. */
static int
build_exec_extension(yaml_document_t *d, const struct kc_cluster *c)
{
	int list = add_seq(d), item = add_map(d), ext = add_map(d);
	size_t i;

	for (i = 0; ext && i < c->nexec_config; i++)
		if (!put_str(d, ext, c->exec_config[i].name, c->exec_config[i].value))
			return 0;
	if (!put_node(d, item, "extension", ext) ||
	    !put_str(d, item, "name", KC_EXEC_EXTENSION) ||
	    !yaml_document_append_sequence_item(d, list, item))
		return 0;
	return list;
}

int
kubeconfig_set_cluster(struct kubeconfig *kc, const struct kc_cluster *c,
    int *changed, struct ekskit_err *err)
{
	yaml_document_t *d = &kc->doc;
	int entry, in, ok;

	if (need_name(c->name, "cluster", err) != EKSKIT_OK)
		return EKSKIT_ERR_INVALID;
	/* key order as `aws eks update-kubeconfig` writes it */
	entry = add_map(d);
	in = add_map(d);
	ok = put_str(d, in, "certificate-authority-data", c->ca_data) &&
	    put_str(d, in, "certificate-authority", c->ca_file) &&
	    put_str(d, in, "server", c->server) &&
	    put_str(d, in, "proxy-url", c->proxy_url) &&
	    put_str(d, in, "tls-server-name", c->tls_server_name) &&
	    (!c->insecure_skip_tls_verify ||
	    put_node(d, in, "insecure-skip-tls-verify", add_bool(d, 1))) &&
	    (c->nexec_config == 0 || put_node(d, in, "extensions", build_exec_extension(d, c))) &&
	    put_node(d, entry, "cluster", in) &&
	    put_str(d, entry, "name", c->name);
	return put_entry(kc, KC_CLUSTERS, c->name, ok ? entry : 0, changed, err);
}

static int
build_exec(yaml_document_t *d, const struct kc_exec *e)
{
	int ex = add_map(d), args, env, i, m;
	size_t k;

	if (!put_str(d, ex, "apiVersion", e->api_version))
		return 0;
	if (e->nargs > 0) {
		args = add_seq(d);
		for (k = 0; k < e->nargs; k++)
			if ((i = add_str(d, e->args[k])) == 0 ||
			    !yaml_document_append_sequence_item(d, args, i))
				return 0;
		if (!put_node(d, ex, "args", args))
			return 0;
	}
	if (!put_str(d, ex, "command", e->command))
		return 0;
	if (e->nenv > 0) {
		env = add_seq(d);
		for (k = 0; k < e->nenv; k++) {
			m = add_map(d);
			if (!put_str(d, m, "name", e->env[k].name) ||
			    !put_str(d, m, "value", e->env[k].value ? e->env[k].value : "") ||
			    !yaml_document_append_sequence_item(d, env, m))
				return 0;
		}
		if (!put_node(d, ex, "env", env))
			return 0;
	}
	if (!put_str(d, ex, "interactiveMode", e->interactive_mode) ||
	    (e->provide_cluster_info &&
	    !put_node(d, ex, "provideClusterInfo", add_bool(d, 1))) ||
	    (e->install_hint && !put_node(d, ex, "installHint", add_text(d, e->install_hint))))
		return 0;
	return ex;
}

/* ---------- editing an exec block in place ---------- */

/* The exec mapping of the i-th user entry (node id), or 0. */
static int
exec_node_of(const struct kubeconfig *kc, size_t i)
{
	yaml_node_t *list = section_list(kc, KC_USERS), *in;
	yaml_node_pair_t *p;

	if (i >= kubeconfig_count(kc, KC_USERS))
		return 0;
	in = map_get(kc, node_at(kc, list->data.sequence.items.start[i]), "user");
	if ((p = map_pair(kc, in, "exec")) == NULL ||
	    node_at(kc, p->value)->type != YAML_MAPPING_NODE)
		return 0;
	return p->value;
}

static int
string_seq(yaml_document_t *d, const char *const *v, size_t n)
{
	int seq = add_seq(d), s;
	size_t k;

	for (k = 0; seq && k < n; k++)
		if ((s = add_str(d, v[k])) == 0 ||
		    !yaml_document_append_sequence_item(d, seq, s))
			return 0;
	return seq;
}

/* Set map[key] = value (value 0: remove the key); *changed |= a difference. */
static int
map_replace(struct kubeconfig *kc, int map, const char *key, int value,
    int *changed)
{
	yaml_node_t *m = node_at(kc, map);
	yaml_node_pair_t *p = map_pair(kc, m, key);
	int k;

	if (p != NULL && value != 0) {
		if (!node_equal(kc, p->value, value, 0)) {
			p->value = value;
			*changed = 1;
		}
		return 1;
	}
	if (p != NULL) {                /* remove, keeping the others in order */
		memmove(p, p + 1, (size_t)(m->data.mapping.pairs.top - p - 1) * sizeof(*p));
		m->data.mapping.pairs.top--;
		*changed = 1;
		return 1;
	}
	if (value == 0)
		return 1;
	*changed = 1;
	return (k = add_str(&kc->doc, key)) != 0 &&
	    yaml_document_append_mapping_pair(&kc->doc, map, k, value);
}

int
kubeconfig_edit_exec(struct kubeconfig *kc, size_t user,
    const struct kc_exec_edit *ed, int *changed, struct ekskit_err *err)
{
	yaml_document_t *d = &kc->doc;
	int ex = exec_node_of(kc, user), api, cmd, args, hint = 0, any = 0;

	if (changed)
		*changed = 0;
	if (ex == 0)
		return ekskit_err_set(err, EKSKIT_ERR_NOT_FOUND,
		    "%s: user #%zu has no exec block",
		    kc->path ? kc->path : "kubeconfig", user + 1);
	/* build first: adding nodes may move the node array */
	api = add_str(d, ed->api_version);
	cmd = add_str(d, ed->command);
	args = string_seq(d, ed->args, ed->nargs);
	if (ed->install_hint != NULL)
		hint = add_text(d, ed->install_hint);
	if (!api || !cmd || !args || (ed->install_hint && !hint) ||
	    !map_replace(kc, ex, "apiVersion", api, &any) ||
	    !map_replace(kc, ex, "args", args, &any) ||
	    !map_replace(kc, ex, "command", cmd, &any) ||
	    !map_replace(kc, ex, "installHint", hint, &any))
		return ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	if (changed)
		*changed = any;
	return EKSKIT_OK;
}

int
kubeconfig_set_user(struct kubeconfig *kc, const struct kc_user *u,
    int *changed, struct ekskit_err *err)
{
	yaml_document_t *d = &kc->doc;
	int entry, in, ok;

	if (need_name(u->name, "user", err) != EKSKIT_OK)
		return EKSKIT_ERR_INVALID;
	entry = add_map(d);
	ok = put_str(d, entry, "name", u->name);
	in = add_map(d);
	ok = ok && put_str(d, in, "client-certificate-data", u->client_cert_data) &&
	    put_str(d, in, "client-certificate", u->client_cert_file) &&
	    put_str(d, in, "client-key-data", u->client_key_data) &&
	    put_str(d, in, "client-key", u->client_key_file) &&
	    put_str(d, in, "token", u->token) &&
	    put_str(d, in, "tokenFile", u->token_file) &&
	    (u->exec == NULL || put_node(d, in, "exec", build_exec(d, u->exec))) &&
	    put_node(d, entry, "user", in);
	return put_entry(kc, KC_USERS, u->name, ok ? entry : 0, changed, err);
}

int
kubeconfig_set_context(struct kubeconfig *kc, const struct kc_context *c,
    int *changed, struct ekskit_err *err)
{
	yaml_document_t *d = &kc->doc;
	int entry, in, ok;

	if (need_name(c->name, "context", err) != EKSKIT_OK)
		return EKSKIT_ERR_INVALID;
	entry = add_map(d);
	in = add_map(d);
	ok = put_str(d, in, "cluster", c->cluster) &&
	    put_str(d, in, "namespace", c->namespace) &&
	    put_str(d, in, "user", c->user) &&
	    put_node(d, entry, "context", in) &&
	    put_str(d, entry, "name", c->name);
	return put_entry(kc, KC_CONTEXTS, c->name, ok ? entry : 0, changed, err);
}

int
kubeconfig_set_current_context(struct kubeconfig *kc, const char *name,
    int *changed, struct ekskit_err *err)
{
	yaml_node_pair_t *p;
	const char *cur = kubeconfig_current_context(kc);
	int v;

	if (changed)
		*changed = !(cur != NULL && name != NULL && strcmp(cur, name) == 0);
	if (changed && !*changed)
		return EKSKIT_OK;
	if ((v = add_str(&kc->doc, name ? name : "")) == 0)
		return ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	if ((p = map_pair(kc, root_of(kc), "current-context")) != NULL) {
		p->value = v;
		return EKSKIT_OK;
	}
	if (!put_node(&kc->doc, ROOT_ID, "current-context", v))
		return ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	return EKSKIT_OK;
}

/* Remove every entry called name from a section; returns how many went. */
size_t
kubeconfig_remove(struct kubeconfig *kc, enum kc_section s, const char *name)
{
	yaml_node_t *list = section_list(kc, s);
	yaml_node_item_t *it, *keep;
	size_t removed = 0;

	if (list == NULL || name == NULL)
		return 0;
	/* unlink in place (the nodes stay in the array, unreachable) */
	keep = list->data.sequence.items.start;
	for (it = keep; it < list->data.sequence.items.top; it++) {
		const char *n = entry_name(kc, *it);
		if (n != NULL && strcmp(n, name) == 0)
			removed++;
		else
			*keep++ = *it;
	}
	list->data.sequence.items.top = keep;
	return removed;
}

/* ---------- emitting ---------- */

static int
write_handler(void *data, unsigned char *buf, size_t size)
{
	return ekbuf_append(data, buf, size) == EKSKIT_OK;
}

/* Dump (and thereby destroy) doc into out. */
static int
dump_document(yaml_document_t *doc, struct ekbuf *out, struct ekskit_err *err)
{
	yaml_emitter_t em;
	int ok;

	if (!yaml_emitter_initialize(&em)) {
		yaml_document_delete(doc);
		return ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	}
	yaml_emitter_set_output(&em, write_handler, out);
	yaml_emitter_set_unicode(&em, 1);
	yaml_emitter_set_width(&em, -1);     /* never fold the long CA data */
	ok = yaml_emitter_open(&em) && yaml_emitter_dump(&em, doc) &&
	    yaml_emitter_close(&em) && yaml_emitter_flush(&em);
	if (!ok) {
		int r = ekskit_err_set(err, em.error == YAML_MEMORY_ERROR ||
		    em.error == YAML_WRITER_ERROR ? EKSKIT_ERR_NOMEM :
		    EKSKIT_ERR_INVALID, "writing yaml: %s",
		    em.problem ? em.problem : "emitter error");
		yaml_emitter_delete(&em);
		return r;
	}
	yaml_emitter_delete(&em);
	return EKSKIT_OK;
}

/*
 * Emitting straight from the document as events: yaml_emitter_dump would
 * destroy the document (and copying a 5,000-context file first doubles
 * time and memory).  Nodes reached more than once (YAML aliases) get an
 * anchor; the second visit emits an alias, which also ends cycles.
 */
struct emit_state {
	const struct kubeconfig *kc;
	yaml_emitter_t *em;
	int *refs;                  /* per node id: times reached */
	int *anchor;                /* per node id: anchor number, 0 = none */
	char *done;                 /* per node id: already emitted */
	int anchors;
};

static void
count_refs(struct emit_state *st, int id)
{
	yaml_node_t *n = node_at(st->kc, id);
	yaml_node_item_t *it;
	yaml_node_pair_t *p;

	if (n == NULL || st->refs[id]++ > 0)
		return;
	if (n->type == YAML_SEQUENCE_NODE)
		for (it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++)
			count_refs(st, *it);
	else if (n->type == YAML_MAPPING_NODE)
		for (p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
			count_refs(st, p->key);
			count_refs(st, p->value);
		}
}

static int
tag_is(const yaml_char_t *tag, const char *def)
{
	return tag == NULL || strcmp((const char *)tag, def) == 0;
}

static int
emit_node(struct emit_state *st, int id)
{
	yaml_node_t *n = node_at(st->kc, id);
	yaml_node_item_t *it;
	yaml_node_pair_t *p;
	yaml_event_t ev;
	char name[24], *anchor = NULL;

	if (n == NULL)
		return 0;
	if (st->refs[id] > 1) {
		if (st->anchor[id] == 0)
			st->anchor[id] = ++st->anchors;
		snprintf(name, sizeof(name), "id%03d", st->anchor[id]);
		anchor = name;
		if (st->done[id])
			return yaml_alias_event_initialize(&ev, (yaml_char_t *)anchor) &&
			    yaml_emitter_emit(st->em, &ev);
	}
	st->done[id] = 1;
	switch (n->type) {
	case YAML_SCALAR_NODE: {
		int implicit = tag_is(n->tag, YAML_DEFAULT_SCALAR_TAG);
		return yaml_scalar_event_initialize(&ev, (yaml_char_t *)anchor, n->tag,
		    n->data.scalar.value, (int)n->data.scalar.length, implicit,
		    implicit, n->data.scalar.style) && yaml_emitter_emit(st->em, &ev);
	}
	case YAML_SEQUENCE_NODE:
		if (!yaml_sequence_start_event_initialize(&ev, (yaml_char_t *)anchor,
		    n->tag, tag_is(n->tag, YAML_DEFAULT_SEQUENCE_TAG),
		    n->data.sequence.style) || !yaml_emitter_emit(st->em, &ev))
			return 0;
		for (it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++)
			if (!emit_node(st, *it))
				return 0;
		return yaml_sequence_end_event_initialize(&ev) &&
		    yaml_emitter_emit(st->em, &ev);
	case YAML_MAPPING_NODE:
		if (!yaml_mapping_start_event_initialize(&ev, (yaml_char_t *)anchor,
		    n->tag, tag_is(n->tag, YAML_DEFAULT_MAPPING_TAG),
		    n->data.mapping.style) || !yaml_emitter_emit(st->em, &ev))
			return 0;
		for (p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++)
			if (!emit_node(st, p->key) || !emit_node(st, p->value))
				return 0;
		return yaml_mapping_end_event_initialize(&ev) &&
		    yaml_emitter_emit(st->em, &ev);
	default:
		return 0;
	}
}

static int
emit_events(struct emit_state *st)
{
	const yaml_document_t *d = &st->kc->doc;
	yaml_event_t ev;

	return yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING) &&
	    yaml_emitter_emit(st->em, &ev) &&
	    yaml_document_start_event_initialize(&ev, d->version_directive,
	    d->tag_directives.start, d->tag_directives.end, d->start_implicit) &&
	    yaml_emitter_emit(st->em, &ev) &&
	    emit_node(st, ROOT_ID) &&
	    yaml_document_end_event_initialize(&ev, d->end_implicit) &&
	    yaml_emitter_emit(st->em, &ev) &&
	    yaml_stream_end_event_initialize(&ev) &&
	    yaml_emitter_emit(st->em, &ev) &&
	    yaml_emitter_flush(st->em);
}

int
kubeconfig_emit(const struct kubeconfig *kc, struct ekbuf *out,
    struct ekskit_err *err)
{
	size_t nodes = (size_t)(kc->doc.nodes.top - kc->doc.nodes.start) + 1;
	struct emit_state st;
	yaml_emitter_t em;
	int r = EKSKIT_OK;

	memset(&st, 0, sizeof(st));
	st.kc = kc;
	st.em = &em;
	st.refs = calloc(nodes, sizeof(*st.refs));
	st.anchor = calloc(nodes, sizeof(*st.anchor));
	st.done = calloc(nodes, 1);
	if (st.refs == NULL || st.anchor == NULL || st.done == NULL ||
	    !yaml_emitter_initialize(&em)) {
		free(st.refs);
		free(st.anchor);
		free(st.done);
		return ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	}
	yaml_emitter_set_output(&em, write_handler, out);
	yaml_emitter_set_unicode(&em, 1);
	yaml_emitter_set_width(&em, -1);     /* never fold the long CA data */
	/* about the size read plus the new entries: grow (and copy) once; a
	 * buffer the file was read into usually has that room already */
	if (out->cap < out->len + kc->src_len + 65536)
		(void)ekbuf_reserve(out, kc->src_len + kc->src_len / 8 + 65536);
	count_refs(&st, ROOT_ID);
	if (!emit_events(&st))
		r = ekskit_err_set(err, em.error == YAML_MEMORY_ERROR ||
		    em.error == YAML_WRITER_ERROR ? EKSKIT_ERR_NOMEM :
		    EKSKIT_ERR_INVALID, "writing yaml: %s",
		    em.problem ? em.problem : "emitter error");
	yaml_emitter_delete(&em);
	free(st.refs);
	free(st.anchor);
	free(st.done);
	return r;
}

/* Deep copy of node `id` of kc into d (for small, freshly built entries). */
static int
copy_node(const struct kubeconfig *kc, int id, yaml_document_t *d, int depth)
{
	yaml_node_t *n = node_at(kc, id);
	yaml_node_item_t *it;
	yaml_node_pair_t *p;
	int c, k, v;

	if (n == NULL || depth > KC_MAX_DEPTH)
		return 0;
	switch (n->type) {
	case YAML_SCALAR_NODE:
		return yaml_document_add_scalar(d, n->tag, n->data.scalar.value,
		    (int)n->data.scalar.length, n->data.scalar.style);
	case YAML_SEQUENCE_NODE:
		c = yaml_document_add_sequence(d, n->tag, n->data.sequence.style);
		for (it = n->data.sequence.items.start; c && it < n->data.sequence.items.top; it++) {
			if ((v = copy_node(kc, *it, d, depth + 1)) == 0 ||
			    !yaml_document_append_sequence_item(d, c, v))
				return 0;
		}
		return c;
	case YAML_MAPPING_NODE:
		c = yaml_document_add_mapping(d, n->tag, n->data.mapping.style);
		for (p = n->data.mapping.pairs.start; c && p < n->data.mapping.pairs.top; p++) {
			if ((k = copy_node(kc, p->key, d, depth + 1)) == 0 ||
			    (v = copy_node(kc, p->value, d, depth + 1)) == 0 ||
			    !yaml_document_append_mapping_pair(d, c, k, v))
				return 0;
		}
		return c;
	default:
		return 0;
	}
}

static int
copy_section(const struct kubeconfig *kc, enum kc_section s,
    const char *const *names, yaml_document_t *d, int root)
{
	yaml_node_t *list = section_list(kc, s);
	int seq, e;
	long i;

	if (names == NULL || names[0] == NULL)
		return 1;
	if ((seq = add_seq(d)) == 0)
		return 0;
	for (; *names; names++) {
		if ((i = find_entry(kc, s, *names)) < 0)
			continue;
		e = copy_node(kc, list->data.sequence.items.start[i], d, 0);
		if (e == 0 || !yaml_document_append_sequence_item(d, seq, e))
			return 0;
	}
	return put_node(d, root, section_key[s], seq);
}

int
kubeconfig_emit_entries(const struct kubeconfig *kc,
    const char *const *clusters, const char *const *users,
    const char *const *contexts, int with_current, struct ekbuf *out,
    struct ekskit_err *err)
{
	yaml_document_t d;
	int root, ok;

	if (!yaml_document_initialize(&d, NULL, NULL, NULL, 1, 1))
		return ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	root = add_map(&d);
	ok = root && copy_section(kc, KC_CLUSTERS, clusters, &d, root) &&
	    copy_section(kc, KC_USERS, users, &d, root) &&
	    copy_section(kc, KC_CONTEXTS, contexts, &d, root);
	if (ok && with_current)
		ok = put_str(&d, root, "current-context",
		    kubeconfig_current_context(kc) ? kubeconfig_current_context(kc) : "");
	if (!ok) {
		yaml_document_delete(&d);
		return ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	}
	return dump_document(&d, out, err);
}

/* ---------- paths ---------- */

static char *
expand_home(const char *p, const char *home)
{
	char *r;

	if (p[0] != '~' || (p[1] != '/' && p[1] != '\0'))
		return strdup(p);
	if (home == NULL)
		return NULL;
	if ((r = malloc(strlen(home) + strlen(p))) == NULL)
		return NULL;
	sprintf(r, "%s%s", home, p + 1);
	return r;
}

static int
push_path(char ***v, size_t *n, char *p)
{
	char **nv;
	size_t i;

	if (p == NULL)
		return 0;
	for (i = 0; i < *n; i++)
		if (strcmp((*v)[i], p) == 0) {   /* client-go de-duplicates */
			free(p);
			return 1;
		}
	if ((nv = realloc(*v, (*n + 2) * sizeof(*nv))) == NULL) {
		free(p);
		return 0;
	}
	*v = nv;
	nv[(*n)++] = p;
	nv[*n] = NULL;
	return 1;
}

char **
kubeconfig_paths(const char *flag, const char *env, const char *home)
{
	char **v = NULL, *copy, *tok, *save = NULL;
	size_t n = 0;
	int ok = 1;

	if (flag != NULL && *flag != '\0') {
		ok = push_path(&v, &n, expand_home(flag, home));
	} else if (env != NULL && *env != '\0') {
		if ((copy = strdup(env)) == NULL)
			return NULL;
		for (tok = strtok_r(copy, ":", &save); ok && tok;
		    tok = strtok_r(NULL, ":", &save))
			if (*tok != '\0')
				ok = push_path(&v, &n, expand_home(tok, home));
		free(copy);
	}
	if (ok && n == 0) {
		char *p;
		if (home == NULL || *home == '\0')
			ok = 0;
		else if ((p = malloc(strlen(home) + sizeof("/.kube/config"))) != NULL) {
			sprintf(p, "%s/.kube/config", home);
			ok = push_path(&v, &n, p);
		} else
			ok = 0;
	}
	if (!ok) {
		ek_strv_free(v);
		return NULL;
	}
	return v;
}

