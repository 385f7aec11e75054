/*
 * test_policy.c -- unit tests of the policy (see tests.cmake).
 *
 *   test_policy FULL.alc RULES.alc RULES.yaml
 *
 * FULL.alc is the full AWS catalog (default policy), RULES.alc the catalog
 * of tests/policy/policies/rules.yaml (tests.cmake builds both).
 *
 *   1. risk levels and access: known answers over the full catalog
 *      (cc_risk_of, and the word the build stored);
 *   2. tag locations: known answers for each tag shape;
 *   3. the section checker: named corruptions of RULES.alc's POLICY
 *      section and operation risk words are refused with the right code;
 *      random byte flips never crash the checker or, when a flipped section
 *      passes, the decisions;
 *   4. patterns decoded from the PCRE2 serialization and compiled from
 *      their sources decide every operation alike;
 *   5. compiling the same policy twice gives the same bytes, and the same
 *      risk words as the build stored;
 *   6. API edges.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <xxhash.h>

#include "alc_err.h"
#include "alc_policy.h"
#include "alc_reader.h"
#include "cc_policy.h"
#include "cc_risk.h"
#include "rt_policy.h"

static int failures, checks;

static void check(int ok, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void check(int ok, const char *fmt, ...)
{
	checks++;
	if (ok)
		return;
	failures++;
	va_list ap;
	va_start(ap, fmt);
	fputs("FAIL: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

static const alc_operation *op_of(const alc_catalog *c, const char *svc,
                                  const char *op)
{
	return alc_find_operation(c, svc, strlen(svc), op, strlen(op));
}

/* ---- 1. risk ---------------------------------------------------------- */

