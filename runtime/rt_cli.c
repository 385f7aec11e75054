/*
 * rt_cli.c -- see rt_cli.h.
 *
 * The commands for people run the same tools as the MCP server
 * (rt_tools.c) and render their structured results as text; --json prints
 * the structured result itself, exactly as an MCP client receives it.
 */
#include "rt_cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "alc_err.h"
#include "alc_reader.h"
#include "rt_cfn.h"
#include "rt_exec.h"
#include "rt_mcp.h"
#include "rt_stamp.h"
#include "rt_plan.h"
#include "rt_sts.h"
#include "rt_policy.h"
#include "rt_tools.h"

#ifndef AIRLOCK_VERSION
#define AIRLOCK_VERSION "0.0.0"
#endif

/* ---- usage ---------------------------------------------------------- */

static const char usage_text[] =
	"usage:\n"
	"  airlock serve [--catalog FILE]\n"
	"      Serve MCP over stdio (newline-delimited JSON-RPC): protocol messages on\n"
	"      stdout, logs on stderr, exit at end of input.  Works as `ssh HOST airlock\n"
	"      serve`.  Speaks MCP 2025-11-25 (and 2025-06-18, 2025-03-26, 2024-11-05 for\n"
	"      clients that ask) with the initialize handshake, and the stateless\n"
	"      2026-07-28 revision (per-request _meta, server/discover).\n"
	"  airlock search QUERY... [--service S] [--access read|write|any] [--limit N] [--json]\n"
	"      Rank operations for a plain-language intent (\"list my s3 buckets\").\n"
	"  airlock describe SERVICE OPERATION [--json]\n"
	"      Summary, flags, HTTP binding, pagination, idempotency token and the input\n"
	"      JSON Schema (--json prints the whole schema).\n"
	"  airlock validate SERVICE OPERATION --input JSON|@FILE|@- [--json]\n"
	"      Check an input; print each violation.  Exit 0 valid, 1 invalid.\n"
	"      describe and validate also show the policy decision (for the context\n"
	"      given with --region R --account ID --profile P).\n"
	"  airlock policy explain SERVICE OPERATION [--input JSON|@FILE|@-]\n"
	"                 [--region R] [--account ID] [--profile P] [--json]\n"
	"      The policy's decision for a call and why: deciding rule, risk, environment,\n"
	"      approvals.  Exit 0 allow, 1 deny or require_approval.\n"
	"  airlock policy test FILE... [--verbose]\n"
	"      Run policy test cases (YAML: call -> expected decision).  Exit 0 all\n"
	"      passed, 1 a case failed, 2 a file is unusable.\n"
	"  airlock whoami [--profile P] [--region R] [--json]\n"
	"      STS GetCallerIdentity with the credentials airlock resolves (as the AWS\n"
	"      CLI does): account, ARN, user id, profile, region.  Needs no catalog.\n"
	"  airlock plan SERVICE OPERATION --input JSON|@FILE|@- [--region R] [--profile P]\n"
	"               [--account ID] [--justification TEXT] [--no-dry-run] [--json]\n"
	"      Validate, decide and store a plan (nothing is sent but an EC2 DryRun check);\n"
	"      with --justification a plan that needs approval asks for it.  airlock apply\n"
	"      PLAN [--json] runs it, at most once.  State: $AIRLOCK_HOME, default\n"
	"      ~/.local/state/airlock.\n"
	"  airlock diff PLAN [--verbose] [--json]\n"
	"      What the plan would change against the live state (an audited read): ~\n"
	"      changed, + added, - removed, ? not visible, * sensitive.\n"
	"  airlock deploy STACK (--template-body TEXT|@FILE | --template-url URL)\n"
	"                 [--parameters JSON] [--tags JSON] [--capabilities C,C] [--json]\n"
	"      Plan a CloudFormation CreateStack or UpdateStack and show its change set;\n"
	"      airlock apply PLAN executes it and follows the stack's events.\n"
	"  airlock plans [--state S] [--limit N] [--json]    pending first\n"
	"  airlock show PLAN [--json]\n"
	"  airlock approve PLAN [--comment TEXT] [--name NAME]\n"
	"      Show the plan and approve it after typing \"approve\" on the terminal\n"
	"      (/dev/tty; there is no --yes).  airlock reject PLAN [--comment TEXT].\n"
	"  airlock audit list [--plan P] [--tx T] [--since TIME] [--limit N] [--json]\n"
	"  airlock audit show SEQ|OPID | export --jsonl | verify\n"
	"      The hash-chained audit log; verify exits 1 when the chain is broken.\n"
	"  airlock call SERVICE OPERATION [--input JSON|@FILE|@-] [--region R] [--profile P]\n"
	"               [--pages N]\n"
	"      Plan and apply one read operation the policy allows without approval, in one\n"
	"      step and audited like any apply (the read_operation tool); anything else is\n"
	"      refused and goes through plan and apply.\n"
	"  airlock --version\n"
	"  airlock help [COMMAND]\n"
	"\n"
	"SERVICE is a sdk-id (\"CloudWatch Logs\"), endpoint prefix (\"logs\") or AWS CLI name\n"
	"(\"s3api\"); OPERATION is \"CreateStack\" or \"create-stack\".\n"
	"\n"
	"The catalog (built by airlock-compile) is --catalog FILE, else $AIRLOCK_CATALOG,\n"
	"else ${XDG_DATA_HOME:-~/.local/share}/airlock/aws.alc.  A missing, corrupt or\n"
	"wrong-version catalog stops every command.\n"
	"\n"
	"Exit status: 0 success; 1 negative answer (invalid input, unknown service or\n"
	"operation); 2 usage error; 3 catalog unusable; 4 output failure or no memory.\n"
	"Environment: AIRLOCK_CATALOG (catalog path), AIRLOCK_DEBUG=1 (serve: log each\n"
	"message to stderr).\n";

