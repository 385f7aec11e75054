/*
 * rt_policy_test.c -- `airlock policy test FILE`: policy unit tests, the
 * way OPA users run `opa test`.  See rt_policy.h; the file format is in
 * policy/README.md ("Testing a policy"):
 *
 *   context: {region: us-east-1, account: "333333333333", profile: prod}
 *   tests:
 *     - name: prod deletes are refused
 *       call:
 *         service: ec2                  # any name the catalog knows
 *         operation: TerminateInstances # or terminate-instances
 *         input: {InstanceIds: [i-1]}   # YAML, or input_json: '{...}'
 *         region: ...                   # override the context (null:
 *                                       # not known)
 *       expect: deny                    # allow | deny | require_approval
 *                                       # | unknown_operation (the names
 *                                       # must not resolve: look-alikes)
 *       rule: no-deletes-in-prod        # optional: the deciding rule
 *       approvers: 2                    # optional (require_approval)
 *
 * input_json keeps what YAML cannot say (a key twice in one object, for
 * the bypass tests).  YAML plain scalars become JSON null, booleans and
 * numbers as YAML 1.2's core schema reads them; quoted scalars stay
 * strings.  Aliases are refused, as in policy files.
 */
#include "rt_policy.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "alc_err.h"

typedef struct tx {
	yaml_document_t doc;
	const char *file;
	FILE *errf;
	int nerr;
} tx;