static void test_risk(const alc_catalog *c)
{
	static const struct { const char *svc, *op; unsigned risk; int write; } kat[] = {
		{ "ec2", "DescribeInstances", ALC_RISK_LOW, 0 },
		{ "s3", "ListBuckets", ALC_RISK_LOW, 0 },
		{ "dynamodb", "DescribeTable", ALC_RISK_LOW, 0 },
		{ "dynamodb", "BatchGetItem", ALC_RISK_LOW, 0 },
		{ "sts", "GetCallerIdentity", ALC_RISK_LOW, 0 },
		{ "iam", "ListUsers", ALC_RISK_LOW, 0 },
		{ "ec2", "RunInstances", ALC_RISK_MEDIUM, 1 },
		{ "s3", "PutObject", ALC_RISK_MEDIUM, 1 },
		{ "cloudformation", "CreateStack", ALC_RISK_MEDIUM, 1 },
		{ "cloudformation", "UpdateStack", ALC_RISK_MEDIUM, 1 },
		{ "ec2", "StopInstances", ALC_RISK_MEDIUM, 1 },
		{ "ec2", "CreateTags", ALC_RISK_MEDIUM, 1 },
		{ "lambda", "UntagResource", ALC_RISK_MEDIUM, 1 },
		{ "dynamodb", "BatchWriteItem", ALC_RISK_MEDIUM, 1 },
		{ "sts", "AssumeRole", ALC_RISK_MEDIUM, 1 },
		{ "ec2", "TerminateInstances", ALC_RISK_HIGH, 1 },
		{ "s3", "DeleteBucket", ALC_RISK_HIGH, 1 },
		{ "ec2", "RevokeSecurityGroupIngress", ALC_RISK_HIGH, 1 },
		{ "ec2", "DetachVolume", ALC_RISK_HIGH, 1 },
		{ "sqs", "PurgeQueue", ALC_RISK_HIGH, 1 },
		{ "ec2", "DeregisterImage", ALC_RISK_HIGH, 1 },
		{ "sns", "Unsubscribe", ALC_RISK_HIGH, 1 },
		{ "cognito-identity-provider", "AdminDeleteUser", ALC_RISK_HIGH, 1 },
		{ "cloudformation", "DeleteStack", ALC_RISK_HIGH, 1 },
		{ "iam", "CreateUser", ALC_RISK_CRITICAL, 1 },
		{ "iam", "AttachRolePolicy", ALC_RISK_CRITICAL, 1 },
		{ "kms", "DisableKey", ALC_RISK_CRITICAL, 1 },
		{ "kms", "ScheduleKeyDeletion", ALC_RISK_CRITICAL, 1 },
		{ "organizations", "CreateAccount", ALC_RISK_CRITICAL, 1 },
		{ "sso-admin", "CreatePermissionSet", ALC_RISK_CRITICAL, 1 },
		{ "identitystore", "CreateUser", ALC_RISK_CRITICAL, 1 },
		{ "account", "PutAlternateContact", ALC_RISK_CRITICAL, 1 },
		{ "ecs", "PutAccountSetting", ALC_RISK_CRITICAL, 1 },
		{ "s3", "PutPublicAccessBlock", ALC_RISK_CRITICAL, 1 },
		{ "ec2", "DisableEbsEncryptionByDefault", ALC_RISK_CRITICAL, 1 },
		{ "ec2", "ModifyEbsDefaultKmsKeyId", ALC_RISK_CRITICAL, 1 },
		{ "s3", "DeleteObjects", ALC_RISK_CRITICAL, 1 },
		{ "dynamodb", "DeleteTable", ALC_RISK_HIGH, 1 },
	};
	for (size_t i = 0; i < sizeof kat / sizeof kat[0]; i++) {
		const alc_operation *op = op_of(c, kat[i].svc, kat[i].op);
		check(op != NULL, "risk: %s:%s not in the catalog", kat[i].svc, kat[i].op);
		if (!op)
			continue;
		int w = -1;
		unsigned r = cc_risk_of(c, op, &w);
		check(r == kat[i].risk && w == kat[i].write,
		      "risk: %s:%s is %s/%s, want %s/%s", kat[i].svc, kat[i].op,
		      alc_risk_name(r), w ? "write" : "read",
		      alc_risk_name(kat[i].risk), kat[i].write ? "write" : "read");
		/* the default policy overrides nothing: the stored word agrees */
		check((op->risk & ALC_OPRISK_LEVEL) == kat[i].risk &&
		      !!(op->risk & ALC_OPRISK_WRITE) == kat[i].write,
		      "risk: %s:%s stored 0x%x", kat[i].svc, kat[i].op, op->risk);
	}
	/* every operation has a level, and access agrees with alc_op_is_read */
	uint32_t bad = 0, counts[ALC_RISK_COUNT] = { 0 };
	for (uint32_t i = 0; i < c->nops; i++) {
		uint32_t r = c->ops[i].risk;
		counts[(r & ALC_OPRISK_LEVEL) < ALC_RISK_COUNT ? (r & ALC_OPRISK_LEVEL) : 0]++;
		int rd = alc_op_is_read(alc_str(c, c->ops[i].name), c->ops[i].flags);
		if ((r & ALC_OPRISK_LEVEL) == 0 || rd == !!(r & ALC_OPRISK_WRITE) ||
		    (rd && (r & ALC_OPRISK_LEVEL) != ALC_RISK_LOW))
			bad++;
	}
	check(bad == 0, "risk: %u operations with a missing or inconsistent word", bad);
	printf("risk over %u operations: low %u, medium %u, high %u, critical %u\n",
	       c->nops, counts[1], counts[2], counts[3], counts[4]);
}

/* ---- 2. tags ------------------------------------------------------------ */

static void path_of(const cc_tagloc *t, char *buf, size_t cap)
{
	size_t o = 0;
	buf[0] = '\0';
	for (uint32_t s = 0; s < t->nsegs; s++)
		o += (size_t)snprintf(buf + o, cap - o, "%s%s%s", s ? "." : "",
		                      t->seg_name[s],
		                      t->seg_kind[s] == ALC_SEG_EACH ? "[*]" : "");
}