static void usage_error(const char *f, ...) __attribute__((format(printf, 1, 2)));
static void usage_error(const char *f, ...)
{
	va_list ap;
	va_start(ap, f);
	fputs("airlock: ", stderr);
	vfprintf(stderr, f, ap);
	fputs("\nairlock: run `airlock help` for usage\n", stderr);
	va_end(ap);
}

/* ---- options -------------------------------------------------------- */

#define MAX_POS 64

typedef struct opts {
	const char *catalog, *service, *access, *limit, *input, *page_size;
	const char *region, *account, *profile;   /* policy context */
	int json, help, version, verbose;
	const char *pos[MAX_POS];
	int npos;
} opts;

/* Options may come anywhere after the program name; "--opt=value" and
 * "--opt value" both work; "--" ends the options. */
static int parse_opts(int argc, char **argv, opts *o)
{
	static const struct { const char *name; size_t off; } valued[] = {
		{ "--catalog", offsetof(opts, catalog) },
		{ "--service", offsetof(opts, service) },
		{ "--access", offsetof(opts, access) },
		{ "--limit", offsetof(opts, limit) },
		{ "--input", offsetof(opts, input) },
		{ "--page-size", offsetof(opts, page_size) },
		{ "--region", offsetof(opts, region) },
		{ "--account", offsetof(opts, account) },
		{ "--profile", offsetof(opts, profile) },
	};
	memset(o, 0, sizeof *o);
	int only_pos = 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (only_pos || a[0] != '-' || a[1] == '\0') {
			if (o->npos == MAX_POS) {
				usage_error("too many arguments");
				return -1;
			}
			o->pos[o->npos++] = a;
			continue;
		}
		if (strcmp(a, "--") == 0) {
			only_pos = 1;
			continue;
		}
		if (strcmp(a, "--json") == 0) {
			o->json = 1;
			continue;
		}
		if (strcmp(a, "--verbose") == 0 || strcmp(a, "-v") == 0) {
			o->verbose = 1;
			continue;
		}
		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			o->help = 1;
			continue;
		}
		if (strcmp(a, "-V") == 0 || strcmp(a, "--version") == 0) {
			o->version = 1;
			continue;
		}
		size_t k;
		for (k = 0; k < sizeof valued / sizeof valued[0]; k++) {
			size_t l = strlen(valued[k].name);
			if (strncmp(a, valued[k].name, l) != 0 || (a[l] != '\0' && a[l] != '='))
				continue;
			const char *v = a[l] == '=' ? a + l + 1 : NULL;
			if (!v) {
				if (i + 1 >= argc) {
					usage_error("%s needs a value", valued[k].name);
					return -1;
				}
				v = argv[++i];
			}
			*(const char **)(void *)((char *)o + valued[k].off) = v;
			break;
		}
		if (k == sizeof valued / sizeof valued[0]) {
			usage_error("unknown option %s", a);
			return -1;
		}
	}
	return 0;
}

/* ---- catalog -------------------------------------------------------- */

const char *rt_cli_default_catalog(char *buf, size_t cap)
{
	const char *env = getenv("AIRLOCK_CATALOG");
	int n;
	if (env && env[0])
		n = snprintf(buf, cap, "%s", env);
	else if ((env = getenv("XDG_DATA_HOME")) && env[0] == '/')
		n = snprintf(buf, cap, "%s/airlock/aws.alc", env);
	else if ((env = getenv("HOME")) && env[0])
		n = snprintf(buf, cap, "%s/.local/share/airlock/aws.alc", env);
	else
		return NULL;
	return n > 0 && (size_t)n < cap ? buf : NULL;
}

/* Why a catalog cannot be used, and what to do (fail closed). */
static void catalog_refused(const char *path, const char *whence, int rc, const alc_diag *diag)
{
	fprintf(stderr, "airlock: cannot use catalog %s (from %s): %s%s%s\n", path, whence,
	        al_strerror(rc), diag->msg[0] ? ": " : "", diag->msg);
	if (rc == AL_ENOENT)
		fprintf(stderr, "airlock: build one with `airlock-compile build --models DIR -o "
		        "FILE` (or scripts/quickstart.sh), then pass --catalog FILE or set "
		        "AIRLOCK_CATALOG\n");
	else if (rc == AL_EVERSION)
		fprintf(stderr, "airlock: refusing to run on it; rebuild it with the "
		        "airlock-compile of this release\n");
	else
		fprintf(stderr, "airlock: refusing to run on it (fail closed); rebuild or "
		        "re-download the catalog\n");
}

/* Opens the catalog or explains why not (fail closed).  DEFERRED (serve):
 * a file with a verification stamp (rt_stamp.h) has only its header and
 * section directory checked here, the rest on a thread that serve waits
 * for before anything reads the catalog (alc_open_deferred); any other
 * file is checked whole first.  *WHENCE_OUT names the source for
 * catalog_refused. */
