/*
 * rt_tools.c -- see rt_tools.h.
 *
 * Arguments are checked here, by hand, against the same rules the tools'
 * input schemas state, so that a client that does not validate (many do
 * not) still gets a message naming the argument and what it must be.
 * Lookups go through the catalog's hash indexes; only a failed lookup pays
 * for suggestions, a bounded edit-distance scan over the names (at most
 * every service's four names, or one service's operations).
 */
#include "rt_tools.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alc_err.h"
#include "rt_plan.h"
#include "rt_policy.h"
#include "rt_schema.h"

/* ---- definitions ---------------------------------------------------- */

#define SVC_NAMING \
	"sdk-id (\\\"CloudWatch Logs\\\"), endpoint prefix (\\\"logs\\\") or AWS CLI name (\\\"s3api\\\")"

/* The policy decision in describe_operation and validate_input results
 * (rt_policy_decision_json). */
#define POLICY_SCHEMA \
	"\"policy\":{\"type\":\"object\",\"description\":\"What the catalog's policy decides " \
	"for this call (describe_operation: before seeing an input; rules that test the input " \
	"are listed in conditionalRules): allow, require_approval or deny, the deciding rule and " \
	"why, the operation's risk level and access, and the approvals needed.\"," \
	"\"properties\":{\"decision\":{\"type\":\"string\",\"enum\":[\"allow\",\"require_approval\",\"deny\"]}," \
	"\"rule\":{\"type\":\"string\"},\"reason\":{\"type\":\"string\"}," \
	"\"risk\":{\"type\":\"string\",\"enum\":[\"none\",\"low\",\"medium\",\"high\",\"critical\"]}," \
	"\"access\":{\"type\":\"string\",\"enum\":[\"read\",\"write\"]}," \
	"\"description\":{\"type\":\"string\"},\"environment\":{\"type\":[\"string\",\"null\"]}," \
	"\"approval\":{\"type\":[\"object\",\"null\"],\"properties\":{" \
	"\"approvers\":{\"type\":\"integer\"},\"ttlSeconds\":{\"type\":\"integer\"}}}," \
	"\"matchedRules\":{\"type\":\"array\",\"items\":{\"type\":\"string\"}}," \
	"\"conditionalRules\":{\"type\":\"array\",\"items\":{\"type\":\"string\"}}}," \
	"\"required\":[\"decision\",\"rule\",\"reason\",\"risk\",\"access\"]}"

/* What "readonly" means in results: rt_op_is_read(), airlock's one
 * definition, which search's access filter uses too. */
#define READ_DEF \
	"\"The operation only reads: the model marks it readonly, or its name starts " \
	"with Get, List, Describe, Head, Search, Query, Scan, Lookup or BatchGet/List/Describe.\""