static void test_tags(const alc_catalog *c)
{
	static const struct {
		const char *svc, *op;
		size_t n;
		const char *path;
		unsigned kind;
		const char *key, *value;
	} kat[] = {
		{ "ec2", "RunInstances", 1, "TagSpecifications[*].Tags", ALC_TL_LIST, "Key", "Value" },
		{ "ec2", "CreateVolume", 1, "TagSpecifications[*].Tags", ALC_TL_LIST, "Key", "Value" },
		{ "ec2", "CreateTags", 1, "Tags", ALC_TL_LIST, "Key", "Value" },
		{ "cloudformation", "CreateStack", 1, "Tags", ALC_TL_LIST, "Key", "Value" },
		{ "s3", "PutBucketTagging", 1, "Tagging.TagSet", ALC_TL_LIST, "Key", "Value" },
		{ "s3", "PutObject", 1, "Tagging", ALC_TL_QUERY, "", "" },
		{ "dynamodb", "CreateTable", 1, "Tags", ALC_TL_LIST, "Key", "Value" },
		{ "lambda", "CreateFunction", 1, "Tags", ALC_TL_MAP, "", "" },
		{ "ecs", "CreateCluster", 1, "tags", ALC_TL_LIST, "key", "value" },
		{ "sqs", "CreateQueue", 1, "tags", ALC_TL_MAP, "", "" },
		{ "ec2", "DescribeInstances", 0, NULL, 0, NULL, NULL },
		{ "ec2", "DeleteTags", 0, NULL, 0, NULL, NULL },
		{ "lambda", "UntagResource", 0, NULL, 0, NULL, NULL },
		{ "s3", "GetObject", 0, NULL, 0, NULL, NULL },
		{ "codedeploy", "CreateDeploymentGroup", 1, "tags", ALC_TL_LIST, "Key", "Value" },
	};
	for (size_t i = 0; i < sizeof kat / sizeof kat[0]; i++) {
		const alc_operation *op = op_of(c, kat[i].svc, kat[i].op);
		check(op != NULL, "tags: %s:%s not in the catalog", kat[i].svc, kat[i].op);
		if (!op)
			continue;
		cc_tagloc t[4];
		size_t n = cc_tag_locations(c, op, t, 4);
		check(n == kat[i].n, "tags: %s:%s has %zu locations, want %zu",
		      kat[i].svc, kat[i].op, n, kat[i].n);
		check(!!(op->risk & ALC_OPRISK_TAGS) == (kat[i].n > 0),
		      "tags: %s:%s stored flag disagrees", kat[i].svc, kat[i].op);
		if (n != 1 || kat[i].n != 1)
			continue;
		char path[256];
		path_of(&t[0], path, sizeof path);
		check(strcmp(path, kat[i].path) == 0 && t[0].kind == kat[i].kind &&
		      strcmp(t[0].key_name, kat[i].key) == 0 &&
		      strcmp(t[0].value_name, kat[i].value) == 0,
		      "tags: %s:%s at %s kind %u %s/%s, want %s kind %u %s/%s",
		      kat[i].svc, kat[i].op, path, t[0].kind, t[0].key_name,
		      t[0].value_name, kat[i].path, kat[i].kind, kat[i].key, kat[i].value);
	}
	uint32_t tagged = 0;
	for (uint32_t i = 0; i < c->nops; i++)
		tagged += !!(c->ops[i].risk & ALC_OPRISK_TAGS);
	printf("operations whose input carries tags: %u\n", tagged);
}

/* ---- 3. the section checker ------------------------------------------- */

typedef struct img {
	uint8_t *p;
	size_t len;
	size_t pol, ops;         /* offsets of POLICY and OPS */
	uint32_t pol_size, nops;
} img;