static int open_catalog(const opts *o, alc_catalog *cat, const char **path_out,
                        int deferred, const char **whence_out)
{
	static char buf[4096];
	const char *path = o->catalog;
	const char *whence = "--catalog";
	if (!path) {
		const char *env = getenv("AIRLOCK_CATALOG");
		whence = env && env[0] ? "$AIRLOCK_CATALOG" : "the default path";
		path = rt_cli_default_catalog(buf, sizeof buf);
	}
	if (!path || !path[0]) {
		fprintf(stderr, "airlock: no catalog: pass --catalog FILE or set AIRLOCK_CATALOG "
		        "(neither HOME nor XDG_DATA_HOME is set for the default path)\n");
		return RT_EXIT_CATALOG;
	}
	alc_diag diag;
	int rc = deferred ? alc_open_deferred(cat, path, &diag) : alc_open(cat, path, &diag);
	if (rc == 0 && deferred && !rt_stamp_ok(cat)) {
		/* A file this user has not served before, or changed since:
		 * every check passes before anything is answered (rt_stamp.h). */
		if ((rc = alc_verify_wait(cat, &diag)) != 0)
			alc_close(cat);
		else
			rt_stamp_write(cat);
	}
	if (rc != 0) {
		catalog_refused(path, whence, rc, &diag);
		return RT_EXIT_CATALOG;
	}
	*whence_out = whence;
	*path_out = path;
	return 0;
}

/* ---- output helpers ------------------------------------------------- */

/* JSON with two-space indentation (cJSON_Print indents with tabs);
 * scalars are printed by cJSON, so escaping is cJSON's. */
static int pretty(const cJSON *v, int indent)
{
	if (cJSON_IsArray(v) || cJSON_IsObject(v)) {
		int obj = cJSON_IsObject(v);
		const cJSON *c = v->child;
		if (!c) {
			fputs(obj ? "{}" : "[]", stdout);
			return 0;
		}
		putchar(obj ? '{' : '[');
		for (; c; c = c->next) {
			printf("\n%*s", indent + 2, "");
			if (obj) {
				cJSON *k = cJSON_CreateString(c->string ? c->string : "");
				char *ks = k ? cJSON_PrintUnformatted(k) : NULL;
				cJSON_Delete(k);
				if (!ks)
					return -1;
				printf("%s: ", ks);
				free(ks);
			}
			if (pretty(c, indent + 2) != 0)
				return -1;
			if (c->next)
				putchar(',');
		}
		printf("\n%*s%c", indent, "", obj ? '}' : ']');
		return 0;
	}
	char *s = cJSON_PrintUnformatted(v);
	if (!s)
		return -1;
	fputs(s, stdout);
	free(s);
	return 0;
}

static int print_json(const cJSON *v)
{
	if (pretty(v, 0) != 0)
		return RT_EXIT_FAILURE;
	putchar('\n');
	return 0;
}

static const char *str_of(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsString(v) && v->valuestring ? v->valuestring : "";
}

static int bool_of(const cJSON *o, const char *k)
{
	return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, k));
}

/* Prints at most MAX bytes of S on one line (newlines become spaces). */
static void put_clipped(const char *s, size_t max)
{
	size_t i;
	for (i = 0; s[i] && i < max; i++)
		putchar(s[i] == '\n' || s[i] == '\r' || s[i] == '\t' ? ' ' : s[i]);
	if (s[i])
		fputs("...", stdout);
}

/* Runs a tool; on a tool error prints it and returns RT_EXIT_NEGATIVE. */
static int run_tool(rt_tools *t, const char *name, cJSON *args, cJSON **out)
{
	rt_tool_result r;
	int rc = rt_tools_call(t, name, args, &r, NULL, NULL);
	if (rc != 0) {
		fprintf(stderr, "airlock: %s: %s\n", name, al_strerror(rc));
		return RT_EXIT_FAILURE;
	}
	if (r.error) {
		fprintf(stderr, "airlock: %s\n", r.error);
		rt_tool_result_free(&r);
		return RT_EXIT_NEGATIVE;
	}
	*out = r.structured;
	return 0;
}

/* The "policy" object of a describe or validate result, on one line. */
static void print_policy(const cJSON *res)
{
	const cJSON *p = cJSON_GetObjectItemCaseSensitive(res, "policy");
	if (!cJSON_IsObject(p))
		return;
	printf("  policy: %s (rule %s; %s risk, %s)", str_of(p, "decision"),
	       str_of(p, "rule"), str_of(p, "risk"), str_of(p, "access"));
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(p, "approval");
	if (cJSON_IsObject(a)) {
		const cJSON *n = cJSON_GetObjectItemCaseSensitive(a, "approvers");
		const cJSON *ttl = cJSON_GetObjectItemCaseSensitive(a, "ttlSeconds");
		printf(", %d approver(s) within %d s", cJSON_IsNumber(n) ? n->valueint : 0,
		       cJSON_IsNumber(ttl) ? ttl->valueint : 0);
	}
	printf("\n    %s\n", str_of(p, "reason"));
	const cJSON *cond = cJSON_GetObjectItemCaseSensitive(p, "conditionalRules"), *r;
	if (cJSON_GetArraySize(cond) > 0) {
		fputs("    depends on the input:", stdout);
		cJSON_ArrayForEach(r, cond)
			if (cJSON_IsString(r))
				printf(" %s", r->valuestring);
		putchar('\n');
	}
}