static const rt_tool_def tools[] = {
	{
		"search_operations",
		"Search AWS operations",
		"Find AWS API operations for a plain-language intent, e.g. \"list my s3 buckets\", "
		"\"delete a cloudformation stack\", \"who am i\". Searches the offline catalog "
		"(operation names split into words, service names and aliases, summaries) and "
		"returns ranked matches, best first: service, operation, one-line summary, and "
		"whether the operation only reads. Narrow with service (sdk-id, endpoint prefix or "
		"AWS CLI name) and access (\"read\": read-only operations, \"write\": the others). "
		"Next step: describe_operation on the best match for its exact input schema.",
		"{\"type\":\"object\",\"properties\":{"
		"\"query\":{\"type\":\"string\",\"minLength\":1,\"maxLength\":512,"
		"\"description\":\"What you want to do, in plain words, e.g. \\\"list my s3 buckets\\\".\"},"
		"\"service\":{\"type\":\"string\",\"minLength\":1,"
		"\"description\":\"Only operations of this service: " SVC_NAMING ".\"},"
		"\"access\":{\"type\":\"string\",\"enum\":[\"read\",\"write\",\"any\"],\"default\":\"any\","
		"\"description\":\"read: only read-only operations; write: only the others; any: both.\"},"
		"\"limit\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":50,\"default\":10,"
		"\"description\":\"Most results to return.\"}},"
		"\"required\":[\"query\"],\"additionalProperties\":false}",
		"{\"type\":\"object\",\"properties\":{"
		"\"query\":{\"type\":\"string\"},"
		"\"results\":{\"type\":\"array\",\"description\":\"Best first.\",\"items\":{"
		"\"type\":\"object\",\"properties\":{"
		"\"service\":{\"type\":\"string\",\"description\":\"Service key, as describe_operation accepts it.\"},"
		"\"operation\":{\"type\":\"string\"},"
		"\"summary\":{\"type\":\"string\"},"
		"\"readonly\":{\"type\":\"boolean\",\"description\":" READ_DEF "},"
		"\"score\":{\"type\":\"number\",\"description\":\"Relevance; higher is better.\"}},"
		"\"required\":[\"service\",\"operation\",\"summary\",\"readonly\",\"score\"]}}},"
		"\"required\":[\"query\",\"results\"]}",
		RT_TOOL_READONLY | RT_TOOL_IDEMPOTENT,
	},
	{
		"describe_operation",
		"Describe an AWS operation",
		"Describe one AWS operation: its strict input JSON Schema (draft 2020-12: types, "
		"required members, enums, patterns, length and value bounds, "
		"additionalProperties:false, nested structures, lists, maps, unions as oneOf, "
		"recursive shapes through $defs/$ref, blobs as base64 strings, timestamps as "
		"date-time strings), its summary, whether it is read-only and idempotent, its "
		"pagination tokens, its idempotency-token member and its HTTP binding. service "
		"accepts the sdk-id, endpoint prefix or AWS CLI name (\"cloudformation\", \"logs\", "
		"\"s3api\"); operation accepts \"CreateStack\" or \"create-stack\". Build the input "
		"from inputSchema, then check it with validate_input.",
		"{\"type\":\"object\",\"properties\":{"
		"\"service\":{\"type\":\"string\",\"minLength\":1,\"description\":\"The service: " SVC_NAMING ".\"},"
		"\"operation\":{\"type\":\"string\",\"minLength\":1,"
		"\"description\":\"The operation: \\\"CreateStack\\\" or \\\"create-stack\\\".\"}},"
		"\"required\":[\"service\",\"operation\"],\"additionalProperties\":false}",
		"{\"type\":\"object\",\"properties\":{"
		"\"service\":{\"type\":\"string\"},"
		"\"sdkId\":{\"type\":\"string\"},"
		"\"operation\":{\"type\":\"string\"},"
		"\"cli\":{\"type\":\"string\",\"description\":\"The AWS CLI command.\"},"
		"\"summary\":{\"type\":\"string\"},"
		"\"readonly\":{\"type\":\"boolean\",\"description\":" READ_DEF "},"
		"\"idempotent\":{\"type\":\"boolean\",\"description\":\"Safe to repeat (read-only operations are).\"},"
		"\"deprecated\":{\"type\":\"boolean\"},"
		"\"protocol\":{\"type\":\"string\"},"
		"\"apiVersion\":{\"type\":\"string\"},"
		"\"http\":{\"type\":[\"object\",\"null\"],\"properties\":{"
		"\"method\":{\"type\":\"string\"},\"uri\":{\"type\":\"string\"},\"code\":{\"type\":\"integer\"}}},"
		"\"pagination\":{\"type\":[\"object\",\"null\"],\"description\":"
		"\"Input token, output token, items path and page-size member of a paginated operation.\","
		"\"properties\":{\"inputToken\":{\"type\":\"string\"},\"outputToken\":{\"type\":\"string\"},"
		"\"items\":{\"type\":\"string\"},\"pageSize\":{\"type\":\"string\"}}},"
		"\"idempotencyToken\":{\"type\":[\"string\",\"null\"],\"description\":"
		"\"The input member that carries the idempotency token (filled with a fresh token when omitted, so that retries are safe).\"},"
		"\"inputSchema\":{\"type\":\"object\",\"description\":\"JSON Schema (draft 2020-12) of the input.\"},"
		POLICY_SCHEMA "},"
		"\"required\":[\"service\",\"operation\",\"summary\",\"readonly\",\"idempotent\",\"inputSchema\"]}",
		RT_TOOL_READONLY | RT_TOOL_IDEMPOTENT,
	},
	{
		"validate_input",
		"Validate an AWS operation input",
		"Check an input for an AWS operation against the operation's model before proposing "
		"the call. Returns valid: true, or every violation (up to 100 are listed) with its "
		"JSON pointer into the input, the JSON Schema keyword it breaks (required, type, "
		"enum, pattern, minLength, maxLength, minimum, maximum, minItems, maxItems, "
		"additionalProperties, oneOf, ...) and a message saying what to change. service and "
		"operation are named as for describe_operation; input is the operation's input "
		"object, shaped as describe_operation's inputSchema says.",
		"{\"type\":\"object\",\"properties\":{"
		"\"service\":{\"type\":\"string\",\"minLength\":1,\"description\":\"The service: " SVC_NAMING ".\"},"
		"\"operation\":{\"type\":\"string\",\"minLength\":1,"
		"\"description\":\"The operation: \\\"CreateStack\\\" or \\\"create-stack\\\".\"},"
		"\"input\":{\"type\":\"object\",\"description\":\"The input to check ({} for none).\"}},"
		"\"required\":[\"service\",\"operation\",\"input\"],\"additionalProperties\":false}",
		"{\"type\":\"object\",\"properties\":{"
		"\"service\":{\"type\":\"string\"},"
		"\"operation\":{\"type\":\"string\"},"
		"\"valid\":{\"type\":\"boolean\"},"
		"\"violationCount\":{\"type\":\"integer\",\"description\":\"Violations found (bounded).\"},"
		"\"violations\":{\"type\":\"array\",\"items\":{\"type\":\"object\",\"properties\":{"
		"\"pointer\":{\"type\":\"string\",\"description\":\"RFC 6901 JSON pointer into the input.\"},"
		"\"keyword\":{\"type\":\"string\",\"description\":\"The JSON Schema keyword broken.\"},"
		"\"message\":{\"type\":\"string\"}},"
		"\"required\":[\"pointer\",\"keyword\",\"message\"]}},"
		"\"truncated\":{\"type\":\"boolean\",\"description\":\"More violations exist than are listed.\"},"
		POLICY_SCHEMA "},"
		"\"required\":[\"service\",\"operation\",\"valid\",\"violationCount\",\"violations\"]}",
		RT_TOOL_READONLY | RT_TOOL_IDEMPOTENT,
	},
};