static int load_img(const char *path, img *m)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return -1;
	fseek(f, 0, SEEK_END);
	m->len = (size_t)ftell(f);
	rewind(f);
	m->p = malloc(m->len);
	if (!m->p || fread(m->p, 1, m->len, f) != m->len) {
		fclose(f);
		return -1;
	}
	fclose(f);
	const alc_header *h = (const alc_header *)m->p;
	const alc_section *d = (const alc_section *)(m->p + h->dir_offset);
	for (uint32_t i = 0; i < h->section_count; i++) {
		if (d[i].id == ALC_SEC_POLICY) {
			m->pol = d[i].offset;
			m->pol_size = (uint32_t)d[i].size;
		} else if (d[i].id == ALC_SEC_OPS) {
			m->ops = d[i].offset;
			m->nops = d[i].count;
		}
	}
	return m->pol && m->ops ? 0 : -1;
}

static void reseal(uint8_t *p, size_t len)
{
	alc_header *h = (alc_header *)p;
	XXH128_hash_t x = XXH3_128bits(p + ALC_CHECKSUM_FROM, len - ALC_CHECKSUM_FROM);
	h->checksum_lo = x.low64;
	h->checksum_hi = x.high64;
}

typedef void (*edit_fn)(uint8_t *p, const img *m);

#define PH(p, m) ((alc_policy_header *)((p) + (m)->pol))
#define TBL(p, m, kind, type) \
	((type *)((p) + (m)->pol + PH(p, m)->tables[kind].off))

static void e_magic(uint8_t *p, const img *m) { PH(p, m)->magic ^= 1; }
static void e_version(uint8_t *p, const img *m) { PH(p, m)->version = 2; }
static void e_size(uint8_t *p, const img *m) { PH(p, m)->size = m->pol_size + 8; }
static void e_flags(uint8_t *p, const img *m) { PH(p, m)->flags |= 0x80; }
static void e_default(uint8_t *p, const img *m) { PH(p, m)->defaults[3] = 7; }
static void e_misaligned(uint8_t *p, const img *m) { PH(p, m)->tables[ALC_PT_RULES].off += 4; }
static void e_count(uint8_t *p, const img *m) { PH(p, m)->tables[ALC_PT_CONDS].count = 0x10000000; }
static void e_blob(uint8_t *p, const img *m) { PH(p, m)->blob_size = m->pol_size; }
static void e_source(uint8_t *p, const img *m) { PH(p, m)->source = 0xfffffff0u; }
static void e_rule_effect(uint8_t *p, const img *m) { TBL(p, m, ALC_PT_RULES, alc_prule)[0].effect = 9; }
static void e_rule_id(uint8_t *p, const img *m) { TBL(p, m, ALC_PT_RULES, alc_prule)[1].id = 0xfffffff0u; }
static void e_rule_conds(uint8_t *p, const img *m) { TBL(p, m, ALC_PT_RULES, alc_prule)[12].cond_count = 1000; }
static void e_rule_dynamic(uint8_t *p, const img *m) { TBL(p, m, ALC_PT_RULES, alc_prule)[0].flags = ALC_PRULE_DYNAMIC; }
static void e_cond_op(uint8_t *p, const img *m) { TBL(p, m, ALC_PT_CONDS, alc_pcond)[0].op = 99; }
static void e_cond_vals(uint8_t *p, const img *m) { TBL(p, m, ALC_PT_CONDS, alc_pcond)[0].val_first = 0x7fffffff; }
static void e_val_type(uint8_t *p, const img *m) { TBL(p, m, ALC_PT_VALS, alc_pval)[0].type = 9; }
static void e_val_pat(uint8_t *p, const img *m)
{
	alc_pval *v = TBL(p, m, ALC_PT_VALS, alc_pval);
	for (uint32_t i = 0; i < PH(p, m)->tables[ALC_PT_VALS].count; i++)
		if (v[i].type == ALC_PV_PAT) {
			v[i].a = 5000;
			return;
		}
}
static void e_seg_kind(uint8_t *p, const img *m) { TBL(p, m, ALC_PT_SEGS, alc_pseg)[0].kind = 3; }
static void e_ref(uint8_t *p, const img *m) { TBL(p, m, ALC_PT_REFS, uint32_t)[0] = 0x7fff; }
static void e_ref_order(uint8_t *p, const img *m)
{
	const alc_pclass *c = TBL(p, m, ALC_PT_CLASSES, alc_pclass);
	uint32_t *r = TBL(p, m, ALC_PT_REFS, uint32_t);
	for (uint32_t i = 0; i < PH(p, m)->tables[ALC_PT_CLASSES].count; i++)
		if (c[i].ref_count >= 2) {
			uint32_t t = r[c[i].ref_first];
			r[c[i].ref_first] = r[c[i].ref_first + 1];
			r[c[i].ref_first + 1] = t;
			return;
		}
}
static void e_class_rule(uint8_t *p, const img *m) { TBL(p, m, ALC_PT_CLASSES, alc_pclass)[0].static_rule = 0x7fff; }
static void e_approvals(uint8_t *p, const img *m) { PH(p, m)->tables[ALC_PT_APPROVALS].count--; }
static void e_approvers(uint8_t *p, const img *m) { TBL(p, m, ALC_PT_APPROVALS, alc_papproval)[0].approvers = 3; }
static void e_env_accounts(uint8_t *p, const img *m) { TBL(p, m, ALC_PT_ENVS, alc_penv)[0].accounts_count = 1000; }
static void e_op_class(uint8_t *p, const img *m) { ((alc_operation *)(p + m->ops))[3].risk |= 0xffffu << 16; }
static void e_op_level(uint8_t *p, const img *m) { ((alc_operation *)(p + m->ops))[3].risk &= ~ALC_OPRISK_LEVEL; }
static void e_op_bits(uint8_t *p, const img *m) { ((alc_operation *)(p + m->ops))[3].risk |= 0x100; }
static void e_no_flag(uint8_t *p, const img *m) { (void)m; ((alc_header *)p)->flags &= ~ALC_F_POLICY; }