/* ---- search --------------------------------------------------------- */

static int cmd_search(const opts *o, const alc_catalog *cat)
{
	char query[1024] = "";
	for (int i = 1; i < o->npos; i++) {
		size_t l = strlen(query);
		snprintf(query + l, sizeof query - l, "%s%s", i > 1 ? " " : "", o->pos[i]);
	}
	cJSON *args = cJSON_CreateObject();
	if (!args || !cJSON_AddStringToObject(args, "query", query) ||
	    (o->service && !cJSON_AddStringToObject(args, "service", o->service)) ||
	    (o->access && !cJSON_AddStringToObject(args, "access", o->access))) {
		cJSON_Delete(args);
		return RT_EXIT_FAILURE;
	}
	if (o->limit)
		cJSON_AddNumberToObject(args, "limit", (double)strtol(o->limit, NULL, 10));
	rt_tools t;
	rt_tools_init(&t, cat);
	cJSON *res = NULL;
	int rc = run_tool(&t, "search_operations", args, &res);
	cJSON_Delete(args);
	if (rc == 0 && o->json) {
		rc = print_json(res);
	} else if (rc == 0) {
		const cJSON *arr = cJSON_GetObjectItemCaseSensitive(res, "results"), *h;
		int i = 0;
		if (cJSON_GetArraySize(arr) == 0)
			printf("no operations match \"%s\"\n", query);
		cJSON_ArrayForEach(h, arr) {
			char key[200];
			snprintf(key, sizeof key, "%s:%s", str_of(h, "service"), str_of(h, "operation"));
			const cJSON *sc = cJSON_GetObjectItemCaseSensitive(h, "score");
			printf("%3d. %-48s %-5s %7.3f  ", ++i, key, bool_of(h, "readonly") ? "read" : "write",
			       cJSON_IsNumber(sc) ? sc->valuedouble : 0.0);
			put_clipped(str_of(h, "summary"), 100);
			putchar('\n');
		}
	}
	cJSON_Delete(res);
	rt_tools_fini(&t);
	return rc;
}

/* ---- describe ------------------------------------------------------- */

#define SCHEMA_DEPTH 6

/* A "#/$defs/Name" reference resolved against DEFS, or NULL. */
static const cJSON *deref(const cJSON *node, const cJSON *defs, const char **name)
{
	const cJSON *ref = cJSON_GetObjectItemCaseSensitive(node, "$ref");
	*name = NULL;
	if (!cJSON_IsString(ref) || strncmp(ref->valuestring, "#/$defs/", 8) != 0)
		return node;
	*name = ref->valuestring + 8;
	return cJSON_GetObjectItemCaseSensitive(defs, *name);
}

static const char *type_of(const cJSON *n)
{
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(n, "type");
	if (cJSON_IsString(t))
		return t->valuestring;
	if (cJSON_IsArray(t) && cJSON_IsString(cJSON_GetArrayItem(t, 0)))
		return cJSON_GetArrayItem(t, 0)->valuestring;
	if (cJSON_GetObjectItemCaseSensitive(n, "oneOf"))
		return "union";
	if (cJSON_GetObjectItemCaseSensitive(n, "enum"))
		return "enum";
	return "any";
}

/* Numbers in a schema may be raw JSON text (exact bounds beyond a
 * double's precision). */
static int is_num(const cJSON *v)
{
	return cJSON_IsNumber(v) || (cJSON_IsRaw(v) && v->valuestring);
}

static void put_num(const cJSON *v)
{
	if (cJSON_IsNumber(v))
		printf("%.17g", v->valuedouble);
	else if (cJSON_IsRaw(v) && v->valuestring)
		fputs(v->valuestring, stdout);
}

/* One line of facts about schema node N: type and constraints. */
static void describe_node(const cJSON *n, const cJSON *defs, int required)
{
	const char *refname;
	n = deref(n, defs, &refname);
	const char *type = type_of(n);
	const cJSON *items = cJSON_GetObjectItemCaseSensitive(n, "items");
	const cJSON *addl = cJSON_GetObjectItemCaseSensitive(n, "additionalProperties");
	if (strcmp(type, "array") == 0 && items) {
		const char *in;
		const cJSON *it = deref(items, defs, &in);
		printf("array of %s", in ? in : type_of(it));
	} else if (strcmp(type, "object") == 0 && cJSON_IsObject(addl)) {
		const char *vn;
		const cJSON *vt = deref(addl, defs, &vn);
		printf("map of %s", vn ? vn : type_of(vt));
	} else if (refname) {
		printf("%s (%s)", type, refname);
	} else {
		fputs(type, stdout);
	}
	const char *format = str_of(n, "format");
	if (format[0])
		printf(" (%s)", format);
	const char *enc = str_of(n, "contentEncoding");
	if (enc[0])
		printf(" (%s)", enc);
	if (required)
		fputs(", required", stdout);
	static const struct { const char *lo, *hi, *what; } bounds[] = {
		{ "minLength", "maxLength", "length" },
		{ "minimum", "maximum", "range" },
		{ "minItems", "maxItems", "items" },
		{ "minProperties", "maxProperties", "entries" },
	};
	for (size_t i = 0; i < sizeof bounds / sizeof bounds[0]; i++) {
		const cJSON *lo = cJSON_GetObjectItemCaseSensitive(n, bounds[i].lo);
		const cJSON *hi = cJSON_GetObjectItemCaseSensitive(n, bounds[i].hi);
		if (!is_num(lo) && !is_num(hi))
			continue;
		printf(", %s ", bounds[i].what);
		put_num(lo);
		fputs("..", stdout);
		put_num(hi);
	}
	const cJSON *en = cJSON_GetObjectItemCaseSensitive(n, "enum"), *e;
	if (cJSON_IsArray(en)) {
		fputs(", one of: ", stdout);
		int k = 0, total = cJSON_GetArraySize(en);
		cJSON_ArrayForEach(e, en) {
			if (k == 8) {
				printf(" ... (%d values)", total);
				break;
			}
			if (cJSON_IsString(e))
				printf("%s%s", k ? " | " : "", e->valuestring);
			else if (is_num(e)) {
				fputs(k ? " | " : "", stdout);
				put_num(e);
			}
			k++;
		}
	}
	const char *pat = str_of(n, "pattern");
	if (pat[0]) {
		fputs(", pattern ", stdout);
		put_clipped(pat, 60);
	}
}