/* The catalog tools, then those of plans, approvals and the audit log
 * (rt_plan_tools.c). */
#define CATALOG_TOOLS (sizeof tools / sizeof tools[0])

size_t rt_tools_count(void)
{
	return CATALOG_TOOLS + rt_plan_tools_count();
}

const rt_tool_def *rt_tools_get(size_t i)
{
	return i < CATALOG_TOOLS ? &tools[i] : rt_plan_tools_get(i - CATALOG_TOOLS);
}

const rt_tool_def *rt_tools_find(const char *name)
{
	for (size_t i = 0; i < rt_tools_count(); i++)
		if (strcmp(rt_tools_get(i)->name, name) == 0)
			return rt_tools_get(i);
	return NULL;
}

void rt_tools_init(rt_tools *t, const alc_catalog *cat)
{
	t->cat = cat;
	t->search = NULL;
	t->policy = NULL;
	t->region = t->account = t->profile = NULL;
	t->plans = NULL;
	t->elicit = NULL;
}

void rt_tools_fini(rt_tools *t)
{
	if (t->search)
		rt_search_close(t->search);
	t->search = NULL;
	rt_plan_tools_fini(t); /* before the policy it borrows */
	rt_policy_close(t->policy);
	t->policy = NULL;
}

void rt_tools_set_context(rt_tools *t, const char *region,
                          const char *account, const char *profile)
{
	t->region = region;
	t->account = account;
	t->profile = profile;
}

/* res.policy: the decision for OP (INPUT NULL: not known yet).  0 or
 * AL_ENOMEM; a policy that cannot be prepared is shown as a deny. */
static int add_policy(rt_tools *t, cJSON *res, const alc_operation *op,
                      const cJSON *input)
{
	char err[160];
	if (!t->policy) {
		int rc = rt_policy_open(&t->policy, t->cat, 0, err, sizeof err);
		if (rc == AL_ENOMEM)
			return rc;
		if (rc) {
			cJSON *j = cJSON_AddObjectToObject(res, "policy");
			return j && cJSON_AddStringToObject(j, "decision", "deny") &&
			       cJSON_AddStringToObject(j, "rule", "no-policy") &&
			       cJSON_AddStringToObject(j, "reason", err) &&
			       cJSON_AddStringToObject(j, "risk", "none") &&
			       cJSON_AddStringToObject(j, "access", "write") ? 0 : AL_ENOMEM;
		}
	}
	rt_call c = { op, input, t->region, t->account, t->profile };
	rt_decision d;
	rt_policy_decide(t->policy, &c, RT_DECIDE_EXPLAIN, &d);
	cJSON *j = rt_policy_decision_json(t->policy, &d);
	if (!j)
		return AL_ENOMEM;
	cJSON_AddItemToObject(res, "policy", j);
	return 0;
}

void rt_tool_result_free(rt_tool_result *r)
{
	cJSON_Delete(r->structured);
	free(r->error);
	cJSON_Delete(r->input_required);
	r->structured = NULL;
	r->error = NULL;
	r->input_required = NULL;
}