static void test_checker(const char *rules_alc)
{
	img m = { 0 };
	check(load_img(rules_alc, &m) == 0, "checker: cannot read %s", rules_alc);
	if (!m.p)
		return;
	static const struct { const char *what; edit_fn fn; int code; } edits[] = {
		{ "magic", e_magic, AL_ECORRUPT },
		{ "version", e_version, AL_EVERSION },
		{ "size", e_size, AL_ECORRUPT },
		{ "flags", e_flags, AL_ECORRUPT },
		{ "default effect", e_default, AL_ECORRUPT },
		{ "misaligned table", e_misaligned, AL_ECORRUPT },
		{ "table count", e_count, AL_ECORRUPT },
		{ "blob bounds", e_blob, AL_ECORRUPT },
		{ "source string", e_source, AL_ECORRUPT },
		{ "rule effect", e_rule_effect, AL_ECORRUPT },
		{ "rule id string", e_rule_id, AL_ECORRUPT },
		{ "rule conditions", e_rule_conds, AL_ECORRUPT },
		{ "rule dynamic bit", e_rule_dynamic, AL_ECORRUPT },
		{ "condition op", e_cond_op, AL_ECORRUPT },
		{ "condition operands", e_cond_vals, AL_ECORRUPT },
		{ "value type", e_val_type, AL_ECORRUPT },
		{ "value pattern", e_val_pat, AL_ECORRUPT },
		{ "path step", e_seg_kind, AL_ECORRUPT },
		{ "class rule reference", e_ref, AL_ECORRUPT },
		{ "class evaluation order", e_ref_order, AL_ECORRUPT },
		{ "class static rule", e_class_rule, AL_ECORRUPT },
		{ "approvals count", e_approvals, AL_ECORRUPT },
		{ "approvers", e_approvers, AL_ECORRUPT },
		{ "environment accounts", e_env_accounts, AL_ECORRUPT },
		{ "operation class", e_op_class, AL_ECORRUPT },
		{ "operation level", e_op_level, AL_ECORRUPT },
		{ "operation unknown bits", e_op_bits, AL_ECORRUPT },
		{ "flag without section", e_no_flag, AL_ECORRUPT },
	};
	uint8_t *p = malloc(m.len);
	alc_catalog c;
	alc_diag d;
	memcpy(p, m.p, m.len);
	check(alc_open_mem(&c, p, m.len, &d) == 0, "checker: %s does not open: %s",
	      rules_alc, d.msg);
	alc_close(&c);
	for (size_t i = 0; i < sizeof edits / sizeof edits[0]; i++) {
		memcpy(p, m.p, m.len);
		edits[i].fn(p, &m);
		reseal(p, m.len);
		d.msg[0] = '\0';
		int rc = alc_open_mem(&c, p, m.len, &d);
		check(rc == edits[i].code, "checker: %s: got %s (%s), want %s",
		      edits[i].what, al_errname(rc), d.msg, al_errname(edits[i].code));
		check(rc == 0 || strstr(d.msg, "POLICY") != NULL,
		      "checker: %s: message does not name the section: %s",
		      edits[i].what, d.msg);
		if (rc == 0)
			alc_close(&c);
	}
	/* random flips in the section: never a crash; when one passes, the
	 * decisions run (under the sanitizers in that build) */
	cJSON *in = cJSON_Parse("{\"InstanceType\":\"p4d.24xlarge\",\"MaxCount\":20,"
	                        "\"Bucket\":\"b\",\"InstanceIds\":[\"i-dev1\",\"i-prod\"],"
	                        "\"Tags\":[{\"Key\":\"Owner\",\"Value\":\"x\"}]}");
	uint64_t seed = 0x9e3779b97f4a7c15ull;
	unsigned passed = 0;
	for (int it = 0; it < 2000; it++) {
		memcpy(p, m.p, m.len);
		for (int k = 0; k < 1 + it % 3; k++) {
			seed ^= seed << 13, seed ^= seed >> 7, seed ^= seed << 17;
			p[m.pol + seed % m.pol_size] ^= (uint8_t)(1u << (seed >> 40) % 8);
		}
		reseal(p, m.len);
		if (alc_open_mem(&c, p, m.len, &d) != 0)
			continue;
		passed++;
		rt_policy *pol = NULL;
		if (rt_policy_open(&pol, &c, RT_POLICY_FROM_SOURCE, NULL, 0) == 0) {
			for (uint32_t o = 0; o < c.nops; o += 7) {
				rt_call call = { &c.ops[o], (o & 1) ? in : NULL, "us-east-1",
				                 (o & 2) ? "111111111111" : NULL, "prod-x" };
				rt_decision dec;
				rt_policy_decide(pol, &call, o & 4 ? RT_DECIDE_EXPLAIN : 0, &dec);
			}
			rt_policy_close(pol);
		}
		alc_close(&c);
	}
	printf("checker: %zu named corruptions refused; %u of 2000 random flips "
	       "passed the checker and were decided on\n",
	       sizeof edits / sizeof edits[0], passed);
	cJSON_Delete(in);
	free(p);
	free(m.p);
}

