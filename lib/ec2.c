/* EC2 DescribeNetworkInterfaces for EKS control-plane ENIs: see include/ekskit/ec2.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ekskit/buf.h"
#include "ekskit/dns.h"
#include "ekskit/ec2.h"
#include "ekskit/http.h"
#include "ekskit/xml.h"

#define ROOT "/DescribeNetworkInterfacesResponse"
#define ITEM ROOT "/networkInterfaceSet/item"

/* Parser state for one page. */
struct page {
	const struct ec2_eni_filter *f;
	struct ec2_eni_list *list;
	struct ec2_eni cur;           /* the item being read */
	int in_item;
	int saw_root;
	int bad_address;              /* an address that did not parse, in cur */
	char *next_token;
	struct ekskit_err *err;
};

static void
eni_release(struct ec2_eni *e)
{
	free(e->id);
	free(e->description);
	free(e->vpc_id);
	free(e->status);
	ek_strv_free(e->ipv4);
	ek_strv_free(e->ipv6);
	memset(e, 0, sizeof(*e));
}

void
ec2_eni_list_release(struct ec2_eni_list *l)
{
	size_t i;

	if (l == NULL)
		return;
	for (i = 0; i < l->n; i++)
		eni_release(&l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

int
ec2_eks_eni_description(const char *cluster, char **out, struct ekskit_err *err)
{
	struct ekbuf b;

	*out = NULL;
	ekbuf_init(&b, 256);
	if (ekbuf_printf(&b, "Amazon EKS %s", cluster) != EKSKIT_OK ||
	    (*out = ekbuf_detach(&b, NULL)) == NULL) {
		ekbuf_release(&b);
		return ekskit_err_set(err, EKSKIT_ERR_NOMEM, "cluster name too long");
	}
	return EKSKIT_OK;
}

static size_t
strv_len(char **v)
{
	size_t n = 0;

	while (v != NULL && v[n] != NULL)
		n++;
	return n;
}

/* Add a canonical copy of an address; an invalid one marks the item bad. */
static int
add_address(struct page *pg, char ***vp, const char *text)
{
	char canon[64];
	size_t n = strv_len(*vp);
	char **nv;

	if (ipaddr_canonical(text, canon, sizeof(canon)) != EKSKIT_OK) {
		pg->bad_address = 1;
		return EKSKIT_OK;
	}
	if (n >= EC2_MAX_ADDRS_PER_ENI)
		return ekskit_err_set(pg->err, EKSKIT_ERR_INVALID,
		    "EC2 response: more than %d addresses on one interface",
		    EC2_MAX_ADDRS_PER_ENI);
	if ((nv = realloc(*vp, (n + 2) * sizeof(*nv))) == NULL)
		return ekskit_err_set(pg->err, EKSKIT_ERR_NOMEM, "out of memory");
	*vp = nv;
	nv[n + 1] = NULL;
	if ((nv[n] = strdup(canon)) == NULL)
		return ekskit_err_set(pg->err, EKSKIT_ERR_NOMEM, "out of memory");
	return EKSKIT_OK;
}

static int
set_field(struct page *pg, char **field, const char *text)
{
	if (*field != NULL)      /* a repeated field: keep the first */
		return EKSKIT_OK;
	if ((*field = strdup(text)) == NULL)
		return ekskit_err_set(pg->err, EKSKIT_ERR_NOMEM, "out of memory");
	return EKSKIT_OK;
}

static int
on_start(void *ctx, const char *path)
{
	struct page *pg = ctx;

	if (strcmp(path, ROOT) == 0)
		pg->saw_root = 1;
	if (strcmp(path, ITEM) == 0) {
		eni_release(&pg->cur);
		pg->in_item = 1;
		pg->bad_address = 0;
	}
	return EKSKIT_OK;
}

static int
item_matches(const struct page *pg, const struct ec2_eni *e)
{
	if (e->description == NULL || strcmp(e->description, pg->f->description) != 0)
		return 0;
	if (pg->f->vpc_id != NULL &&
	    (e->vpc_id == NULL || strcmp(e->vpc_id, pg->f->vpc_id) != 0))
		return 0;
	return 1;
}

/* An item closed: keep it if it passes the re-check. */
static int
commit_item(struct page *pg)
{
	struct ec2_eni *nv;

	pg->in_item = 0;
	if (!item_matches(pg, &pg->cur)) {
		eni_release(&pg->cur);
		return EKSKIT_OK;
	}
	if (pg->bad_address)
		return ekskit_err_set(pg->err, EKSKIT_ERR_INVALID,
		    "EC2 response: interface %s has an address that is not a valid "
		    "IP address; refusing to use this answer",
		    pg->cur.id ? pg->cur.id : "(no id)");
	if (pg->list->n >= EC2_MAX_ENIS)
		return ekskit_err_set(pg->err, EKSKIT_ERR_INVALID,
		    "EC2 response: more than %d matching interfaces", EC2_MAX_ENIS);
	if ((nv = realloc(pg->list->v, (pg->list->n + 1) * sizeof(*nv))) == NULL)
		return ekskit_err_set(pg->err, EKSKIT_ERR_NOMEM, "out of memory");
	pg->list->v = nv;
	nv[pg->list->n++] = pg->cur;
	memset(&pg->cur, 0, sizeof(pg->cur));
	return EKSKIT_OK;
}

static int
on_end(void *ctx, const char *path, const char *text, size_t len)
{
	struct page *pg = ctx;
	const char *rel;

	(void)len;
	if (strcmp(path, ROOT "/nextToken") == 0)
		return *text ? set_field(pg, &pg->next_token, text) : EKSKIT_OK;
	if (!pg->in_item || strncmp(path, ITEM, strlen(ITEM)) != 0)
		return EKSKIT_OK;
	rel = path + strlen(ITEM);
	if (*rel == '\0')
		return commit_item(pg);
	if (strcmp(rel, "/networkInterfaceId") == 0)
		return set_field(pg, &pg->cur.id, text);
	if (strcmp(rel, "/description") == 0)
		return set_field(pg, &pg->cur.description, text);
	if (strcmp(rel, "/vpcId") == 0)
		return set_field(pg, &pg->cur.vpc_id, text);
	if (strcmp(rel, "/status") == 0)
		return set_field(pg, &pg->cur.status, text);
	/* the secondary list holds the primary too; the top-level field is the fallback */
	if (strcmp(rel, "/privateIpAddressesSet/item/privateIpAddress") == 0 ||
	    strcmp(rel, "/privateIpAddress") == 0)
		return add_address(pg, &pg->cur.ipv4, text);
	if (strcmp(rel, "/ipv6AddressesSet/item/ipv6Address") == 0)
		return add_address(pg, &pg->cur.ipv6, text);
	return EKSKIT_OK;
}

int
ec2_parse_enis(const char *xml, size_t len, const struct ec2_eni_filter *f,
    struct ec2_eni_list *list, char **next_token, struct ekskit_err *err)
{
	struct page pg;
	struct xml_handlers h = { on_start, on_end, NULL };
	int r;

	*next_token = NULL;
	memset(&pg, 0, sizeof(pg));
	pg.f = f;
	pg.list = list;
	pg.err = err;
	h.ctx = &pg;
	r = xml_parse(xml, len, &h, err);
	if (r == EKSKIT_OK && !pg.saw_root)
		r = ekskit_err_set(err, EKSKIT_ERR_INVALID,
		    "EC2 answered with something that is not a "
		    "DescribeNetworkInterfacesResponse");
	eni_release(&pg.cur);
	if (r == EKSKIT_OK) {
		*next_token = pg.next_token;
		pg.next_token = NULL;
	}
	free(pg.next_token);
	return r;
}

int
ec2_describe_eks_enis(const struct aws_client *c, const struct ec2_eni_filter *f,
    struct ec2_eni_list *out, struct ekskit_err *err)
{
	struct aws_param p[6];
	struct http_response resp;
	char *token = NULL, *next = NULL;
	size_t np, page;
	int r = EKSKIT_OK;

	memset(out, 0, sizeof(*out));
	for (page = 0; page < EC2_MAX_PAGES; page++) {
		np = 0;
		p[np].name = "Filter.1.Name";
		p[np++].value = "description";
		p[np].name = "Filter.1.Value.1";
		p[np++].value = f->description;
		if (f->vpc_id != NULL) {
			p[np].name = "Filter.2.Name";
			p[np++].value = "vpc-id";
			p[np].name = "Filter.2.Value.1";
			p[np++].value = f->vpc_id;
		}
		if (token != NULL) {
			p[np].name = "NextToken";
			p[np++].value = token;
		}
		r = aws_query_call(c, "DescribeNetworkInterfaces", EC2_API_VERSION, p,
		    np, &resp, err);
		if (r == EKSKIT_OK)
			r = ec2_parse_enis(resp.body.data ? resp.body.data : "",
			    resp.body.len, f, out, &next, err);
		http_response_release(&resp);
		free(token);
		token = next;
		next = NULL;
		if (r != EKSKIT_OK) {
			ekskit_err_prefix(err, "ec2 DescribeNetworkInterfaces");
			break;
		}
		if (token == NULL)
			break;
	}
	if (r == EKSKIT_OK && token != NULL)
		r = ekskit_err_set(err, EKSKIT_ERR_INVALID,
		    "ec2 DescribeNetworkInterfaces: more than %d pages", EC2_MAX_PAGES);
	free(token);
	if (r != EKSKIT_OK)
		ec2_eni_list_release(out);
	return r;
}

static int
append_all(char ***acc, size_t *n, char **src, struct ekskit_err *err)
{
	size_t i;
	char **nv;

	for (i = 0; src != NULL && src[i] != NULL; i++) {
		if ((nv = realloc(*acc, (*n + 2) * sizeof(*nv))) == NULL)
			return ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
		*acc = nv;
		nv[*n + 1] = NULL;
		if ((nv[*n] = strdup(src[i])) == NULL)
			return ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
		(*n)++;
	}
	return EKSKIT_OK;
}

int
ec2_eni_addresses(const struct ec2_eni_list *l, int want_ipv6, char ***out,
    size_t *n_out, struct ekskit_err *err)
{
	char **acc = NULL;
	size_t i, n = 0;
	int any_in_use = 0, r = EKSKIT_OK;

	*out = NULL;
	*n_out = 0;
	for (i = 0; i < l->n; i++) {
		if (l->v[i].status != NULL && strcmp(l->v[i].status, "in-use") == 0 &&
		    (l->v[i].ipv4 != NULL || (want_ipv6 && l->v[i].ipv6 != NULL)))
			any_in_use = 1;
	}
	for (i = 0; r == EKSKIT_OK && i < l->n; i++) {
		const struct ec2_eni *e = &l->v[i];

		if (any_in_use && (e->status == NULL || strcmp(e->status, "in-use") != 0))
			continue;
		r = append_all(&acc, &n, e->ipv4, err);
		if (r == EKSKIT_OK && want_ipv6)
			r = append_all(&acc, &n, e->ipv6, err);
	}
	if (r == EKSKIT_OK && n == 0)
		r = ekskit_err_set(err, EKSKIT_ERR_NOT_FOUND,
		    "no addresses found on the cluster's network interfaces");
	if (r != EKSKIT_OK) {
		ek_strv_free(acc);
		return r;
	}
	*n_out = ipaddr_sort_unique(acc);
	*out = acc;
	return EKSKIT_OK;
}

/* ---- DescribeSubnets: the VPC of the cluster's subnets ---- */

struct subnets_state {
	char *vpc;
	int saw_root;
	int mixed;
	struct ekskit_err *err;
};

#define SUBNETS_ROOT "/DescribeSubnetsResponse"

static int
subnets_start(void *ctx, const char *path)
{
	struct subnets_state *st = ctx;

	if (strcmp(path, SUBNETS_ROOT) == 0)
		st->saw_root = 1;
	return EKSKIT_OK;
}

static int
subnets_end(void *ctx, const char *path, const char *text, size_t len)
{
	struct subnets_state *st = ctx;

	(void)len;
	if (strcmp(path, SUBNETS_ROOT "/subnetSet/item/vpcId") != 0)
		return EKSKIT_OK;
	if (st->vpc == NULL) {
		if ((st->vpc = strdup(text)) == NULL)
			return ekskit_err_set(st->err, EKSKIT_ERR_NOMEM, "out of memory");
	} else if (strcmp(st->vpc, text) != 0) {
		st->mixed = 1;
	}
	return EKSKIT_OK;
}

int
ec2_parse_subnets_vpc(const char *xml, size_t len, char **vpc_out,
    struct ekskit_err *err)
{
	struct subnets_state st = { NULL, 0, 0, err };
	struct xml_handlers h = { subnets_start, subnets_end, &st };
	int r;

	*vpc_out = NULL;
	r = xml_parse(xml, len, &h, err);
	if (r == EKSKIT_OK && !st.saw_root)
		r = ekskit_err_set(err, EKSKIT_ERR_INVALID,
		    "EC2 answered with something that is not a DescribeSubnetsResponse");
	else if (r == EKSKIT_OK && st.mixed)
		r = ekskit_err_set(err, EKSKIT_ERR_INVALID,
		    "the cluster's subnets are in several VPCs");
	else if (r == EKSKIT_OK && (st.vpc == NULL || *st.vpc == '\0'))
		r = ekskit_err_set(err, EKSKIT_ERR_NOT_FOUND,
		    "the cluster's subnets were not found");
	if (r == EKSKIT_OK) {
		*vpc_out = st.vpc;
		st.vpc = NULL;
	}
	free(st.vpc);
	return r;
}

int
ec2_subnets_vpc(const struct aws_client *c, char *const *subnet_ids,
    char **vpc_out, struct ekskit_err *err)
{
	struct aws_param p[16];
	char names[16][24];
	struct http_response resp;
	size_t n = 0;
	int r;

	*vpc_out = NULL;
	while (subnet_ids != NULL && subnet_ids[n] != NULL && n < 16) {
		snprintf(names[n], sizeof(names[n]), "SubnetId.%zu", n + 1);
		p[n].name = names[n];
		p[n].value = subnet_ids[n];
		n++;
	}
	if (n == 0)
		return ekskit_err_set(err, EKSKIT_ERR_NOT_FOUND,
		    "DescribeCluster gave neither a vpcId nor subnet ids");
	r = aws_query_call(c, "DescribeSubnets", EC2_API_VERSION, p, n, &resp, err);
	if (r == EKSKIT_OK)
		r = ec2_parse_subnets_vpc(resp.body.data ? resp.body.data : "",
		    resp.body.len, vpc_out, err);
	http_response_release(&resp);
	if (r != EKSKIT_OK)
		ekskit_err_prefix(err, "ec2 DescribeSubnets");
	return r;
}