const char *rt_tools_protocol_name(unsigned protocol)
{
	static const char *const names[ALC_PROTO_COUNT] = {
		[ALC_PROTO_NONE] = "none",
		[ALC_PROTO_AWSJSON1_0] = "awsJson1_0",
		[ALC_PROTO_AWSJSON1_1] = "awsJson1_1",
		[ALC_PROTO_RESTJSON1] = "restJson1",
		[ALC_PROTO_RESTXML] = "restXml",
		[ALC_PROTO_AWSQUERY] = "awsQuery",
		[ALC_PROTO_EC2QUERY] = "ec2Query",
	};
	return protocol < ALC_PROTO_COUNT && names[protocol] ? names[protocol] : "unknown";
}

/* ---- messages ------------------------------------------------------- */

/* A malloc'd printf; NULL only when out of memory. */
static char *fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));
static char *fmt(const char *f, ...)
{
	va_list ap;
	va_start(ap, f);
	int n = vsnprintf(NULL, 0, f, ap);
	va_end(ap);
	if (n < 0)
		return NULL;
	char *s = malloc((size_t)n + 1);
	if (!s)
		return NULL;
	va_start(ap, f);
	vsnprintf(s, (size_t)n + 1, f, ap);
	va_end(ap);
	return s;
}

/* A bounded, printable copy of untrusted text for messages: at most 80
 * bytes, control characters and quotes replaced. */
static void shown(char *out, size_t cap, const char *s)
{
	size_t j = 0;
	for (size_t i = 0; s[i] && j + 4 < cap; i++) {
		if (i >= 80) {
			memcpy(out + j, "...", 3);
			j += 3;
			break;
		}
		unsigned char c = (unsigned char)s[i];
		out[j++] = (c < 0x20 || c == 0x7f || c == '"' || c == '\\') ? '?' : (char)c;
	}
	out[j] = '\0';
}

/* ---- suggestions ---------------------------------------------------- */

#define NAME_MAX_CMP 64

/* Lower-case copy without '-', '_' and ' ' (so "create-stack",
 * "CreateStack" and "create_stack" meet), at most NAME_MAX_CMP bytes. */
static size_t squash(char *out, const char *s)
{
	size_t n = 0;
	for (; *s && n < NAME_MAX_CMP; s++) {
		if (*s == '-' || *s == '_' || *s == ' ')
			continue;
		out[n++] = (char)tolower((unsigned char)*s);
	}
	out[n] = '\0';
	return n;
}

/* Levenshtein distance of two squashed names (<= NAME_MAX_CMP bytes). */
static size_t edit_distance(const char *a, size_t la, const char *b, size_t lb)
{
	size_t row[NAME_MAX_CMP + 1];
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0];
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j];
			size_t best = diag + (a[i - 1] != b[j - 1]);
			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[lb];
}

/* Closeness of query Q to candidate C (both squashed): 0 is equal, a
 * candidate containing the query (or the reverse, for queries of 3+ bytes)
 * ranks just after close typos; SIZE_MAX means unrelated. */
static size_t closeness(const char *q, size_t lq, const char *c, size_t lc)
{
	size_t limit = lq / 3 > 2 ? lq / 3 : 2;
	size_t d = edit_distance(q, lq, c, lc);
	if (d <= limit)
		return d * 2;
	if (lq >= 3 && lc >= 3 && (strstr(c, q) || strstr(q, c)))
		return limit * 2 + 1;
	return (size_t)-1;
}

#define MAX_SUGGEST 5

typedef struct suggest {
	uint32_t idx[MAX_SUGGEST];
	size_t score[MAX_SUGGEST];
	size_t n;
} suggest;

/* Keeps the best MAX_SUGGEST (lowest score; ties keep the earlier). */
static void suggest_add(suggest *s, uint32_t idx, size_t score)
{
	if (score == (size_t)-1)
		return;
	for (size_t i = 0; i < s->n; i++)
		if (s->idx[i] == idx) {
			if (score < s->score[i])
				s->score[i] = score; /* re-sorted below */
			goto sort;
		}
	if (s->n < MAX_SUGGEST) {
		s->idx[s->n] = idx;
		s->score[s->n++] = score;
	} else if (score < s->score[s->n - 1]) {
		s->idx[s->n - 1] = idx;
		s->score[s->n - 1] = score;
	} else {
		return;
	}
sort:
	for (size_t i = 1; i < s->n; i++)
		for (size_t j = i; j > 0 && s->score[j] < s->score[j - 1]; j--) {
			size_t ts = s->score[j];
			uint32_t ti = s->idx[j];
			s->score[j] = s->score[j - 1];
			s->idx[j] = s->idx[j - 1];
			s->score[j - 1] = ts;
			s->idx[j - 1] = ti;
		}
}