static void describe_props(const cJSON *schema, const cJSON *defs, int indent, int depth,
                           const char **stack, int nstack);

/* The members of N (an object, a list of objects, a map of objects, or a
 * union), indented below its line. */
static void describe_children(const cJSON *n, const cJSON *defs, int indent, int depth,
                              const char **stack, int nstack)
{
	const char *name;
	n = deref(n, defs, &name);
	if (!n || depth >= SCHEMA_DEPTH)
		return;
	if (name) {
		for (int i = 0; i < nstack; i++)
			if (strcmp(stack[i], name) == 0) {
				printf("%*s(%s again: recursive)\n", indent, "", name);
				return;
			}
		if (nstack < SCHEMA_DEPTH)
			stack[nstack++] = name;
	}
	const cJSON *items = cJSON_GetObjectItemCaseSensitive(n, "items");
	const cJSON *addl = cJSON_GetObjectItemCaseSensitive(n, "additionalProperties");
	const cJSON *one = cJSON_GetObjectItemCaseSensitive(n, "oneOf"), *b;
	if (cJSON_GetObjectItemCaseSensitive(n, "properties"))
		describe_props(n, defs, indent, depth, stack, nstack);
	else if (cJSON_IsObject(items))
		describe_children(items, defs, indent, depth + 1, stack, nstack);
	else if (cJSON_IsObject(addl))
		describe_children(addl, defs, indent, depth + 1, stack, nstack);
	else if (cJSON_IsArray(one)) {
		printf("%*s(exactly one of:)\n", indent, "");
		cJSON_ArrayForEach(b, one)
			describe_children(b, defs, indent, depth + 1, stack, nstack);
	}
}

static void describe_props(const cJSON *schema, const cJSON *defs, int indent, int depth,
                           const char **stack, int nstack)
{
	const cJSON *props = cJSON_GetObjectItemCaseSensitive(schema, "properties"), *p;
	const cJSON *req = cJSON_GetObjectItemCaseSensitive(schema, "required");
	cJSON_ArrayForEach(p, props) {
		int required = 0;
		const cJSON *r;
		cJSON_ArrayForEach(r, req)
			if (cJSON_IsString(r) && p->string && strcmp(r->valuestring, p->string) == 0)
				required = 1;
		int w = 32 - indent;
		printf("%*s%-*s ", indent, "", w > 8 ? w : 8, p->string ? p->string : "?");
		describe_node(p, defs, required);
		putchar('\n');
		const char *desc = str_of(p, "description");
		if (desc[0]) {
			printf("%*s  ", indent, "");
			put_clipped(desc, 110);
			putchar('\n');
		}
		describe_children(p, defs, indent + 4, depth + 1, stack, nstack);
	}
}