/* ---- 4. serialized and source patterns agree -------------------------- */

static void test_patterns(const alc_catalog *c)
{
	rt_policy *a = NULL, *b = NULL;
	check(rt_policy_open(&a, c, 0, NULL, 0) == 0, "patterns: open");
	check(rt_policy_open(&b, c, RT_POLICY_FROM_SOURCE, NULL, 0) == 0,
	      "patterns: open from source");
	if (!a || !b)
		return;
	check(strcmp(rt_policy_patterns_from(a), "serialized") == 0,
	      "patterns: not decoded from the blob (%s)", rt_policy_patterns_from(a));
	check(strcmp(rt_policy_patterns_from(b), "source") == 0,
	      "patterns: not compiled from source (%s)", rt_policy_patterns_from(b));
	static const char *const js[] = {
		"{}",
		"{\"InstanceType\":\"p4d.24xlarge\",\"MaxCount\":11,\"Bucket\":\"team-x\"}",
		"{\"InstanceType\":\"t3.micro\",\"Bucket\":\"other\",\"BillingMode\":\"PROVISIONED\"}",
		"{\"RoleArn\":\"arn:aws:iam::1:role/admin-x\",\"InstanceIds\":[\"i-dev1\",\"i-prod1\"]}",
		"{\"Runtime\":\"nodejs16.x\",\"Architectures\":[\"x86_64\"],\"Timeout\":2,\"MemorySize\":512}",
	};
	static const char *const ctx[][3] = {
		{ "us-east-1", "222222222222", NULL },
		{ "ap-south-1", "111111111111", "ci-x" },
		{ NULL, NULL, "prod-x" },
	};
	unsigned n = 0, differ = 0, effects[ALC_EFFECT_COUNT] = { 0 };
	for (uint32_t o = 0; o < c->nops; o++)
		for (size_t k = 0; k < sizeof ctx / sizeof ctx[0]; k++)
			for (size_t j = 0; j < sizeof js / sizeof js[0]; j++) {
				cJSON *in = cJSON_Parse(js[j]);
				rt_call call = { &c->ops[o], in, ctx[k][0], ctx[k][1], ctx[k][2] };
				rt_decision x, y;
				rt_policy_decide(a, &call, RT_DECIDE_EXPLAIN, &x);
				rt_policy_decide(b, &call, RT_DECIDE_EXPLAIN, &y);
				n++;
				effects[x.effect < ALC_EFFECT_COUNT ? x.effect : 0]++;
				if (x.effect != y.effect || x.rule_index != y.rule_index ||
				    x.nmatched != y.nmatched || strcmp(x.rule, y.rule) != 0)
					differ++;
				cJSON_Delete(in);
			}
	check(differ == 0, "patterns: %u of %u decisions differ", differ, n);
	printf("patterns: %u decisions alike (allow %u, approval %u, deny %u)\n",
	       n, effects[1], effects[2], effects[3]);
	rt_policy_close(a);
	rt_policy_close(b);
}