/* Appends ", a, b" style text into BUF. */
static void list_append(char *buf, size_t cap, const char *sep, const char *item)
{
	size_t l = strlen(buf);
	if (l + 1 >= cap)
		return;
	snprintf(buf + l, cap - l, "%s%s", l ? sep : "", item);
}

const alc_service *rt_tools_service(const alc_catalog *cat, const char *name,
                                    char **err)
{
	*err = NULL;
	size_t len = strlen(name);
	const alc_service *svc = len ? alc_find_service(cat, name, len) : NULL;
	if (svc)
		return svc;
	char q[NAME_MAX_CMP + 1], c[NAME_MAX_CMP + 1], what[96];
	size_t lq = squash(q, name);
	suggest s = { .n = 0 };
	for (uint32_t i = 0; lq && i < cat->nsvcs; i++) {
		const alc_service *v = &cat->svcs[i];
		const uint32_t names[] = { v->key, v->sdk_id, v->cli_name, v->endpoint_prefix };
		for (size_t k = 0; k < sizeof names / sizeof names[0]; k++) {
			size_t lc = squash(c, alc_str(cat, names[k]));
			if (lc)
				suggest_add(&s, i, closeness(q, lq, c, lc));
		}
	}
	shown(what, sizeof what, name);
	char list[512] = "";
	for (size_t i = 0; i < s.n && i < 3; i++) {
		const alc_service *v = &cat->svcs[s.idx[i]];
		char item[160];
		snprintf(item, sizeof item, "%s (%s)", alc_str(cat, v->key), alc_str(cat, v->sdk_id));
		list_append(list, sizeof list, ", ", item);
	}
	if (s.n)
		*err = fmt("unknown service \"%s\". Did you mean: %s? A service is named by its "
		           "sdk-id (\"CloudWatch Logs\"), endpoint prefix (\"logs\") or AWS CLI "
		           "name (\"s3api\").", what, list);
	else
		*err = fmt("unknown service \"%s\": this catalog has %u services and none is "
		           "named like that. Call search_operations with a description of what "
		           "you want to do to find the service and operation.", what, cat->nsvcs);
	return NULL;
}

const alc_operation *rt_tools_operation(const alc_catalog *cat,
                                        const alc_service *svc,
                                        const char *name, char **err)
{
	*err = NULL;
	const char *skey = alc_str(cat, svc->key);
	size_t len = strlen(name);
	const alc_operation *op = len ? alc_find_operation(cat, skey, strlen(skey), name, len) : NULL;
	if (op)
		return op;
	char q[NAME_MAX_CMP + 1], c[NAME_MAX_CMP + 1], what[96];
	size_t lq = squash(q, name);
	suggest s = { .n = 0 };
	for (uint32_t i = svc->first_op; lq && i < svc->first_op + svc->op_count; i++) {
		size_t lc = squash(c, alc_str(cat, cat->ops[i].name));
		suggest_add(&s, i, closeness(q, lq, c, lc));
	}
	shown(what, sizeof what, name);
	char list[640] = "";
	for (size_t i = 0; i < s.n; i++)
		list_append(list, sizeof list, ", ", alc_str(cat, cat->ops[s.idx[i]].name));
	if (s.n)
		*err = fmt("unknown operation \"%s\" of service %s. Did you mean: %s? Operations "
		           "are named like \"CreateStack\" or \"create-stack\"; search_operations "
		           "with service \"%s\" lists candidates.", what, skey, list, skey);
	else
		*err = fmt("unknown operation \"%s\" of service %s (it has %u operations). Call "
		           "search_operations with service \"%s\" and a description of what you "
		           "want to do.", what, skey, svc->op_count, skey);
	return NULL;
}

/* ---- arguments ------------------------------------------------------ */

/* Names the first member of ARGS not in ALLOWED (NULL-terminated) as an
 * error, or returns NULL. */
static char *check_unknown(const char *tool, const cJSON *args, const char *const *allowed)
{
	const cJSON *a;
	cJSON_ArrayForEach(a, args) {
		size_t i;
		for (i = 0; allowed[i]; i++)
			if (a->string && strcmp(a->string, allowed[i]) == 0)
				break;
		if (allowed[i])
			continue;
		char what[96], list[128] = "";
		shown(what, sizeof what, a->string ? a->string : "");
		for (i = 0; allowed[i]; i++)
			list_append(list, sizeof list, ", ", allowed[i]);
		return fmt("%s has no argument \"%s\"; its arguments are: %s.", tool, what, list);
	}
	return NULL;
}