static int cmd_describe(const opts *o, const alc_catalog *cat)
{
	cJSON *args = cJSON_CreateObject();
	if (!args || !cJSON_AddStringToObject(args, "service", o->pos[1]) ||
	    !cJSON_AddStringToObject(args, "operation", o->pos[2])) {
		cJSON_Delete(args);
		return RT_EXIT_FAILURE;
	}
	rt_tools t;
	rt_tools_init(&t, cat);
	rt_tools_set_context(&t, o->region, o->account, o->profile);
	cJSON *res = NULL;
	int rc = run_tool(&t, "describe_operation", args, &res);
	cJSON_Delete(args);
	if (rc == 0 && o->json) {
		rc = print_json(res);
	} else if (rc == 0) {
		printf("%s:%s  (%s)\n", str_of(res, "service"), str_of(res, "operation"),
		       str_of(res, "cli"));
		if (str_of(res, "summary")[0]) {
			fputs("  ", stdout);
			put_clipped(str_of(res, "summary"), 300);
			putchar('\n');
		}
		printf("  %s, %s%s; protocol %s, API version %s\n",
		       bool_of(res, "readonly") ? "read-only" : "writes",
		       bool_of(res, "idempotent") ? "idempotent" : "not idempotent",
		       bool_of(res, "deprecated") ? ", deprecated" : "",
		       str_of(res, "protocol"), str_of(res, "apiVersion"));
		const cJSON *http = cJSON_GetObjectItemCaseSensitive(res, "http");
		if (cJSON_IsObject(http)) {
			const cJSON *code = cJSON_GetObjectItemCaseSensitive(http, "code");
			printf("  http: %s %s -> %d\n", str_of(http, "method"), str_of(http, "uri"),
			       cJSON_IsNumber(code) ? code->valueint : 0);
		}
		const cJSON *pg = cJSON_GetObjectItemCaseSensitive(res, "pagination");
		if (cJSON_IsObject(pg)) {
			printf("  paginated: input token %s, output token %s", str_of(pg, "inputToken"),
			       str_of(pg, "outputToken"));
			if (str_of(pg, "items")[0])
				printf(", items %s", str_of(pg, "items"));
			if (str_of(pg, "pageSize")[0])
				printf(", page size %s", str_of(pg, "pageSize"));
			putchar('\n');
		}
		if (str_of(res, "idempotencyToken")[0])
			printf("  idempotency token: %s (filled in when omitted)\n",
			       str_of(res, "idempotencyToken"));
		print_policy(res);
		const cJSON *schema = cJSON_GetObjectItemCaseSensitive(res, "inputSchema");
		const cJSON *defs = cJSON_GetObjectItemCaseSensitive(schema, "$defs");
		const cJSON *props = cJSON_GetObjectItemCaseSensitive(schema, "properties");
		if (cJSON_GetArraySize(props) == 0) {
			puts("input: none");
		} else {
			puts("input:");
			const char *stack[SCHEMA_DEPTH];
			describe_props(schema, defs, 2, 0, stack, 0);
		}
	}
	cJSON_Delete(res);
	rt_tools_fini(&t);
	return rc;
}

/* ---- validate ------------------------------------------------------- */

#define INPUT_MAX (64u << 20)

char *rt_cli_read_arg(const char *opt, const char *spec)
{
	if (spec[0] != '@')
		return strdup(spec);
	FILE *f = strcmp(spec, "@-") == 0 ? stdin : fopen(spec + 1, "rb");
	if (!f) {
		fprintf(stderr, "airlock: %s %s: %s\n", opt, spec, strerror(errno));
		return NULL;
	}
	size_t len = 0, cap = 65536;
	char *buf = malloc(cap);
	while (buf) {
		if (len + 1 >= cap) {
			if (cap >= INPUT_MAX) {
				fprintf(stderr, "airlock: %s %s: larger than %u MiB\n", opt, spec,
				        INPUT_MAX >> 20);
				free(buf);
				buf = NULL;
				break;
			}
			char *nb = realloc(buf, cap * 2);
			if (!nb) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = nb;
			cap *= 2;
		}
		size_t n = fread(buf + len, 1, cap - len - 1, f);
		len += n;
		if (n == 0) {
			if (ferror(f)) {
				fprintf(stderr, "airlock: %s %s: read error\n", opt, spec);
				free(buf);
				buf = NULL;
			}
			break;
		}
	}
	if (buf)
		buf[len] = '\0';
	if (f != stdin)
		fclose(f);
	return buf;
}

static int cmd_validate(const opts *o, const alc_catalog *cat)
{
	char *text = rt_cli_read_arg("--input", o->input);
	if (!text)
		return RT_EXIT_USAGE;
	const char *end = NULL;
	cJSON *input = cJSON_ParseWithOpts(text, &end, 1);
	if (!input) {
		size_t at = end && end >= text ? (size_t)(end - text) : 0;
		fprintf(stderr, "airlock: --input is not valid JSON (near byte %zu)\n", at);
		free(text);
		return RT_EXIT_USAGE;
	}
	free(text);
	cJSON *args = cJSON_CreateObject();
	if (!args || !cJSON_AddStringToObject(args, "service", o->pos[1]) ||
	    !cJSON_AddStringToObject(args, "operation", o->pos[2])) {
		cJSON_Delete(args);
		cJSON_Delete(input);
		return RT_EXIT_FAILURE;
	}
	cJSON_AddItemToObject(args, "input", input);
	rt_tools t;
	rt_tools_init(&t, cat);
	rt_tools_set_context(&t, o->region, o->account, o->profile);
	cJSON *res = NULL;
	int rc = run_tool(&t, "validate_input", args, &res);
	cJSON_Delete(args);
	if (rc == 0) {
		int valid = bool_of(res, "valid");
		if (o->json) {
			rc = print_json(res);
		} else {
			const cJSON *cnt = cJSON_GetObjectItemCaseSensitive(res, "violationCount"), *v;
			int n = cJSON_IsNumber(cnt) ? cnt->valueint : 0;
			if (valid)
				printf("%s:%s: the input is valid\n", str_of(res, "service"),
				       str_of(res, "operation"));
			else
				printf("%s:%s: %d violation%s%s\n", str_of(res, "service"),
				       str_of(res, "operation"), n, n == 1 ? "" : "s",
				       bool_of(res, "truncated") ? " (the first are listed)" : "");
			cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(res, "violations")) {
				/* Messages name their pointer already ("/MaxCount: must
				 * be ...", "input: ..." for the whole input); others get
				 * it in front. */
				const char *ptr = str_of(v, "pointer"), *msg = str_of(v, "message");
				size_t pl = strlen(ptr);
				if (!pl || (strncmp(msg, ptr, pl) == 0 && msg[pl] == ':'))
					printf("  %s  [%s]\n", msg, str_of(v, "keyword"));
				else
					printf("  %s: %s  [%s]\n", ptr, msg, str_of(v, "keyword"));
			}
			print_policy(res);
		}
		if (rc == 0 && !valid)
			rc = RT_EXIT_NEGATIVE;
	}
	cJSON_Delete(res);
	rt_tools_fini(&t);
	return rc;
}