/* ---- 5. determinism --------------------------------------------------- */

static void test_determinism(const alc_catalog *c, const char *yaml)
{
	cc_buf sec[2] = { { 0 }, { 0 } };
	uint32_t *risk[2];
	for (int k = 0; k < 2; k++) {
		cc_buf diag = { 0 };
		cc_policy *p = NULL;
		cc_pool pool;
		cc_pool_init(&pool);
		risk[k] = calloc(c->nops + 1, sizeof *risk[k]);
		int rc = cc_policy_load(&p, yaml, NULL, c, &diag);
		if (rc == 0)
			rc = cc_policy_emit(p, c, &pool, &sec[k], risk[k], &diag);
		check(rc == 0, "determinism: %s: %.*s", yaml, (int)diag.len,
		      diag.p ? (const char *)diag.p : "");
		cc_policy_free(p);
		cc_pool_free(&pool);
		cc_buf_free(&diag);
	}
	check(sec[0].len == sec[1].len && sec[0].len &&
	      memcmp(sec[0].p, sec[1].p, sec[0].len) == 0,
	      "determinism: two compilations differ");
	uint32_t same = 0;
	for (uint32_t i = 0; i < c->nops; i++)
		same += risk[0][i] == risk[1][i] && risk[0][i] == c->ops[i].risk;
	check(same == c->nops, "determinism: %u of %u risk words differ from the "
	      "build's", c->nops - same, c->nops);
	for (int k = 0; k < 2; k++) {
		cc_buf_free(&sec[k]);
		free(risk[k]);
	}
}

/* ---- 6. API edges ------------------------------------------------------ */