/* A required or optional string argument.  Returns its value, or NULL with
 * *err set (required and missing, or not a non-empty string) or with *err
 * NULL (optional and absent). */
static const char *string_arg(const char *tool, const cJSON *args, const char *key,
                              int required, const char *what, char **err)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(args, key);
	*err = NULL;
	if (!v) {
		if (required)
			*err = fmt("%s needs \"%s\": %s.", tool, key, what);
		return NULL;
	}
	if (!cJSON_IsString(v) || !v->valuestring || !v->valuestring[0]) {
		*err = fmt("%s: \"%s\" must be a non-empty string: %s.", tool, key, what);
		return NULL;
	}
	return v->valuestring;
}

/* Service and operation arguments, looked up. */
static const alc_operation *op_args(rt_tools *t, const char *tool, const cJSON *args,
                                    const alc_service **svc_out, char **err)
{
	const char *sname = string_arg(tool, args, "service", 1,
	                               "the service's sdk-id, endpoint prefix or AWS CLI name, e.g. \"cloudformation\"", err);
	if (!sname)
		return NULL;
	const char *oname = string_arg(tool, args, "operation", 1,
	                               "the operation's name, e.g. \"CreateStack\" or \"create-stack\"", err);
	if (!oname)
		return NULL;
	const alc_service *svc = rt_tools_service(t->cat, sname, err);
	if (!svc)
		return NULL;
	*svc_out = svc;
	return rt_tools_operation(t->cat, svc, oname, err);
}

/* ---- the tools ------------------------------------------------------ */

#define CANCELLED() (cancel && cancel(ctx))

/* Adds a string member; returns 0 on allocation failure. */
static int add_str(cJSON *o, const char *k, const char *v)
{
	return cJSON_AddStringToObject(o, k, v) != NULL;
}

static int tool_search(rt_tools *t, const cJSON *args, rt_tool_result *out,
                       rt_tools_cancel_fn cancel, void *ctx)
{
	static const char *const allowed[] = { "query", "service", "access", "limit", NULL };
	const char *tool = "search_operations";
	if ((out->error = check_unknown(tool, args, allowed)))
		return 0;
	const char *query = string_arg(tool, args, "query", 1,
	                               "what you want to do, in plain words, e.g. \"list my s3 buckets\"",
	                               &out->error);
	if (!query)
		return 0;
	size_t qlen = strlen(query);
	if (qlen > 512) {
		out->error = fmt("%s: \"query\" is %zu bytes; keep it under 512 (a few words are best).",
		                 tool, qlen);
		return 0;
	}
	rt_search_query q = { .text = query, .len = qlen, .service = NULL, .access = RT_ACCESS_ANY };
	const char *sname = string_arg(tool, args, "service", 0,
	                               "the service's sdk-id, endpoint prefix or AWS CLI name", &out->error);
	if (out->error)
		return 0;
	if (sname && !(q.service = rt_tools_service(t->cat, sname, &out->error)))
		return 0;
	const cJSON *acc = cJSON_GetObjectItemCaseSensitive(args, "access");
	if (acc) {
		const char *a = cJSON_IsString(acc) ? acc->valuestring : NULL;
		if (a && strcmp(a, "read") == 0)
			q.access = RT_ACCESS_READ;
		else if (a && strcmp(a, "write") == 0)
			q.access = RT_ACCESS_WRITE;
		else if (!a || strcmp(a, "any") != 0) {
			out->error = fmt("%s: \"access\" must be \"read\", \"write\" or \"any\".", tool);
			return 0;
		}
	}
	size_t limit = RT_SEARCH_LIMIT_DEFAULT;
	const cJSON *lim = cJSON_GetObjectItemCaseSensitive(args, "limit");
	if (lim) {
		double d = cJSON_IsNumber(lim) ? lim->valuedouble : -1;
		if (!(d >= 1 && d <= RT_SEARCH_LIMIT_MAX && d == floor(d))) {
			out->error = fmt("%s: \"limit\" must be an integer from 1 to %d.", tool,
			                 RT_SEARCH_LIMIT_MAX);
			return 0;
		}
		limit = (size_t)d;
	}
	if (!t->search && rt_search_open(&t->search, t->cat) != 0) {
		t->search = NULL;
		return AL_ENOMEM;
	}
	if (CANCELLED())
		return AL_ECANCELED;
	rt_search_hit hits[RT_SEARCH_LIMIT_MAX];
	size_t n = rt_search_run(t->search, &q, hits, limit);
	if (CANCELLED())
		return AL_ECANCELED;

	cJSON *res = cJSON_CreateObject();
	cJSON *arr = res && add_str(res, "query", query) ? cJSON_AddArrayToObject(res, "results") : NULL;
	if (!arr)
		goto oom;
	for (size_t i = 0; i < n; i++) {
		const alc_operation *op = &t->cat->ops[hits[i].op];
		cJSON *h = cJSON_CreateObject();
		if (!h)
			goto oom;
		cJSON_AddItemToArray(arr, h);
		double score = floor((double)hits[i].score * 10000.0 + 0.5) / 10000.0;
		if (!add_str(h, "service", alc_str(t->cat, t->cat->svcs[op->service].key)) ||
		    !add_str(h, "operation", alc_str(t->cat, op->name)) ||
		    !add_str(h, "summary", alc_str(t->cat, op->summary)) ||
		    !cJSON_AddBoolToObject(h, "readonly", rt_op_is_read(t->cat, op) != 0) ||
		    !cJSON_AddNumberToObject(h, "score", score))
			goto oom;
	}
	out->structured = res;
	return 0;
oom:
	cJSON_Delete(res);
	return AL_ENOMEM;
}