/* ---- policy --------------------------------------------------------- */

/* airlock policy explain SERVICE OPERATION | policy test FILE... */
static int cmd_policy(const opts *o, const alc_catalog *cat)
{
	rt_policy *p = NULL;
	char err[256];
	int rc = rt_policy_open(&p, cat, 0, err, sizeof err);
	if (rc != 0) {
		fprintf(stderr, "airlock: policy: %s%s%s\n", al_strerror(rc),
		        err[0] ? ": " : "", err);
		return RT_EXIT_CATALOG;
	}
	if (strcmp(o->pos[1], "test") == 0) {
		rc = RT_EXIT_OK;
		for (int i = 2; i < o->npos; i++) {
			if (o->npos > 3)
				printf("%s:\n", o->pos[i]);
			int r = rt_policy_test_file(p, cat, o->pos[i], stdout, stderr, o->verbose);
			if (r > rc)
				rc = r;
		}
		rt_policy_close(p);
		return rc;
	}
	/* explain */
	char *err_msg = NULL;
	const alc_service *svc = rt_tools_service(cat, o->pos[2], &err_msg);
	const alc_operation *op = svc ? rt_tools_operation(cat, svc, o->pos[3], &err_msg) : NULL;
	if (!op) {
		fprintf(stderr, "airlock: %s\n", err_msg ? err_msg : "no such operation");
		free(err_msg);
		rt_policy_close(p);
		return RT_EXIT_NEGATIVE;
	}
	cJSON *input = NULL;
	if (o->input) {
		char *text = rt_cli_read_arg("--input", o->input);
		if (!text) {
			rt_policy_close(p);
			return RT_EXIT_USAGE;
		}
		input = cJSON_ParseWithOpts(text, NULL, 1);
		free(text);
		if (!input) {
			fprintf(stderr, "airlock: --input is not valid JSON\n");
			rt_policy_close(p);
			return RT_EXIT_USAGE;
		}
	}
	rt_call call = { op, input, o->region, o->account, o->profile };
	rt_decision d;
	rt_policy_decide(p, &call, RT_DECIDE_EXPLAIN, &d);
	if (o->json) {
		cJSON *j = rt_policy_decision_json(p, &d);
		rc = j ? print_json(j) : RT_EXIT_FAILURE;
		cJSON_Delete(j);
	} else {
		rt_policy_print(stdout, p, &call, &d);
		if (!input)
			puts(d.nconditional ? "input: not given (the rules above that depend on "
			                      "it are left out of the decision)"
			                    : "input: not given");
	}
	if (rc == 0 && d.effect != ALC_EFFECT_ALLOW)
		rc = RT_EXIT_NEGATIVE;
	cJSON_Delete(input);
	rt_policy_close(p);
	return rc;
}

/* ---- serve ---------------------------------------------------------- */

/* The serve loop's gate (rt_mcp_config.ready): waits for the deferred
 * checks of the catalog; on failure says why, as open_catalog would have. */
typedef struct serve_gate {
	alc_catalog *cat;
	const char *path, *whence;
	int rc;                   /* 1: not asked yet */
} serve_gate;

static int serve_ready(void *ctx)
{
	serve_gate *g = ctx;
	if (g->rc == 1) {
		alc_diag diag;
		g->rc = alc_verify_wait(g->cat, &diag);
		if (g->rc != 0) {
			rt_stamp_remove(g->cat);
			catalog_refused(g->path, g->whence, g->rc, &diag);
		}
	}
	return g->rc;
}

static int cmd_serve(const opts *o, alc_catalog *cat, const char *path, const char *whence)
{
	size_t page = o->page_size ? (size_t)strtoul(o->page_size, NULL, 10) : 0;
	const char *dbg = getenv("AIRLOCK_DEBUG");
	const char *base = strrchr(path, '/');
	serve_gate gate = { cat, path, whence, 1 };
	rt_mcp_config cfg = {
		.cat = cat,
		.catalog_name = base ? base + 1 : path,
		.page_size = page,
		.debug = dbg && dbg[0] && strcmp(dbg, "0") != 0,
		.ready = serve_ready,
		.ready_ctx = &gate,
	};
	if (cfg.debug)
		fprintf(stderr, "airlock: serving %s (%u services, %u operations) on stdio\n", path,
		        cat->nsvcs, cat->nops);
	int rc = rt_mcp_serve_fd(&cfg, STDIN_FILENO, STDOUT_FILENO);
	if (rc == 0 && gate.rc == 1)
		rc = serve_ready(&gate); /* a session that never read the catalog */
	if (rc == AL_ENOMEM) {
		fputs("airlock: out of memory\n", stderr);
		return RT_EXIT_FAILURE;
	}
	if (rc != 0 && rc == gate.rc)
		return RT_EXIT_CATALOG;
	return rc == 0 ? RT_EXIT_OK : RT_EXIT_FAILURE;
}