static void test_api(const alc_catalog *c)
{
	rt_policy *p = NULL;
	check(rt_policy_open(&p, c, 0, NULL, 0) == 0, "api: open");
	rt_decision d;
	rt_call none = { 0 };
	check(rt_policy_decide(p, &none, 0, &d) == AL_EINVAL, "api: NULL op");
	check(strcmp(alc_risk_name(9), "?") == 0 && strcmp(alc_effect_name(2),
	      "require_approval") == 0, "api: names");
	check(rt_policy_rule_id(p, 0xffffff)[0] == '\0', "api: rule id out of range");
	/* a deep input does not overflow anything */
	size_t depth = 5000;
	char *deep = malloc(depth * 8 + 16);
	size_t o = 0;
	for (size_t i = 0; i < depth; i++)
		o += (size_t)sprintf(deep + o, "{\"a\":");
	o += (size_t)sprintf(deep + o, "1");
	for (size_t i = 0; i < depth; i++)
		deep[o++] = '}';
	deep[o] = '\0';
	cJSON *in = cJSON_Parse(deep);   /* NULL: cJSON's own nesting limit */
	rt_call call = { op_of(c, "ec2", "RunInstances"), in, "us-east-1",
	                 "222222222222", NULL };
	check(rt_policy_decide(p, &call, RT_DECIDE_EXPLAIN, &d) == 0, "api: deep input");
	cJSON_Delete(in);
	free(deep);
	/* a wide object takes the sorted duplicate check */
	cJSON *wide = cJSON_CreateObject();
	char k[32];
	for (int i = 0; i < 500; i++) {
		snprintf(k, sizeof k, "k%d", i);
		cJSON_AddNumberToObject(wide, k, i);
	}
	call.input = wide;
	rt_policy_decide(p, &call, 0, &d);
	check(strcmp(d.rule, "duplicate-key") != 0, "api: 500 distinct keys taken "
	      "for duplicates");
	cJSON_AddNumberToObject(wide, "k250", 1);
	rt_policy_decide(p, &call, 0, &d);
	check(strcmp(d.rule, "duplicate-key") == 0 && d.effect == ALC_EFFECT_DENY,
	      "api: a duplicate among 501 keys missed (%s)", d.rule);
	cJSON_Delete(wide);
	/* more values than a path may visit: unknown, which counts against
	 * the call -- a deny rule holds, an allow rule does not */
	cJSON *many = cJSON_CreateObject(), *ids = cJSON_AddArrayToObject(many, "InstanceIds");
	for (int i = 0; i < 100001; i++)
		cJSON_AddItemToArray(ids, cJSON_CreateString("i-dev1"));
	cJSON_AddItemToArray(ids, cJSON_CreateString("i-prod9"));
	call.op = op_of(c, "ec2", "TerminateInstances");
	call.input = many;
	rt_policy_decide(p, &call, 0, &d);
	check(d.effect == ALC_EFFECT_DENY && strcmp(d.rule, "deny-prod-terminate") == 0,
	      "api: a value past the visiting bound escaped a deny rule (%s %s)",
	      alc_effect_name(d.effect), d.rule);
	cJSON_Delete(many);
	rt_policy_close(p);
}

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: test_policy FULL.alc RULES.alc RULES.yaml\n");
		return 2;
	}
	alc_catalog full, rules;
	alc_diag d;
	if (alc_open(&full, argv[1], &d) != 0) {
		fprintf(stderr, "test_policy: %s: %s\n", argv[1], d.msg);
		return 1;
	}
	if (alc_open(&rules, argv[2], &d) != 0) {
		fprintf(stderr, "test_policy: %s: %s\n", argv[2], d.msg);
		return 1;
	}
	test_risk(&full);
	test_tags(&full);
	test_checker(argv[2]);
	test_patterns(&rules);
	test_determinism(&rules, argv[3]);
	test_api(&rules);
	alc_close(&full);
	alc_close(&rules);
	printf("%d checks, %d failures\n", checks, failures);
	return failures ? 1 : 0;
}