static int tool_describe(rt_tools *t, const cJSON *args, rt_tool_result *out,
                         rt_tools_cancel_fn cancel, void *ctx)
{
	static const char *const allowed[] = { "service", "operation", NULL };
	if ((out->error = check_unknown("describe_operation", args, allowed)))
		return 0;
	const alc_service *svc = NULL;
	const alc_operation *op = op_args(t, "describe_operation", args, &svc, &out->error);
	if (!op)
		return 0;
	if (CANCELLED())
		return AL_ECANCELED;
	const alc_catalog *c = t->cat;
	cJSON *schema = rt_schema_input(c, op);
	if (!schema)
		return AL_ENOMEM;
	if (CANCELLED()) {
		cJSON_Delete(schema);
		return AL_ECANCELED;
	}
	cJSON *res = cJSON_CreateObject();
	if (!res) {
		cJSON_Delete(schema);
		return AL_ENOMEM;
	}
	const char *svc_cli = alc_str(c, svc->cli_name);
	char cli[256];
	snprintf(cli, sizeof cli, "aws %s %s", svc_cli[0] ? svc_cli : alc_str(c, svc->key),
	         alc_str(c, op->cli_name));
	uint32_t f = op->flags;
	int readonly = rt_op_is_read(c, op) != 0;
	int ok = add_str(res, "service", alc_str(c, svc->key)) &&
	         add_str(res, "sdkId", alc_str(c, svc->sdk_id)) &&
	         add_str(res, "operation", alc_str(c, op->name)) &&
	         add_str(res, "cli", cli) &&
	         add_str(res, "summary", alc_str(c, op->summary)) &&
	         cJSON_AddBoolToObject(res, "readonly", readonly) &&
	         cJSON_AddBoolToObject(res, "idempotent",
	                               readonly || (f & ALC_OP_IDEMPOTENT) != 0) &&
	         cJSON_AddBoolToObject(res, "deprecated", (f & ALC_OP_DEPRECATED) != 0) &&
	         add_str(res, "protocol", rt_tools_protocol_name(svc->protocol)) &&
	         add_str(res, "apiVersion", alc_str(c, svc->version));
	if (ok && alc_str(c, op->http_method)[0]) {
		cJSON *h = cJSON_AddObjectToObject(res, "http");
		ok = h && add_str(h, "method", alc_str(c, op->http_method)) &&
		     add_str(h, "uri", alc_str(c, op->http_uri)) &&
		     cJSON_AddNumberToObject(h, "code", op->http_code);
	} else if (ok) {
		ok = cJSON_AddNullToObject(res, "http") != NULL;
	}
	if (ok && (f & ALC_OP_PAGINATED)) {
		cJSON *p = cJSON_AddObjectToObject(res, "pagination");
		const struct { const char *k; uint32_t v; } pg[] = {
			{ "inputToken", op->pg_input_token }, { "outputToken", op->pg_output_token },
			{ "items", op->pg_items }, { "pageSize", op->pg_page_size },
		};
		ok = p != NULL;
		for (size_t i = 0; ok && i < sizeof pg / sizeof pg[0]; i++)
			if (alc_str(c, pg[i].v)[0])
				ok = add_str(p, pg[i].k, alc_str(c, pg[i].v));
	} else if (ok) {
		ok = cJSON_AddNullToObject(res, "pagination") != NULL;
	}
	if (ok && op->idem_member != ALC_NONE)
		ok = add_str(res, "idempotencyToken", alc_str(c, c->members[op->idem_member].name));
	else if (ok)
		ok = cJSON_AddNullToObject(res, "idempotencyToken") != NULL;
	if (!ok) {
		cJSON_Delete(schema);
		cJSON_Delete(res);
		return AL_ENOMEM;
	}
	cJSON_AddItemToObject(res, "inputSchema", schema);
	if (add_policy(t, res, op, NULL) != 0) {
		cJSON_Delete(res);
		return AL_ENOMEM;
	}
	out->structured = res;
	return 0;
}