static void terr(tx *t, const yaml_node_t *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void terr(tx *t, const yaml_node_t *n, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(t->errf, "%s:%zu:%zu: error: ", t->file,
	        n ? n->start_mark.line + 1 : 1, n ? n->start_mark.column + 1 : 1);
	vfprintf(t->errf, fmt, ap);
	fputc('\n', t->errf);
	va_end(ap);
	t->nerr++;
}

static yaml_node_t *tnode(tx *t, int i)
{
	return yaml_document_get_node(&t->doc, i);
}

static const char *sv(const yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value
	                                        : NULL;
}

/* Every key of mapping M is one of ALLOWED, once. */
static void check_keys(tx *t, yaml_node_t *m, const char *const *allowed,
                       const char *what)
{
	if (!m || m->type != YAML_MAPPING_NODE)
		return;
	for (yaml_node_pair_t *p = m->data.mapping.pairs.start;
	     p < m->data.mapping.pairs.top; p++) {
		yaml_node_t *k = tnode(t, p->key);
		const char *ks = sv(k);
		int known = 0;
		for (const char *const *a = allowed; ks && *a; a++)
			known |= strcmp(*a, ks) == 0;
		if (!known)
			terr(t, k, "unknown key \"%s\" in %s", ks ? ks : "?", what);
		for (yaml_node_pair_t *q = m->data.mapping.pairs.start; ks && q < p; q++)
			if (sv(tnode(t, q->key)) && strcmp(sv(tnode(t, q->key)), ks) == 0)
				terr(t, k, "duplicate key \"%s\" in %s", ks, what);
	}
}

/* Value of KEY in mapping M, or NULL. */
static yaml_node_t *get(tx *t, yaml_node_t *m, const char *key)
{
	if (!m || m->type != YAML_MAPPING_NODE)
		return NULL;
	for (yaml_node_pair_t *p = m->data.mapping.pairs.start;
	     p < m->data.mapping.pairs.top; p++) {
		const char *ks = sv(tnode(t, p->key));
		if (ks && strcmp(ks, key) == 0)
			return tnode(t, p->value);
	}
	return NULL;
}

static int plain(const yaml_node_t *n)
{
	return n->type == YAML_SCALAR_NODE &&
	       n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
}

/* YAML node -> cJSON, depth-bounded; NULL after an error. */
static cJSON *to_json(tx *t, yaml_node_t *n, int depth)
{
	if (depth > 64) {
		terr(t, n, "input nested too deeply");
		return NULL;
	}
	if (n->type == YAML_SCALAR_NODE) {
		const char *s = sv(n);
		if (plain(n)) {
			if (!*s || strcmp(s, "~") == 0 || strcmp(s, "null") == 0)
				return cJSON_CreateNull();
			if (strcmp(s, "true") == 0)
				return cJSON_CreateTrue();
			if (strcmp(s, "false") == 0)
				return cJSON_CreateFalse();
			char *end;
			errno = 0;
			double d = strtod(s, &end);
			if (!*end && !errno && strspn(s, "+-0123456789.eE") == strlen(s))
				return cJSON_CreateNumber(d);
		}
		return cJSON_CreateString(s);
	}
	if (n->type == YAML_SEQUENCE_NODE) {
		cJSON *a = cJSON_CreateArray();
		for (yaml_node_item_t *it = n->data.sequence.items.start;
		     a && it < n->data.sequence.items.top; it++) {
			cJSON *v = to_json(t, tnode(t, *it), depth + 1);
			if (!v) {
				cJSON_Delete(a);
				return NULL;
			}
			cJSON_AddItemToArray(a, v);
		}
		return a;
	}
	if (n->type == YAML_MAPPING_NODE) {
		cJSON *o = cJSON_CreateObject();
		for (yaml_node_pair_t *p = n->data.mapping.pairs.start;
		     o && p < n->data.mapping.pairs.top; p++) {
			const char *k = sv(tnode(t, p->key));
			if (!k) {
				terr(t, tnode(t, p->key), "input keys must be scalars");
				cJSON_Delete(o);
				return NULL;
			}
			cJSON *v = to_json(t, tnode(t, p->value), depth + 1);
			if (!v) {
				cJSON_Delete(o);
				return NULL;
			}
			cJSON_AddItemToObject(o, k, v);
		}
		return o;
	}
	terr(t, n, "empty node");
	return NULL;
}

static const char *const top_keys[] = { "context", "tests", "description", NULL };
static const char *const ctx_keys[] = { "region", "account", "profile", NULL };
static const char *const case_keys[] = {
	"name", "call", "expect", "rule", "approvers", "ttl", NULL,
};
static const char *const call_keys[] = {
	"service", "operation", "input", "input_json", "region", "account",
	"profile", NULL,
};

static const char *ctx_value(tx *t, yaml_node_t *call, yaml_node_t *ctx,
                             const char *key)
{
	/* the call's own value, null meaning "not known"; else the context's */
	yaml_node_t *v = get(t, call, key);
	if (!v)
		v = get(t, ctx, key);
	if (v && plain(v) && (!*sv(v) || strcmp(sv(v), "~") == 0 ||
	                      strcmp(sv(v), "null") == 0))
		return NULL;
	return sv(v);
}

int rt_policy_test_file(rt_policy *p, const alc_catalog *cat,
                        const char *file, FILE *out, FILE *errf, int verbose)
{
	tx t;
	memset(&t, 0, sizeof t);
	t.file = file;
	t.errf = errf;
	FILE *f = fopen(file, "rb");
	if (!f) {
		fprintf(errf, "%s: error: %s\n", file, strerror(errno));
		return 2;
	}
	yaml_parser_t parser;
	if (!yaml_parser_initialize(&parser)) {
		fclose(f);
		return 2;
	}
	yaml_parser_set_input_file(&parser, f);
	if (!yaml_parser_load(&parser, &t.doc)) {
		fprintf(errf, "%s:%zu:%zu: error: YAML: %s\n", file,
		        parser.problem_mark.line + 1, parser.problem_mark.column + 1,
		        parser.problem ? parser.problem : "syntax error");
		yaml_parser_delete(&parser);
		fclose(f);
		return 2;
	}
	yaml_parser_delete(&parser);
	fclose(f);
	int rc = 2;
	yaml_node_t *root = yaml_document_get_root_node(&t.doc);
	if (!root || root->type != YAML_MAPPING_NODE) {
		terr(&t, root, "a policy test file is a mapping with \"tests\"");
		goto out;
	}
	yaml_node_t *ctx = get(&t, root, "context");
	yaml_node_t *tests = get(&t, root, "tests");
	check_keys(&t, root, top_keys, "the test file");
	check_keys(&t, ctx, ctx_keys, "context");
	if (!tests || tests->type != YAML_SEQUENCE_NODE) {
		terr(&t, tests ? tests : root, "\"tests\" must be a list of cases");
		goto out;
	}
	if (t.nerr)
		goto out;
	unsigned passed = 0, failed = 0, broken = 0, idx = 0;
	for (yaml_node_item_t *it = tests->data.sequence.items.start;
	     it < tests->data.sequence.items.top; it++, idx++) {
		yaml_node_t *c = tnode(&t, *it);
		int before = t.nerr;
		if (c->type != YAML_MAPPING_NODE) {
			terr(&t, c, "a test case is a mapping");
			broken++;
			continue;
		}
		check_keys(&t, c, case_keys, "a test case");
		check_keys(&t, get(&t, c, "call"), call_keys, "a call");
		const char *name = sv(get(&t, c, "name"));
		yaml_node_t *call = get(&t, c, "call");
		const char *expect = sv(get(&t, c, "expect"));
		const char *want_rule = sv(get(&t, c, "rule"));
		const char *want_appr = sv(get(&t, c, "approvers"));
		const char *want_ttl = sv(get(&t, c, "ttl"));
		char label[128];
		snprintf(label, sizeof label, "%s", name ? name : "");
		if (!name)
			snprintf(label, sizeof label, "case %u (line %zu)", idx + 1,
			         c->start_mark.line + 1);
		unsigned want = 0;
		int want_unknown = expect && strcmp(expect, "unknown_operation") == 0;
		for (unsigned e = ALC_EFFECT_ALLOW; expect && e < ALC_EFFECT_COUNT; e++)
			if (strcmp(expect, alc_effect_name(e)) == 0)
				want = e;
		if (!want && !want_unknown)
			terr(&t, c, "%s: expect must be allow, deny, require_approval or "
			     "unknown_operation", label);
		if (!call || call->type != YAML_MAPPING_NODE) {
			terr(&t, c, "%s: needs a call {service, operation, ...}", label);
			broken++;
			continue;
		}
		const char *svc = sv(get(&t, call, "service"));
		const char *opn = sv(get(&t, call, "operation"));
		yaml_node_t *in = get(&t, call, "input");
		const char *in_json = sv(get(&t, call, "input_json"));
		rt_call rc_ = { 0 };
		rc_.region = ctx_value(&t, call, ctx, "region");
		rc_.account = ctx_value(&t, call, ctx, "account");
		rc_.profile = ctx_value(&t, call, ctx, "profile");
		if (!svc || !opn) {
			terr(&t, call, "%s: a call needs service and operation", label);
		} else {
			rc_.op = alc_find_operation(cat, svc, strlen(svc), opn, strlen(opn));
			if (want_unknown && t.nerr == before) {
				if (rc_.op) {
					failed++;
					fprintf(out, "FAIL  %s (line %zu): expected no such "
					        "operation, but %s:%s resolves to %s:%s\n", label,
					        c->start_mark.line + 1, svc, opn,
					        alc_str(cat, cat->svcs[rc_.op->service].key),
					        alc_str(cat, rc_.op->name));
				} else {
					passed++;
					if (verbose)
						fprintf(out, "PASS  %s\n", label);
				}
				continue;
			}
			if (!rc_.op)
				terr(&t, call, "%s: %s:%s is not in the catalog", label, svc, opn);
		}
		cJSON *input = NULL;
		if (in && in_json)
			terr(&t, call, "%s: give input or input_json, not both", label);
		else if (in)
			input = to_json(&t, in, 0);
		else if (in_json && !(input = cJSON_Parse(in_json)))
			terr(&t, call, "%s: input_json is not valid JSON", label);
		else if (!in_json)
			input = cJSON_CreateObject();   /* a call always has an input */
		if (t.nerr != before) {
			cJSON_Delete(input);
			broken++;
			continue;
		}
		rc_.input = input;
		rt_decision d;
		rt_policy_decide(p, &rc_, RT_DECIDE_EXPLAIN, &d);
		int ok = d.effect == want;
		if (want_rule && strcmp(want_rule, d.rule) != 0)
			ok = 0;
		if (want_appr && (d.effect != ALC_EFFECT_APPROVAL ||
		                  strtoul(want_appr, NULL, 10) != d.approvers))
			ok = 0;
		if (want_ttl && (d.effect != ALC_EFFECT_APPROVAL ||
		                 strtoul(want_ttl, NULL, 10) != d.ttl))
			ok = 0;
		if (ok) {
			passed++;
			if (verbose)
				fprintf(out, "PASS  %s\n", label);
		} else {
			failed++;
			fprintf(out, "FAIL  %s (line %zu): expected %s%s%s, got %s (rule "
			        "%s): %s\n", label, c->start_mark.line + 1,
			        expect ? expect : "?", want_rule ? " by rule " : "",
			        want_rule ? want_rule : "", alc_effect_name(d.effect),
			        d.rule, d.reason);
		}
		cJSON_Delete(input);
	}
	fprintf(out, "%u passed, %u failed", passed, failed);
	if (broken)
		fprintf(out, ", %u broken (see the errors)", broken);
	fputc('\n', out);
	if (broken)
		rc = 2;
	else
		rc = failed ? 1 : 0;
out:
	yaml_document_delete(&t.doc);
	return rc;
}