/* ---- main ----------------------------------------------------------- */

/* An integer option within [LO, HI], or not given. */
static int int_opt(const char *name, const char *v, long lo, long hi)
{
	if (!v)
		return 0;
	char *end;
	errno = 0;
	long n = strtol(v, &end, 10);
	if (!*v || *end || errno || n < lo || n > hi) {
		usage_error("%s must be an integer from %ld to %ld", name, lo, hi);
		return -1;
	}
	return 0;
}

/* Usage is checked before the catalog is opened. */
static int check_usage(const char *cmd, const opts *o)
{
	if (strcmp(cmd, "search") == 0) {
		if (o->npos < 2) {
			usage_error("search needs a QUERY, e.g. airlock search list my s3 buckets");
			return -1;
		}
		if (o->access && strcmp(o->access, "read") != 0 &&
		    strcmp(o->access, "write") != 0 && strcmp(o->access, "any") != 0) {
			usage_error("--access must be read, write or any");
			return -1;
		}
		return int_opt("--limit", o->limit, 1, RT_SEARCH_LIMIT_MAX);
	}
	if (strcmp(cmd, "describe") == 0 && o->npos != 3) {
		usage_error("describe needs SERVICE and OPERATION, e.g. airlock describe "
		            "cloudformation create-stack");
		return -1;
	}
	if (strcmp(cmd, "validate") == 0 && (o->npos != 3 || !o->input)) {
		usage_error("validate needs SERVICE OPERATION --input JSON|@FILE|@-");
		return -1;
	}
	if (strcmp(cmd, "policy") == 0) {
		int explain = o->npos >= 2 && strcmp(o->pos[1], "explain") == 0;
		int test = o->npos >= 2 && strcmp(o->pos[1], "test") == 0;
		if ((explain && o->npos != 4) || (test && o->npos < 3) || (!explain && !test)) {
			usage_error("policy explain SERVICE OPERATION [--input ...] [--region R "
			            "--account ID --profile P] | policy test FILE...");
			return -1;
		}
		return 0;
	}
	if (strcmp(cmd, "serve") == 0) {
		if (o->npos != 1) {
			usage_error("serve takes no arguments besides --catalog FILE");
			return -1;
		}
		return int_opt("--page-size", o->page_size, 1, 1000);
	}
	return 0;
}

static void print_version(void)
{
	printf("airlock %s (catalog format %u; MCP 2024-11-05 to " RT_MCP_LATEST_LEGACY
	       " with initialize, " RT_MCP_MODERN_VERSION " stateless)\n",
	       AIRLOCK_VERSION, ALC_READ_VERSION);
}

int rt_cli_main(int argc, char **argv)
{
	/* whoami has its own options (rt_sts.c) and needs no catalog. */
	if (argc > 1 && strcmp(argv[1], "whoami") == 0)
		return rt_sts_whoami_main(argc - 1, argv + 1);
	/* deploy (CloudFormation change sets, rt_cfn.h) has its own options */
	if (argc > 1 && strcmp(argv[1], "deploy") == 0)
		return rt_cfn_cli_main(argc - 1, argv + 1);
	/* plans, approvals and the audit log have their own options */
	static const char *const plan_cmds[] = { "call", "plan", "diff", "apply", "plans", "show",
	                                         "approve", "reject", "audit" };
	for (size_t i = 0; argc > 1 && i < sizeof plan_cmds / sizeof plan_cmds[0]; i++)
		if (strcmp(argv[1], plan_cmds[i]) == 0)
			return rt_plan_cli_main(argc - 1, argv + 1);
	opts o;
	if (parse_opts(argc, argv, &o) != 0)
		return RT_EXIT_USAGE;
	const char *cmd = o.npos ? o.pos[0] : NULL;
	if (o.version || (cmd && strcmp(cmd, "version") == 0)) {
		print_version();
		return RT_EXIT_OK;
	}
	if (o.help || !cmd || strcmp(cmd, "help") == 0) {
		fputs(usage_text, cmd || o.help ? stdout : stderr);
		return cmd || o.help ? RT_EXIT_OK : RT_EXIT_USAGE;
	}
	int (*run)(const opts *, const alc_catalog *) = NULL;
	if (strcmp(cmd, "search") == 0)
		run = cmd_search;
	else if (strcmp(cmd, "describe") == 0)
		run = cmd_describe;
	else if (strcmp(cmd, "validate") == 0)
		run = cmd_validate;
	else if (strcmp(cmd, "policy") == 0)
		run = cmd_policy;
	else if (strcmp(cmd, "serve") != 0) {
		usage_error("unknown command \"%s\"", cmd);
		return RT_EXIT_USAGE;
	}
	if (check_usage(cmd, &o) != 0)
		return RT_EXIT_USAGE;
	alc_catalog cat;
	const char *path = NULL, *whence = NULL;
	int rc = open_catalog(&o, &cat, &path, !run, &whence);
	if (rc != 0)
		return rc;
	rc = run ? run(&o, &cat) : cmd_serve(&o, &cat, path, whence);
	alc_close(&cat);
	if (fflush(stdout) != 0 && rc == 0)
		rc = RT_EXIT_FAILURE;
	return rc;
}