static int tool_validate(rt_tools *t, const cJSON *args, rt_tool_result *out,
                         rt_tools_cancel_fn cancel, void *ctx)
{
	static const char *const allowed[] = { "service", "operation", "input", NULL };
	if ((out->error = check_unknown("validate_input", args, allowed)))
		return 0;
	const alc_service *svc = NULL;
	const alc_operation *op = op_args(t, "validate_input", args, &svc, &out->error);
	if (!op)
		return 0;
	const cJSON *input = cJSON_GetObjectItemCaseSensitive(args, "input");
	if (!input) {
		out->error = fmt("validate_input needs \"input\": the input object to check "
		                 "({} for an operation without input).");
		return 0;
	}
	if (CANCELLED())
		return AL_ECANCELED;
	rt_violation *v = malloc(RT_VIOLATIONS_SHOWN * sizeof *v);
	if (!v)
		return AL_ENOMEM;
	size_t total = rt_validate(t->cat, op, input, v, RT_VIOLATIONS_SHOWN);
	size_t shown_n = total < RT_VIOLATIONS_SHOWN ? total : RT_VIOLATIONS_SHOWN;
	cJSON *res = cJSON_CreateObject(), *arr = NULL;
	int ok = res && add_str(res, "service", alc_str(t->cat, svc->key)) &&
	         add_str(res, "operation", alc_str(t->cat, op->name)) &&
	         cJSON_AddBoolToObject(res, "valid", total == 0) &&
	         cJSON_AddNumberToObject(res, "violationCount", (double)total) &&
	         (arr = cJSON_AddArrayToObject(res, "violations")) != NULL;
	for (size_t i = 0; ok && i < shown_n; i++) {
		cJSON *e = cJSON_CreateObject();
		ok = e != NULL;
		if (ok)
			cJSON_AddItemToArray(arr, e);
		/* The fields are fixed arrays: terminate defensively. */
		v[i].pointer[sizeof v[i].pointer - 1] = '\0';
		v[i].keyword[sizeof v[i].keyword - 1] = '\0';
		v[i].message[sizeof v[i].message - 1] = '\0';
		ok = ok && add_str(e, "pointer", v[i].pointer) && add_str(e, "keyword", v[i].keyword) &&
		     add_str(e, "message", v[i].message);
	}
	ok = ok && cJSON_AddBoolToObject(res, "truncated", total > shown_n);
	free(v);
	if (ok && add_policy(t, res, op, input) != 0)
		ok = 0;
	if (!ok) {
		cJSON_Delete(res);
		return AL_ENOMEM;
	}
	out->structured = res;
	return 0;
}

int rt_tools_prepare(rt_tools *t)
{
	if (!t->search && rt_search_open(&t->search, t->cat) != 0) {
		t->search = NULL;
		return AL_ENOMEM;
	}
	return rt_search_build(t->search);
}

int rt_tools_call(rt_tools *t, const char *name, const cJSON *args,
                  rt_tool_result *out, rt_tools_cancel_fn cancel, void *ctx)
{
	out->structured = NULL;
	out->error = NULL;
	out->input_required = NULL;
	cJSON empty = { 0 };
	empty.type = cJSON_Object;
	if (!args)
		args = &empty;
	int rc;
	if (!rt_tools_find(name)) {
		return AL_ENOTFOUND;
	} else if (!cJSON_IsObject(args)) {
		out->error = fmt("%s: \"arguments\" must be an object.", name);
		rc = 0;
	} else if (strcmp(name, "search_operations") == 0) {
		rc = tool_search(t, args, out, cancel, ctx);
	} else if (strcmp(name, "describe_operation") == 0) {
		rc = tool_describe(t, args, out, cancel, ctx);
	} else if (strcmp(name, "validate_input") == 0) {
		rc = tool_validate(t, args, out, cancel, ctx);
	} else {
		rc = rt_plan_tools_call(t, name, args, out, cancel, ctx);
	}
	if (rc == 0 && !out->structured && !out->error && !out->input_required)
		rc = AL_ENOMEM; /* a message that failed to allocate */
	if (rc != 0)
		rt_tool_result_free(out);
	return rc;
}
