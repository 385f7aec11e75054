/*
 * rt_search.c -- ranked operation search over the catalog (see rt_search.h).
 *
 * Index (built once per handle, at the first query or rt_search_build;
 * about 10 ms and 3.4 MB for the full AWS catalog):
 *   - a term dictionary: open addressing over interned ASCII strings; every
 *     string the search ever compares (stemmed words, raw words, service
 *     aliases, whole operation names, rule words) has one term id;
 *   - postings in CSR form (start[term] .. start[term+1]), all sorted by
 *     index (records are indexed in order; the CSR fill is a stable
 *     counting sort):
 *       NAME   ops whose name has the (stemmed) word: CamelCase and
 *              acronyms split, "DescribeDBInstances" -> describ db instanc;
 *       SUM    ops whose summary has the word;
 *       EXACT  ops whose whole lower-cased name is the term ("listbuckets");
 *       SVX    services named exactly by the term (key, sdk-id, CLI name,
 *              endpoint prefix, each also without '-'), with a strength: 1,
 *              or less when more than 8 other services use the word in
 *              their operation names ("logs", "events", "account");
 *       TITLE  services whose title, sdk-id or key has the stemmed word;
 *   - a forward index op -> name terms (for deferred groups, below);
 *   - per operation: name length in words, BM25 length norms, its verb
 *     (first name word), flags (read, deprecated, versioned, plural);
 *   - the rule table compiled to term ids: verb synonyms, phrases ("who am
 *     i"), hints from common nouns to the service most people mean
 *     ("bucket" -> s3); a popularity prior per service.
 *
 * Query (no allocation; at most RT_SEARCH_MAX_QUERY bytes and
 * RT_SEARCH_MAX_WORDS words are read):
 *   1. ASCII words, lower-cased, each with a raw and a stemmed form; a
 *      CamelCase word that is not a known word is also split into its
 *      parts ("ListBuckets").  Words after a preposition weigh half
 *      ("put events ON a bus"), until the next verb.
 *   2. Phrase rules (two words or more): "who am i", "ebs volume", ...
 *   3. Service names: the longest run of 1-3 words that, joined with '-' or
 *      with nothing, names a service ("route 53", "secrets manager", "step
 *      functions").  A proper name (s3, ec2) is consumed and hints its
 *      service with EXPLICIT_SCALE; an alias that is also a noun of the
 *      service's own API (logs, events, email) hints and stays a word.
 *   4. Single-word rules: each replaces its word by groups of weighted
 *      alternatives ("show" -> {show, list .9, describ .9, get .7}) and/or
 *      hints a service.
 *   5. Every other non-stopword gives a group {stem}, and, when it and the
 *      next word concatenate to a name word ("node group"), that too.
 *   6. Scoring, per group: the best alternative's BM25 weight in NAME plus
 *      its best in SUM (binary term frequency, length-normalised per
 *      field; a summary match counts SUM_WITH_NAME when the name matched
 *      too), times the alternative's weight; an alternative's idf is capped
 *      by the group's primary word's.  Groups whose NAME postings exceed
 *      DEFER_POSTINGS (verbs: list, get, describe) are scored only on the
 *      operations the other groups and hints reached, through the forward
 *      index: most of the work of a query saved, and an op that matches
 *      nothing but "list" could not rank anyway.  Then: service hints,
 *      name coverage (matched name words / name words), verb agreement
 *      (op verb among the query verb's alternatives), number agreement
 *      ("stacks" -> DescribeStacks), exact name, popularity prior (breaks
 *      near-ties towards the common control-plane service), newer API
 *      generation (V2); penalties: access-class disagreement ("delete" vs
 *      a read op), deprecated (x DEPRECATED_FACTOR).
 *   7. The best CAP hits by (score desc, op asc) through a binary heap on
 *      the caller's array, then sorted.
 *
 * Work bound per query: the postings of at most RT_MAX_GROUPS x
 * RT_MAX_ALTS terms (common groups: the name terms of the reached ops)
 * plus the operations of at most RT_MAX_HINTS services; in practice a few
 * thousand postings, 5-30 microseconds.
 */
#include "rt_search.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "alc_err.h"
#include "alc_policy.h"

/* ---- limits and weights ---------------------------------------------- */

#define RT_TOK_MAX 40u       /* longest query word kept (bytes) */
#define RT_MAX_GROUPS 48u    /* groups of alternatives per query */
#define RT_MAX_ALTS 8u       /* alternatives per group */
#define RT_MAX_HINTS 16u     /* service hints per query */
#define RT_TERM_MAX 160u     /* longest interned term */
_Static_assert(RT_MAX_GROUPS <= 64, "deferred groups are a 64-bit mask");

#define W_NAME 1.0f          /* BM25 weight of a name word */
#define W_SUM 0.30f          /* ... of a summary word */
#define W_SVC 6.0f           /* service hinted with strength 1 */
#define EXPLICIT_SCALE 1.5f  /* a service named by its proper name ("s3",
                                "secrets manager") counts this much more
                                than a hint from a noun ("bucket") */
#define W_COV 3.0f           /* every name word matched */
#define W_VERB 2.0f          /* op verb is the query's verb */
#define W_EXACT 8.0f         /* whole op name typed */
#define W_PRIOR 0.8f         /* popularity prior (x table weight <= 1) */
#define W_ACCESS 1.5f        /* query verb class != op access class */
#define W_VERSION 0.15f      /* newer generation of an API (ListObjectsV2) */
#define W_NUMBER 0.6f        /* query noun and op's last word agree in number */
#define SUM_WITH_NAME 0.3f   /* summary weight when the name matched too */
#define CONTEXT_WEIGHT 0.5f  /* words after a preposition ("... on a bus") */
#define OWN_SHARE 0.10f      /* alias is a word of >= this share of the
                                service's op names: also a search word */
#define DEPRECATED_FACTOR 0.6f
#define SUM_DF_CUT 10u       /* see score_group */
#define DEFER_POSTINGS 1500u /* see rt_search_run */
#define BM25_K1 1.2f
#define BM25_B_NAME 0.5f
#define BM25_B_SUM 0.75f

/* Operation flags kept per op. */
#define OPF_READ 0x01u
#define OPF_DEPRECATED 0x02u
#define OPF_VERSIONED 0x04u
#define OPF_PLURAL 0x08u     /* last name word is a plural ("Stacks") */

/* Verb classes of rules. */
#define VC_NONE 0
#define VC_READ 1
#define VC_WRITE 2

/* ---- rules -------------------------------------------------------------
 * match:  1-3 words, compared with the query's stemmed words.
 * expand: groups separated by ';', each a list of "word" or "word/weight"
 *         (weight 1 by default); words are stemmed at build.  NULL keeps
 *         the matched words as ordinary search words (a pure hint); ""
 *         drops them.
 * svc:    service key hinted, with strength svc_w (0 = none).
 * vclass: VC_READ / VC_WRITE when the rule is a verb. */
typedef struct rt_rule {
	const char *match;
	const char *expand;
	const char *svc;
	float svc_w;
	int vclass;
} rt_rule;

static const rt_rule rt_rules[] = {
	/* reading verbs */
	{ "list", "list describe/0.9 get/0.5", NULL, 0, VC_READ },
	{ "show", "show list/0.9 describe/0.9 get/0.7", NULL, 0, VC_READ },
	{ "display", "list/0.9 describe/0.9 get/0.7", NULL, 0, VC_READ },
	{ "view", "view list/0.8 describe/0.9 get/0.8", NULL, 0, VC_READ },
	{ "see", "list/0.8 describe/0.9 get/0.8", NULL, 0, VC_READ },
	{ "enumerate", "list describe/0.9", NULL, 0, VC_READ },
	{ "describe", "describe list/0.7 get/0.7", NULL, 0, VC_READ },
	{ "get", "get describe/0.6 list/0.4", NULL, 0, VC_READ },
	{ "get all", "list get/0.8 describe/0.9", NULL, 0, VC_READ },
	{ "fetch", "get describe/0.6", NULL, 0, VC_READ },
	{ "retrieve", "get retrieve describe/0.6", NULL, 0, VC_READ },
	{ "read", "read get/0.9 describe/0.6", NULL, 0, VC_READ },
	{ "download", "download get/0.9", NULL, 0, VC_READ },
	{ "check", "check get/0.6 describe/0.6", NULL, 0, VC_READ },
	{ "inspect", "describe get/0.8", NULL, 0, VC_READ },
	{ "find", "find search/0.8 list/0.6 describe/0.5 lookup/0.6", NULL, 0, VC_READ },
	{ "search", "search find/0.8 filter/0.7 query/0.6 lookup/0.6", NULL, 0, VC_READ },
	{ "look up", "lookup search/0.6 get/0.5", NULL, 0, VC_READ },
	{ "lookup", "lookup search/0.6 get/0.5", NULL, 0, VC_READ },
	{ "query", "query search/0.5 get/0.4", NULL, 0, VC_READ },
	{ "scan", "scan", NULL, 0, VC_READ },
	{ "receive", "receive get/0.5", NULL, 0, VC_READ },
	{ "poll", "receive/0.8 poll get/0.5", NULL, 0, VC_READ },
	/* writing verbs */
	{ "create", "create add/0.6 put/0.5 run/0.4 register/0.4 allocate/0.4 request/0.4", NULL, 0, VC_WRITE },
	{ "make", "create/0.9 put/0.5", NULL, 0, VC_WRITE },
	{ "add", "add create/0.8 attach/0.6 put/0.6 associate/0.5 register/0.4", NULL, 0, VC_WRITE },
	{ "new", "", NULL, 0, VC_NONE },
	{ "launch", "launch run/0.9 create/0.8 start/0.7", NULL, 0, VC_WRITE },
	{ "spin up", "run/0.9 create/0.8 start/0.7 launch", NULL, 0, VC_WRITE },
	{ "provision", "provision create/0.8 run/0.6", NULL, 0, VC_WRITE },
	{ "take", "create/0.8 take", NULL, 0, VC_WRITE },
	{ "start", "start run/0.8 invoke/0.6 execute/0.6", NULL, 0, VC_WRITE },
	{ "begin", "start/0.9 begin", NULL, 0, VC_WRITE },
	{ "kick off", "start/0.9 run/0.8", NULL, 0, VC_WRITE },
	{ "trigger", "trigger start/0.9 run/0.8 invoke/0.6", NULL, 0, VC_WRITE },
	{ "run", "run start/0.8 execute/0.8 invoke/0.7", NULL, 0, VC_WRITE },
	{ "execute", "execute run/0.8 start/0.8 invoke/0.7", NULL, 0, VC_WRITE },
	{ "invoke", "invoke run/0.6 execute/0.5", NULL, 0, VC_WRITE },
	{ "call", "invoke/0.9 call", NULL, 0, VC_WRITE },
	{ "stop", "stop", NULL, 0, VC_WRITE },
	{ "halt", "stop/0.9", NULL, 0, VC_WRITE },
	{ "pause", "stop/0.7 pause suspend/0.7", NULL, 0, VC_WRITE },
	{ "shut down", "stop/0.9", NULL, 0, VC_WRITE },
	{ "shutdown", "stop/0.9", NULL, 0, VC_WRITE },
	{ "kill", "terminate/0.8 stop/0.8 delete/0.6", NULL, 0, VC_WRITE },
	{ "terminate", "terminate delete/0.6 stop/0.4", NULL, 0, VC_WRITE },
	{ "delete", "delete remove/0.8 terminate/0.6 deregister/0.5", NULL, 0, VC_WRITE },
	{ "remove", "remove delete/0.9 detach/0.5 deregister/0.5", NULL, 0, VC_WRITE },
	{ "destroy", "delete/0.9 terminate/0.8 destroy", NULL, 0, VC_WRITE },
	{ "drop", "delete/0.9 drop", NULL, 0, VC_WRITE },
	{ "erase", "delete/0.9", NULL, 0, VC_WRITE },
	{ "get rid of", "delete/0.9 remove/0.8 terminate/0.6", NULL, 0, VC_WRITE },
	{ "purge", "purge delete/0.6", NULL, 0, VC_WRITE },
	{ "empty", "purge/0.8 delete/0.5", NULL, 0, VC_WRITE },
	{ "update", "update modify/0.9 put/0.6 set/0.5 change/0.5", NULL, 0, VC_WRITE },
	{ "modify", "modify update/0.9 put/0.5 change/0.5", NULL, 0, VC_WRITE },
	{ "change", "change update/0.9 modify/0.9 put/0.5 set/0.5", NULL, 0, VC_WRITE },
	{ "edit", "update/0.9 modify/0.9 put/0.5", NULL, 0, VC_WRITE },
	{ "alter", "update/0.9 modify/0.9", NULL, 0, VC_WRITE },
	{ "set", "set put/0.8 update/0.7 modify/0.6", NULL, 0, VC_WRITE },
	{ "configure", "put/0.7 update/0.7 set/0.6 configure", NULL, 0, VC_WRITE },
	{ "enable", "enable put/0.5 update/0.5", NULL, 0, VC_WRITE },
	{ "disable", "disable put/0.5 update/0.5", NULL, 0, VC_WRITE },
	{ "turn on", "enable/0.9 put/0.5 update/0.5", NULL, 0, VC_WRITE },
	{ "turn off", "disable/0.9 put/0.5 update/0.5", NULL, 0, VC_WRITE },
	{ "rename", "update/0.8 rename", NULL, 0, VC_WRITE },
	{ "scale", "scale update/0.6 set/0.5 modify/0.5", NULL, 0, VC_WRITE },
	{ "resize", "modify/0.8 update/0.8 resize", NULL, 0, VC_WRITE },
	{ "put", "put upload/0.6 create/0.4", NULL, 0, VC_WRITE },
	{ "store", "put/0.9 store create/0.5", NULL, 0, VC_WRITE },
	{ "save", "put/0.9 save create/0.5", NULL, 0, VC_WRITE },
	{ "write", "write put/0.9", NULL, 0, VC_WRITE },
	{ "upload", "upload put/0.9", NULL, 0, VC_WRITE },
	{ "send", "send publish/0.7 put/0.6", NULL, 0, VC_WRITE },
	{ "post", "post send/0.8 publish/0.8 put/0.6", NULL, 0, VC_WRITE },
	{ "push", "push put/0.8 send/0.7", NULL, 0, VC_WRITE },
	{ "publish", "publish put/0.6 send/0.6", NULL, 0, VC_WRITE },
	{ "copy", "copy clone/0.7", NULL, 0, VC_WRITE },
	{ "clone", "clone copy/0.8", NULL, 0, VC_WRITE },
	{ "duplicate", "copy/0.9 clone/0.8", NULL, 0, VC_WRITE },
	{ "reboot", "reboot restart/0.9", NULL, 0, VC_WRITE },
	{ "restart", "restart reboot/0.9", NULL, 0, VC_WRITE },
	{ "tag", "tag/0.5 create/0.6 add/0.5;tag", NULL, 0, VC_WRITE },
	{ "untag", "untag delete/0.6 remove/0.5;tag", NULL, 0, VC_WRITE },
	{ "attach", "attach associate/0.6 add/0.5", NULL, 0, VC_WRITE },
	{ "detach", "detach disassociate/0.6 remove/0.5", NULL, 0, VC_WRITE },
	{ "register", "register create/0.5", NULL, 0, VC_WRITE },
	{ "open", "open authorize/0.7 create/0.4", NULL, 0, VC_WRITE },
	{ "allow", "allow authorize/0.8 grant/0.6", NULL, 0, VC_WRITE },
	{ "close", "close revoke/0.6 delete/0.5", NULL, 0, VC_WRITE },
	{ "block", "block revoke/0.6", NULL, 0, VC_WRITE },
	{ "invalidate", "create/0.6 invalidate/0.5;invalidation invalidate", NULL, 0, VC_WRITE },
	{ "grant", "grant authorize/0.6 add/0.5", NULL, 0, VC_WRITE },
	{ "revoke", "revoke", NULL, 0, VC_WRITE },
	{ "restore", "restore", NULL, 0, VC_WRITE },
	{ "import", "import", NULL, 0, VC_WRITE },
	{ "export", "export", NULL, 0, VC_WRITE },
	{ "cancel", "cancel stop/0.6", NULL, 0, VC_WRITE },
	{ "rotate", "rotate", NULL, 0, VC_WRITE },
	{ "subscribe", "subscribe", NULL, 0, VC_WRITE },
	{ "unsubscribe", "unsubscribe", NULL, 0, VC_WRITE },
	{ "encrypt", "encrypt", NULL, 0, VC_WRITE },
	{ "decrypt", "decrypt", NULL, 0, VC_WRITE },
	/* identity */
	{ "who am i", "caller;identity", "sts", 1.0f, VC_READ },
	{ "whoami", "caller;identity", "sts", 1.0f, VC_READ },
	{ "my identity", "caller;identity", "sts", 0.8f, VC_NONE },
	{ "current identity", "caller;identity", "sts", 0.8f, VC_NONE },
	{ "caller identity", "caller;identity", "sts", 0.8f, VC_NONE },
	{ "account id", "caller;identity", "sts", 0.8f, VC_NONE },
	{ "account number", "caller;identity", "sts", 0.8f, VC_NONE },
	{ "which account", "caller;identity", "sts", 0.8f, VC_NONE },
	{ "credentials", "credential token/0.6 session/0.4", "sts", 0.4f, VC_NONE },
	{ "temporary", "temporary session/0.6", "sts", 0.3f, VC_NONE },
	/* nouns and phrases: what they mean in AWS terms */
	{ "parameter store", "parameter/0.5", "ssm", 1.0f, VC_NONE },
	{ "run command", "send/0.9 run;command", "ssm", 0.6f, VC_WRITE },
	{ "elastic ip", "address", "ec2", 0.6f, VC_NONE },
	{ "eip", "address", "ec2", 0.6f, VC_NONE },
	{ "ami", "image/0.9 ami", "ec2", 0.5f, VC_NONE },
	{ "machine image", "image", "ec2", 0.5f, VC_NONE },
	{ "virtual machine", "instance/0.9", "ec2", 0.6f, VC_NONE },
	{ "vm", "instance/0.9", "ec2", 0.6f, VC_NONE },
	{ "server", "server instance/0.6", NULL, 0, VC_NONE },
	{ "ebs volume", "volume", "ec2", 0.6f, VC_NONE },
	{ "ebs snapshot", "snapshot", "ec2", 0.6f, VC_NONE },
	{ "port", "port ingress/0.6", NULL, 0, VC_NONE },
	{ "pattern", "pattern filter/0.6", NULL, 0, VC_NONE },
	{ "inbound", "ingress/0.9 inbound", NULL, 0, VC_NONE },
	{ "outbound", "egress/0.9 outbound", NULL, 0, VC_NONE },
	{ "firewall rule", "security/0.7;rule ingress/0.5", "ec2", 0.3f, VC_NONE },
	{ "database", "database db/0.9", "rds", 0.4f, VC_NONE },
	{ "db", "db database/0.9", "rds", 0.4f, VC_NONE },
	{ "file", "file object/0.6", NULL, 0, VC_NONE },
	{ "files", "file object/0.6", NULL, 0, VC_NONE },
	{ "folder", "object/0.5 prefix/0.5", "s3", 0.3f, VC_NONE },
	{ "dns record", "resource/0.8;record;set/0.8", "route-53", 0.8f, VC_NONE },
	{ "dns", "dns", "route-53", 0.6f, VC_NONE },
	{ "domain", "domain", "route-53", 0.2f, VC_NONE },
	{ "ssl", "certificate/0.9", "acm", 0.6f, VC_NONE },
	{ "tls", "certificate/0.9", "acm", 0.6f, VC_NONE },
	{ "cert", "certificate", "acm", 0.6f, VC_NONE },
	{ "login", "login authorization/0.6", NULL, 0, VC_NONE },
	{ "spend", "cost usage/0.6", "cost-explorer", 0.6f, VC_NONE },
	{ "spending", "cost usage/0.6", "cost-explorer", 0.6f, VC_NONE },
	{ "cost", "cost", "cost-explorer", 0.5f, VC_NONE },
	{ "bill", "cost billing/0.6", "cost-explorer", 0.5f, VC_NONE },
	{ "k8s", "", "eks", 1.0f, VC_NONE },
	{ "kubernetes", "", "eks", 1.0f, VC_NONE },
	{ "cdn", "distribution/0.6", "cloudfront", 0.8f, VC_NONE },
	{ "email", "email", "sesv2", 0.4f, VC_NONE },
	/* common nouns -> the service most people mean (hints only) */
	{ "bucket", NULL, "s3", 0.5f, VC_NONE },
	{ "object", NULL, "s3", 0.3f, VC_NONE },
	{ "stack", NULL, "cloudformation", 0.5f, VC_NONE },
	{ "template", NULL, "cloudformation", 0.3f, VC_NONE },
	{ "function", NULL, "lambda", 0.4f, VC_NONE },
	{ "instance", NULL, "ec2", 0.3f, VC_NONE },
	{ "security group", NULL, "ec2", 0.5f, VC_NONE },
	{ "vpc", NULL, "ec2", 0.4f, VC_NONE },
	{ "subnet", NULL, "ec2", 0.4f, VC_NONE },
	{ "key pair", NULL, "ec2", 0.5f, VC_NONE },
	{ "volume", NULL, "ec2", 0.3f, VC_NONE },
	{ "availability zone", NULL, "ec2", 0.4f, VC_NONE },
	{ "region", NULL, "ec2", 0.2f, VC_NONE },
	{ "table", NULL, "dynamodb", 0.3f, VC_NONE },
	{ "item", NULL, "dynamodb", 0.4f, VC_NONE },
	{ "topic", NULL, "sns", 0.4f, VC_NONE },
	{ "queue", NULL, "sqs", 0.4f, VC_NONE },
	{ "alarm", NULL, "cloudwatch", 0.4f, VC_NONE },
	{ "metric", NULL, "cloudwatch", 0.4f, VC_NONE },
	{ "log", NULL, "cloudwatch-logs", 0.4f, VC_NONE },
	{ "log group", NULL, "cloudwatch-logs", 0.6f, VC_NONE },
	{ "log stream", NULL, "cloudwatch-logs", 0.6f, VC_NONE },
	{ "secret", NULL, "secrets-manager", 0.5f, VC_NONE },
	{ "parameter", NULL, "ssm", 0.3f, VC_NONE },
	{ "hosted zone", NULL, "route-53", 0.6f, VC_NONE },
	{ "user", NULL, "iam", 0.3f, VC_NONE },
	{ "role", NULL, "iam", 0.3f, VC_NONE },
	{ "policy", NULL, "iam", 0.2f, VC_NONE },
	{ "access key", NULL, "iam", 0.5f, VC_NONE },
	{ "key", NULL, "kms", 0.2f, VC_NONE },
	{ "container", NULL, "ecs", 0.3f, VC_NONE },
	{ "task", NULL, "ecs", 0.3f, VC_NONE },
	{ "task definition", NULL, "ecs", 0.6f, VC_NONE },
	{ "pod", NULL, "eks", 0.5f, VC_NONE },
	{ "node group", NULL, "eks", 0.6f, VC_NONE },
	{ "image", NULL, "ec2", 0.2f, VC_NONE },
	{ "repository", NULL, "ecr", 0.3f, VC_NONE },
	{ "state machine", NULL, "sfn", 0.6f, VC_NONE },
	{ "workflow", NULL, "sfn", 0.2f, VC_NONE },
	{ "pipeline", NULL, "codepipeline", 0.3f, VC_NONE },
	{ "build", NULL, "codebuild", 0.3f, VC_NONE },
	{ "certificate", NULL, "acm", 0.4f, VC_NONE },
	{ "trail", NULL, "cloudtrail", 0.5f, VC_NONE },
	{ "event bus", NULL, "eventbridge", 0.6f, VC_NONE },
	{ "distribution", NULL, "cloudfront", 0.4f, VC_NONE },
	{ "invalidation", NULL, "cloudfront", 0.5f, VC_NONE },
	{ "user pool", NULL, "cognito-identity-provider", 0.6f, VC_NONE },
	{ "load balancer", NULL, "elastic-load-balancing-v2", 0.5f, VC_NONE },
	{ "target group", NULL, "elastic-load-balancing-v2", 0.5f, VC_NONE },
	{ "auto scaling group", NULL, "auto-scaling", 0.6f, VC_NONE },
	{ "organization", NULL, "organizations", 0.5f, VC_NONE },
	{ "stream", NULL, "kinesis", 0.2f, VC_NONE },
	{ "model", NULL, "bedrock-runtime", 0.2f, VC_NONE },
};

/* Popularity prior: services an agent most often means.  Weights <= 1; it
 * only breaks near-ties (W_PRIOR is below one name word's weight). */
typedef struct rt_prior {
	const char *svc;
	float w;
} rt_prior;

static const rt_prior rt_priors[] = {
	{ "s3", 1.0f }, { "ec2", 1.0f }, { "iam", 1.0f }, { "sts", 0.8f },
	{ "lambda", 1.0f }, { "dynamodb", 0.9f }, { "cloudformation", 0.9f },
	{ "cloudwatch", 0.8f }, { "cloudwatch-logs", 0.8f }, { "sqs", 0.8f },
	{ "sns", 0.8f }, { "rds", 0.8f }, { "ecs", 0.7f }, { "eks", 0.7f },
	{ "kms", 0.7f }, { "secrets-manager", 0.7f }, { "ssm", 0.7f },
	{ "route-53", 0.7f }, { "ecr", 0.6f },
	{ "elastic-load-balancing-v2", 0.6f }, { "cloudfront", 0.6f },
	{ "sesv2", 0.6f }, { "organizations", 0.5f }, { "cloudtrail", 0.5f },
	{ "sfn", 0.5f }, { "eventbridge", 0.5f }, { "api-gateway", 0.5f },
	{ "auto-scaling", 0.5f }, { "acm", 0.5f }, { "elasticache", 0.4f },
	{ "efs", 0.4f }, { "kinesis", 0.4f }, { "athena", 0.4f },
	{ "glue", 0.4f }, { "cost-explorer", 0.4f },
	{ "cognito-identity-provider", 0.4f }, { "codebuild", 0.4f },
	{ "codepipeline", 0.4f }, { "bedrock-runtime", 0.4f },
	{ "sagemaker", 0.3f }, { "config-service", 0.3f }, { "backup", 0.3f },
};

/* Words that carry no meaning for search, in queries and in summaries. */
static const char *const rt_stopwords[] = {
	"a", "about", "all", "am", "an", "and", "any", "are", "as", "at", "aws",
	"amazon", "be", "been", "by", "can", "could", "currently", "did", "do",
	"does", "each", "every", "exist", "existing", "for", "from", "have",
	"help", "how", "i", "im", "in", "into", "is", "it", "its", "just",
	"let", "lets", "like", "many", "me", "much", "my", "need", "of", "on",
	"one", "onto", "or", "our", "out", "over", "please", "should", "so",
	"some", "specified", "than", "that", "the", "their", "them", "then",
	"there", "these", "they", "this", "those", "to", "under", "up", "us",
	"using", "via", "want", "was", "we", "what", "when", "where", "which",
	"who", "whose", "will", "with", "would", "you", "your", "between",
	"web", "within", "across", "also", "given",
	"inside",
};

/* Words after which the query names context rather than its object:
 * "put events ON a bus", "delete an item FROM a table". */
static const char *const rt_prepositions[] = {
	"on", "in", "into", "onto", "to", "from", "of", "for", "with", "by",
	"between", "at", "within", "across", "inside", "via", "using", "under",
	"over",
};

/* Words of operation names not counted as name words ("GetCostAndUsage"). */
static const char *const rt_name_stop[] = {
	"and", "by", "for", "from", "in", "of", "on", "or", "to", "with",
};

/* Title words that name no service in particular. */
static const char *const rt_title_stop[] = {
	"amazon", "aws", "service", "services", "the", "for", "and", "of", "a",
	"an", "on", "with", "to", "in", "by", "sdk", "api", "apis", "web",
	"v2", "management", "manager", "data", "cloud", "elastic", "simple",
};

/* ---- index structures --------------------------------------------------- */

typedef struct dict {
	uint32_t *slots;     /* term id + 1; 0 = empty */
	uint32_t mask;       /* slot count - 1 (power of two) */
	uint32_t *hash;      /* per term */
	uint32_t *off;       /* per term: offset of its text */
	uint16_t *len;       /* per term: length */
	uint32_t n, cap;     /* terms, capacity of the per-term arrays */
	char *text;
	size_t tlen, tcap;
} dict;

typedef struct csr {
	uint32_t *start;     /* nterms + 1 */
	uint32_t *ent;
} csr;

typedef struct crule {
	uint32_t w[3];       /* match: stemmed word term ids */
	uint32_t nw;
	uint32_t first_alt;  /* into alt_term / alt_w; groups separated by */
	uint32_t nalt;       /* ALC_NONE terms */
	int has_expand;
	uint32_t svc;        /* SVCS index or ALC_NONE */
	float svc_w;
	int vclass;
} crule;

typedef struct qword {
	char raw[RT_TOK_MAX];
	char st[RT_TOK_MAX];
	uint8_t rawlen, stlen;
	uint8_t used;        /* consumed by a service name or an expanding rule */
	uint8_t plural;      /* raw form is a plural of the stem */
	float w;             /* 1, or CONTEXT_WEIGHT after a preposition */
	uint8_t ruled;       /* matched by a hint-only rule */
	uint8_t stop;
	uint32_t raw_id, st_id;
	uint32_t weak_svc_term; /* term of a weak service alias, or ALC_NONE */
} qword;

typedef struct qgroup {
	uint32_t term[RT_MAX_ALTS];
	float w[RT_MAX_ALTS];
	uint32_t n;
	int vclass;
} qgroup;

/* Per-operation scratch, one record per op so that a posting touches one
 * cache line: the query's and the current group's marks and sums. */
typedef struct opscratch {
	uint32_t qmark;      /* query epoch when acc/nhits are valid */
	uint32_t gmark;      /* group epoch when gname/gsum are valid */
	float acc;
	float gname, gsum;
	uint32_t nhits;      /* groups that matched the name */
} opscratch;

typedef struct qhint {
	uint32_t svc;
	float w;
} qhint;

struct rt_search {
	const alc_catalog *cat;
	int built;               /* 1 once the index is built */
	size_t bytes;            /* footprint */

	dict d;
	csr name, sum, exact, svx, title;
	float *svx_w;            /* strength per svx entry */
	float *idf_name, *idf_sum; /* per term */
	uint8_t *is_stop;        /* per term: query/summary stopword */
	uint8_t *is_prep;        /* per term: preposition */
	uint8_t *is_verb;        /* per term: first word of a verb rule */

	/* per operation */
	uint32_t *fwd_start;     /* nops + 1: op -> its name terms */
	uint32_t *fwd_term;
	uint8_t *op_nlen;
	uint8_t *op_flags;
	uint32_t *op_verb;
	uint32_t *op_svc;        /* SVCS index: queries never read OPS */
	float *op_nnorm, *op_snorm;

	float *svc_prior;        /* per service */

	crule *rules;
	uint32_t nrules;
	uint32_t *rule_order;    /* rule indexes sorted by first word term */
	uint32_t *alt_term;
	float *alt_w;
	uint32_t nalts;

	/* scratch, reused by every query */
	opscratch *ox;
	uint32_t *touched, *gtouched;
	uint32_t ntouched, ngtouched;
	uint32_t epoch, gepoch;
	uint32_t *tmark;         /* per term: deferred group stamp */
	uint8_t *talt;           /* per term: its alternative in that group */
	uint32_t tstamp;
	qword words[RT_SEARCH_MAX_WORDS];
	qgroup groups[RT_MAX_GROUPS];
	qhint hints[RT_MAX_HINTS];
	uint32_t nwords, ngroups, nhints;
	int qverb_group;         /* index of the query's verb group or -1 */
	int qvclass;
	int qnumber;             /* 0 unknown, 1 singular, 2 plural */
};

/* ---- small helpers ------------------------------------------------------ */

static uint32_t fnv1a(const char *s, size_t n)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < n; i++) {
		h ^= (uint8_t)s[i];
		h *= 16777619u;
	}
	return h;
}

static int is_lower(int c) { return c >= 'a' && c <= 'z'; }
static int is_upper(int c) { return c >= 'A' && c <= 'Z'; }
static int is_digit(int c) { return c >= '0' && c <= '9'; }
static int is_alnum(int c) { return is_lower(c) || is_upper(c) || is_digit(c); }
static char to_lower(char c) { return is_upper(c) ? (char)(c + 32) : c; }

/* Light stemmer for ASCII lower-case words; the same on both sides (index
 * and query), so it only has to be consistent, not linguistically right.
 * Words of 3 letters or fewer and words with digits are kept.  Rules, in
 * order: plurals (-ies -> -y, -sses/-xes/-ches/-shes/-uses drop -es, -s
 * unless -ss/-us/-is/-as); verb forms (-ied -> -y, -ing, -ed, undoubling a
 * final consonant: running -> run); a final -e (delete/deleting -> delet).
 * Returns the new length. */
static size_t stem(char *w, size_t n)
{
	if (n <= 3)
		return n;
	for (size_t i = 0; i < n; i++)
		if (!is_lower(w[i]))
			return n;
#define ENDS(s) (n >= sizeof(s) - 1 && memcmp(w + n - (sizeof(s) - 1), s, sizeof(s) - 1) == 0)
	if (ENDS("ies") && n > 4) {
		n -= 3;
		w[n++] = 'y';
	} else if (ENDS("sses") || ENDS("xes") || ENDS("ches") || ENDS("shes") ||
	           ENDS("uses")) {
		n -= 2;
	} else if (ENDS("s") && !ENDS("ss") && !ENDS("us") && !ENDS("is") &&
	           !ENDS("as")) {
		n -= 1;
	}
	if (ENDS("ied") && n > 4) {
		n -= 3;
		w[n++] = 'y';
	} else if (ENDS("ing") && n >= 6) {
		n -= 3;
		if (w[n - 1] == w[n - 2] && w[n - 1] != 'l' && w[n - 1] != 's' &&
		    w[n - 1] != 'z' && !strchr("aeiou", w[n - 1]))
			n--;
	} else if (ENDS("ed") && n >= 5 && !ENDS("eed")) {
		n -= 2;
		if (w[n - 1] == w[n - 2] && w[n - 1] != 'l' && w[n - 1] != 's' &&
		    w[n - 1] != 'z' && !strchr("aeiou", w[n - 1]))
			n--;
	}
	if (n > 3 && w[n - 1] == 'e')
		n--;
#undef ENDS
	return n;
}

/* ---- dictionary --------------------------------------------------------- */

static void dict_free(dict *d)
{
	free(d->slots);
	free(d->hash);
	free(d->off);
	free(d->len);
	free(d->text);
	memset(d, 0, sizeof *d);
}

static int dict_init(dict *d, uint32_t slots)
{
	memset(d, 0, sizeof *d);
	d->slots = calloc(slots, sizeof *d->slots);
	d->mask = slots - 1;
	d->cap = slots / 2;
	d->hash = malloc(d->cap * sizeof *d->hash);
	d->off = malloc(d->cap * sizeof *d->off);
	d->len = malloc(d->cap * sizeof *d->len);
	d->tcap = (size_t)slots * 8;
	d->text = malloc(d->tcap);
	if (!d->slots || !d->hash || !d->off || !d->len || !d->text)
		return AL_ENOMEM;
	return 0;
}

static uint32_t dict_find_h(const dict *d, const char *s, size_t n, uint32_t h)
{
	for (uint32_t i = h & d->mask;; i = (i + 1) & d->mask) {
		uint32_t v = d->slots[i];
		if (v == 0)
			return ALC_NONE;
		v--;
		if (d->hash[v] == h && d->len[v] == n &&
		    memcmp(d->text + d->off[v], s, n) == 0)
			return v;
	}
}

static uint32_t dict_find(const dict *d, const char *s, size_t n)
{
	if (n == 0 || n > RT_TERM_MAX)
		return ALC_NONE;
	return dict_find_h(d, s, n, fnv1a(s, n));
}

/* Grow to twice the slots, keeping the table at most half full, so a probe
 * always meets an empty slot. */
static int dict_grow(dict *d)
{
	uint32_t nslots = (d->mask + 1) * 2;
	uint32_t *slots = calloc(nslots, sizeof *slots);
	uint32_t ncap = nslots / 2;
	uint32_t *hash = realloc(d->hash, ncap * sizeof *hash);
	if (hash)
		d->hash = hash;
	uint32_t *off = realloc(d->off, ncap * sizeof *off);
	if (off)
		d->off = off;
	uint16_t *len = realloc(d->len, ncap * sizeof *len);
	if (len)
		d->len = len;
	if (!slots || !hash || !off || !len) {
		free(slots);
		return AL_ENOMEM;
	}
	for (uint32_t t = 0; t < d->n; t++) {
		uint32_t i = d->hash[t] & (nslots - 1);
		while (slots[i])
			i = (i + 1) & (nslots - 1);
		slots[i] = t + 1;
	}
	free(d->slots);
	d->slots = slots;
	d->mask = nslots - 1;
	d->cap = ncap;
	return 0;
}

/* Term id of S, interned when new; ALC_NONE when S is empty or too long,
 * or on allocation failure (*err set). */
static uint32_t dict_intern(dict *d, const char *s, size_t n, int *err)
{
	if (n == 0 || n > RT_TERM_MAX)
		return ALC_NONE;
	uint32_t h = fnv1a(s, n);
	uint32_t t = dict_find_h(d, s, n, h);
	if (t != ALC_NONE)
		return t;
	if (d->n + 1 > d->cap && dict_grow(d) != 0) {
		*err = AL_ENOMEM;
		return ALC_NONE;
	}
	if (d->tlen + n > d->tcap) {
		size_t ncap = d->tcap * 2 + n;
		char *text = realloc(d->text, ncap);
		if (!text) {
			*err = AL_ENOMEM;
			return ALC_NONE;
		}
		d->text = text;
		d->tcap = ncap;
	}
	t = d->n++;
	memcpy(d->text + d->tlen, s, n);
	d->off[t] = (uint32_t)d->tlen;
	d->len[t] = (uint16_t)n;
	d->hash[t] = h;
	d->tlen += n;
	uint32_t i = h & d->mask;
	while (d->slots[i])
		i = (i + 1) & d->mask;
	d->slots[i] = t + 1;
	return t;
}

/* ---- term runs collected during the build ------------------------------ */

/* The terms that each record (service or operation) gives one field, the
 * records in index order: record r owns t[start[r]] .. t[start[r + 1] - 1].
 * Records are visited once, in order, so the record of an entry is implied
 * by its position: half the memory of (term, record) pairs, and for
 * operation names the runs are already the forward index (op -> terms). */
typedef struct tvec {
	uint32_t *t;
	size_t n, cap;
	uint32_t *start;     /* nrec + 1 */
	uint32_t nrec;
} tvec;

/* CAP is a first guess from the catalog's counts; the vector grows past it
 * when needed.  (Untouched capacity costs address space, not memory.) */
static int tvec_init(tvec *v, uint32_t nrec, size_t cap)
{
	v->n = 0;
	v->cap = cap ? cap : 1;
	v->nrec = nrec;
	v->t = malloc(v->cap * sizeof *v->t);
	v->start = malloc(((size_t)nrec + 1) * sizeof *v->start);
	return v->t && v->start ? 0 : AL_ENOMEM;
}

static void tvec_free(tvec *v)
{
	free(v->t);
	free(v->start);
	memset(v, 0, sizeof *v);
}

/* Record R's run starts here (call for every record, in order). */
static void tvec_begin(tvec *v, uint32_t r)
{
	v->start[r] = (uint32_t)v->n;
}

static void tvec_end(tvec *v)
{
	v->start[v->nrec] = (uint32_t)v->n;
}

static int tvec_push(tvec *v, uint32_t term)
{
	if (v->n == v->cap) {
		size_t ncap = v->cap + v->cap / 2 + 1024;
		uint32_t *t = realloc(v->t, ncap * sizeof *t);
		if (!t)
			return AL_ENOMEM;
		v->t = t;
		v->cap = ncap;
	}
	v->t[v->n++] = term;
	return 0;
}

/* CSR (term -> records) from runs by a stable counting sort on the term:
 * records come out in index order within a term.  When W is not NULL the
 * float weights WIN (one per entry of V) follow their entries into *W. */
static int csr_build(csr *c, const tvec *v, uint32_t nterms, const float *win,
                     float **w)
{
	c->start = calloc((size_t)nterms + 1, sizeof *c->start);
	c->ent = malloc((v->n ? v->n : 1) * sizeof *c->ent);
	if (w)
		*w = malloc((v->n ? v->n : 1) * sizeof **w);
	if (!c->start || !c->ent || (w && !*w))
		return AL_ENOMEM;
	for (size_t i = 0; i < v->n; i++)
		c->start[v->t[i] + 1]++;
	for (uint32_t t = 0; t < nterms; t++)
		c->start[t + 1] += c->start[t];
	/* fill using start[] as cursors, then shift back */
	for (uint32_t r = 0; r < v->nrec; r++)
		for (uint32_t i = v->start[r]; i < v->start[r + 1]; i++) {
			uint32_t at = c->start[v->t[i]]++;
			c->ent[at] = r;
			if (w)
				(*w)[at] = win[i];
		}
	for (uint32_t t = nterms; t > 0; t--)
		c->start[t] = c->start[t - 1];
	c->start[0] = 0;
	return 0;
}

static void csr_free(csr *c)
{
	free(c->start);
	free(c->ent);
	c->start = c->ent = NULL;
}

static uint32_t csr_len(const csr *c, uint32_t t)
{
	return c->start[t + 1] - c->start[t];
}

/* ---- read rule --------------------------------------------------------- */

/* The rule itself lives in formats/alc_policy.c, where the compiler (risk,
 * access) finds it too. */
int rt_op_is_read(const alc_catalog *cat, const alc_operation *op)
{
	return alc_op_is_read(alc_str(cat, op->name), op->flags);
}

/* ---- build ---------------------------------------------------------------- */

/* Dedupe stamps: one record (op or service) adds a term to a field once.
 * last[term] holds the stamp of the last record that added it; the field
 * is in the top bits so the fields do not mask each other. */
#define ST_NAME 0x00000000u
#define ST_SUM 0x40000000u
#define ST_TITLE 0x80000000u
#define ST_SVX 0xc0000000u

#define STOPSET_SLOTS 512u

typedef struct builder {
	rt_search *s;
	tvec name, sum, exact, svx, title;
	uint32_t *last;          /* per term: stamp of the last record seen */
	uint32_t *memo;          /* per raw word term: (stem term + 1) << 1 |
	                            stopword bit; 0 = not seen yet */
	uint32_t last_cap;       /* capacity of last and memo */
	uint16_t stopset[STOPSET_SLOTS]; /* rt_stopwords index + 1 */
	int err;
} builder;

static void stopset_init(builder *b)
{
	memset(b->stopset, 0, sizeof b->stopset);
	for (size_t i = 0; i < sizeof rt_stopwords / sizeof rt_stopwords[0]; i++) {
		const char *w = rt_stopwords[i];
		uint32_t h = fnv1a(w, strlen(w)) & (STOPSET_SLOTS - 1);
		while (b->stopset[h])
			h = (h + 1) & (STOPSET_SLOTS - 1);
		b->stopset[h] = (uint16_t)(i + 1);
	}
}

static int stopset_has(const builder *b, const char *w, size_t n)
{
	uint32_t h = fnv1a(w, n) & (STOPSET_SLOTS - 1);
	while (b->stopset[h]) {
		const char *x = rt_stopwords[b->stopset[h] - 1];
		if (x[0] == w[0] && strncmp(x, w, n) == 0 && x[n] == '\0')
			return 1;
		h = (h + 1) & (STOPSET_SLOTS - 1);
	}
	return 0;
}

static uint32_t intern(builder *b, const char *w, size_t n)
{
	uint32_t t = dict_intern(&b->s->d, w, n, &b->err);
	if (t != ALC_NONE && t >= b->last_cap) {
		uint32_t ncap = b->s->d.cap;
		uint32_t *last = realloc(b->last, ncap * sizeof *last);
		if (last)
			b->last = last;
		uint32_t *memo = realloc(b->memo, ncap * sizeof *memo);
		if (memo)
			b->memo = memo;
		if (!last || !memo) {
			b->err = AL_ENOMEM;
			return ALC_NONE;
		}
		memset(last + b->last_cap, 0xff, (ncap - b->last_cap) * sizeof *last);
		memset(memo + b->last_cap, 0, (ncap - b->last_cap) * sizeof *memo);
		b->last_cap = ncap;
	}
	return t;
}

/* Term of the stemmed form of the lower-case word LOW, through the memo
 * (a catalog has ~30k distinct words for ~250k occurrences, so most words
 * cost one hash).  *STOP tells whether LOW is a stopword. */
static uint32_t stem_term(builder *b, const char *low, size_t n, int *stop)
{
	*stop = 0;
	uint32_t r = intern(b, low, n);
	if (r == ALC_NONE)
		return ALC_NONE;
	uint32_t m = b->memo[r];
	if (m == 0) {
		char buf[RT_TERM_MAX];
		memcpy(buf, low, n);
		uint32_t st = intern(b, buf, stem(buf, n));
		if (st == ALC_NONE)
			return ALC_NONE;
		m = (st + 1) << 1 | (uint32_t)stopset_has(b, low, n);
		b->memo[r] = m;
	}
	*stop = (int)(m & 1);
	return (m >> 1) - 1;
}

static int in_list(const char *const *list, size_t count, const char *w,
                   size_t n)
{
	for (size_t i = 0; i < count; i++)
		if (list[i][0] == w[0] && strncmp(list[i], w, n) == 0 &&
		    list[i][n] == '\0')
			return 1;
	return 0;
}

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* Add T to the current record's run in V once per record (dedupe through
 * b->last with STAMP, see ST_*). */
static uint32_t add_term(builder *b, tvec *v, uint32_t t, uint32_t stamp)
{
	if (t == ALC_NONE)
		return ALC_NONE;
	if (b->last[t] != stamp) {
		b->last[t] = stamp;
		if (tvec_push(v, t) != 0)
			b->err = AL_ENOMEM;
	}
	return t;
}

/* Aliases of a service that name it exactly: key, sdk-id, CLI name and
 * endpoint prefix, lower-cased, each also without its separators. */
static void add_alias(builder *b, const char *a, uint32_t svc)
{
	char buf[RT_TERM_MAX];
	size_t n = strlen(a), m = 0;
	if (n == 0 || n > RT_TERM_MAX)
		return;
	for (size_t i = 0; i < n; i++)
		buf[i] = a[i] == ' ' ? '-' : to_lower(a[i]);
	add_term(b, &b->svx, intern(b, buf, n), ST_SVX | svc);
	for (size_t i = 0; i < n; i++)
		if (buf[i] != '-' && buf[i] != '.' && buf[i] != '_')
			buf[m++] = buf[i];
	if (m != n)
		add_term(b, &b->svx, intern(b, buf, m), ST_SVX | svc);
}

/* Words of a title / sdk-id / key, stemmed, as weak service hints. */
static void add_title_words(builder *b, const char *s, uint32_t svc)
{
	size_t i = 0;
	while (s[i]) {
		while (s[i] && !is_alnum((unsigned char)s[i]))
			i++;
		size_t st = i;
		while (is_alnum((unsigned char)s[i]))
			i++;
		/* split CamelCase sdk-ids ("CloudWatchLogs") too? no: titles
		 * are spaced; a glued sdk-id is caught as an exact alias. */
		if (i > st) {
			char buf[RT_TERM_MAX];
			size_t n = i - st;
			if (n > RT_TERM_MAX)
				continue;
			for (size_t k = 0; k < n; k++)
				buf[k] = to_lower(s[st + k]);
			if (in_list(rt_title_stop, COUNT(rt_title_stop), buf, n))
				continue;
			int stop;
			add_term(b, &b->title, stem_term(b, buf, n, &stop),
			         ST_TITLE | svc);
		}
	}
}

/* Split a CamelCase operation name into words: a boundary before an upper
 * case letter that follows a lower case letter or a digit, and before the
 * last upper case letter of an acronym followed by a lower case letter
 * ("DBInstances" -> DB, Instances), except for an acronym's plural "s"
 * ("ACLs").  Digits stay with the letters before them ("V2", "EC2").
 * Writes (start, length) pairs into W; returns the count. */
static size_t split_camel(const char *s, size_t n, uint32_t (*w)[2], size_t cap)
{
	size_t count = 0, st = 0;
	for (size_t i = 1; i <= n && count < cap; i++) {
		int cut = 0;
		if (i == n) {
			cut = 1;
		} else if (!is_alnum((unsigned char)s[i])) {
			cut = 1;
		} else if (is_upper(s[i]) &&
		           (is_lower(s[i - 1]) || is_digit(s[i - 1]))) {
			cut = 1;
		} else if (is_upper(s[i]) && is_upper(s[i - 1]) && i + 1 < n &&
		           is_lower(s[i + 1])) {
			int plural = s[i + 1] == 's' &&
			             (i + 2 == n || !is_lower(s[i + 2]));
			/* "ACLs": the 's' belongs to the acronym "ACL" */
			cut = !plural;
		}
		if (cut) {
			size_t e = i;
			while (st < e && !is_alnum((unsigned char)s[st]))
				st++;
			if (e > st) {
				w[count][0] = (uint32_t)st;
				w[count][1] = (uint32_t)(e - st);
				count++;
			}
			st = i;
		}
	}
	return count;
}

/* A plural by form: ends in 's' but not "ss", "us", "is" ("Stacks",
 * "ACLs"; not "Status", "Access", "Analysis"). */
static int is_plural(const char *w, size_t n)
{
	if (n < 3 || to_lower(w[n - 1]) != 's')
		return 0;
	char p = to_lower(w[n - 2]);
	return p != 's' && p != 'u' && p != 'i' && !is_digit(p);
}

static int is_version_word(const char *w, size_t n)
{
	if (n < 2 || (w[0] != 'v' && w[0] != 'V'))
		return 0;
	for (size_t i = 1; i < n; i++)
		if (!is_digit(w[i]))
			return 0;
	return 1;
}

static void index_op(builder *b, uint32_t op)
{
	rt_search *s = b->s;
	const alc_catalog *cat = s->cat;
	const alc_operation *o = &cat->ops[op];
	const char *name = alc_str(cat, o->name);
	size_t nl = strlen(name);
	uint32_t w[24][2];
	size_t nw = split_camel(name, nl, w, 24);
	unsigned words = 0;
	uint8_t flags = rt_op_is_read(cat, o) ? OPF_READ : 0;
	s->op_verb[op] = ALC_NONE;
	s->op_svc[op] = o->service;
	tvec_begin(&b->name, op);
	tvec_begin(&b->sum, op);
	tvec_begin(&b->exact, op);
	for (size_t i = 0; i < nw; i++) {
		const char *ws = name + w[i][0];
		size_t wn = w[i][1];
		char low[RT_TERM_MAX];
		if (wn > RT_TERM_MAX)
			continue;
		for (size_t k = 0; k < wn; k++)
			low[k] = to_lower(ws[k]);
		if (in_list(rt_name_stop, COUNT(rt_name_stop), low, wn))
			continue;
		if (is_version_word(low, wn)) {
			flags |= OPF_VERSIONED;
			continue;
		}
		int stop;
		uint32_t t = add_term(b, &b->name, stem_term(b, low, wn, &stop),
		                      ST_NAME | op);
		if (i == 0)
			s->op_verb[op] = t;
		else if (is_plural(low, wn))
			flags |= OPF_PLURAL;
		else
			flags &= (uint8_t)~OPF_PLURAL;
		words++;
	}
	s->op_nlen[op] = (uint8_t)(words ? (words > 255 ? 255 : words) : 1);
	if (nw >= 2) {
		char low[RT_TERM_MAX];
		if (nl <= RT_TERM_MAX) {
			for (size_t k = 0; k < nl; k++)
				low[k] = to_lower(name[k]);
			uint32_t t = intern(b, low, nl);
			if (t != ALC_NONE && tvec_push(&b->exact, t) != 0)
				b->err = AL_ENOMEM;
		}
	}

	const char *sm = alc_str(cat, o->summary);
	if ((o->flags & ALC_OP_DEPRECATED) ||
	    ((sm[0] == 'T' || sm[0] == 'D') &&
	     (strncmp(sm, "This action is deprecated", 25) == 0 ||
	    strncmp(sm, "This operation is deprecated", 28) == 0 ||
	    strncmp(sm, "This API is deprecated", 22) == 0 ||
	     strncmp(sm, "Deprecated", 10) == 0)))
		flags |= OPF_DEPRECATED;
	unsigned slen = 0;
	size_t i = 0;
	while (sm[i]) {
		while (sm[i] && !is_alnum((unsigned char)sm[i]))
			i++;
		size_t st = i;
		while (is_alnum((unsigned char)sm[i]))
			i++;
		size_t n = i - st;
		if (n == 0 || n > RT_TOK_MAX - 1)
			continue;
		char low[RT_TOK_MAX];
		for (size_t k = 0; k < n; k++)
			low[k] = to_lower(sm[st + k]);
		int stop;
		uint32_t t = stem_term(b, low, n, &stop);
		if (stop)
			continue;
		add_term(b, &b->sum, t, ST_SUM | op);
		slen++;
	}
	s->op_snorm[op] = (float)slen; /* length for now; norm later */
	s->op_flags[op] = flags;
}

/* Compile the rule table: words to stemmed term ids, alternatives to
 * (term, weight) runs, service keys to indexes. */
static int compile_rules(builder *b)
{
	rt_search *s = b->s;
	size_t nr = COUNT(rt_rules);
	s->rules = calloc(nr, sizeof *s->rules);
	s->rule_order = malloc(nr * sizeof *s->rule_order);
	size_t altcap = 0;
	for (size_t r = 0; r < nr; r++)
		altcap += rt_rules[r].expand ? strlen(rt_rules[r].expand) / 2 + 2 : 0;
	s->alt_term = malloc((altcap + 1) * sizeof *s->alt_term);
	s->alt_w = malloc((altcap + 1) * sizeof *s->alt_w);
	if (!s->rules || !s->rule_order || !s->alt_term || !s->alt_w)
		return AL_ENOMEM;
	for (size_t r = 0; r < nr; r++) {
		const rt_rule *src = &rt_rules[r];
		crule *cr = &s->rules[r];
		const char *p = src->match;
		while (*p && cr->nw < 3) {
			while (*p == ' ')
				p++;
			const char *e = p;
			while (*e && *e != ' ')
				e++;
			char buf[RT_TOK_MAX];
			size_t n = (size_t)(e - p);
			memcpy(buf, p, n);
			n = stem(buf, n);
			cr->w[cr->nw++] = intern(b, buf, n);
			p = e;
		}
		cr->first_alt = s->nalts;
		cr->has_expand = src->expand != NULL;
		if (src->expand) {
			p = src->expand;
			while (*p) {
				while (*p == ' ')
					p++;
				if (*p == ';') {
					s->alt_term[s->nalts] = ALC_NONE;
					s->alt_w[s->nalts++] = 0;
					p++;
					continue;
				}
				const char *e = p;
				while (*e && *e != ' ' && *e != '/' && *e != ';')
					e++;
				char buf[RT_TOK_MAX];
				size_t n = (size_t)(e - p);
				if (n == 0)
					break;
				memcpy(buf, p, n);
				n = stem(buf, n);
				float wt = 1.0f;
				if (*e == '/') {
					wt = strtof(e + 1, NULL);
					e++;
					while (*e && *e != ' ' && *e != ';')
						e++;
				}
				s->alt_term[s->nalts] = intern(b, buf, n);
				s->alt_w[s->nalts++] = wt;
				p = e;
			}
		}
		cr->nalt = s->nalts - cr->first_alt;
		cr->svc = ALC_NONE;
		if (src->svc) {
			const alc_service *sv =
				alc_find_service(s->cat, src->svc, strlen(src->svc));
			if (sv)
				cr->svc = alc_svc_index(s->cat, sv);
		}
		cr->svc_w = src->svc_w;
		cr->vclass = src->vclass;
		s->rule_order[r] = (uint32_t)r;
	}
	s->nrules = (uint32_t)nr;
	/* insertion sort by first word, then by length descending (longest
	 * match first), then by table order: deterministic */
	for (uint32_t i = 1; i < s->nrules; i++) {
		uint32_t v = s->rule_order[i], j = i;
		while (j > 0) {
			const crule *a = &s->rules[s->rule_order[j - 1]];
			const crule *c = &s->rules[v];
			int after = a->w[0] > c->w[0] ||
			            (a->w[0] == c->w[0] && a->nw < c->nw);
			if (!after)
				break;
			s->rule_order[j] = s->rule_order[j - 1];
			j--;
		}
		s->rule_order[j] = v;
	}
	return b->err;
}

static float bm25_norm(float len, float avg, float bparam)
{
	return (BM25_K1 + 1.0f) /
	       (1.0f + BM25_K1 * (1.0f - bparam + bparam * len / avg));
}

static float idf(uint32_t df, uint32_t n)
{
	return logf(1.0f + ((float)n - (float)df + 0.5f) / ((float)df + 0.5f));
}

/* Records indexed between two alc_trim() calls.  The strings the build
 * reads (service names, operation names and summaries) are spread over the
 * whole 12 MB string pool, and a fault maps a whole fault-around window
 * (64 KiB, or a whole large folio when the page cache holds the file in
 * those), so reading them in one go maps most of the pool: the 400
 * services' names alone did.  At these intervals the mapped part of the
 * catalog stays within a few MB for no more faults than before (every 256
 * operations would save 1 MB more for 15% more faults, ~1 ms). */
#define TRIM_SVCS 32u
#define TRIM_OPS 1024u

/* Build order, for a small resident peak: runs are collected per field
 * (tvec), the dictionary's build-only tables are freed as soon as the last
 * term is interned, each field's runs as soon as its CSR is built, and the
 * name runs become the forward index in place.  Initial capacities come
 * from the catalog's counts (full AWS catalog: ~3.1 name words and ~5.7
 * summary words per operation, ~19k terms for ~17k operations). */
static int do_build(rt_search *s)
{
	const alc_catalog *cat = s->cat;
	uint32_t nops = cat->nops, nsvcs = cat->nsvcs;
	builder b;
	memset(&b, 0, sizeof b);
	b.s = s;
	/* at most half full for about one term per operation, a few per
	 * service, and the rule words */
	size_t want = 2 * ((size_t)nops + 4 * (size_t)nsvcs + 1024);
	uint32_t slots = 1024;
	while (slots < want && slots < (1u << 24))
		slots *= 2;
	int rc = dict_init(&s->d, slots);
	if (rc)
		goto out;
	b.last_cap = s->d.cap;
	b.last = malloc(b.last_cap * sizeof *b.last);
	b.memo = calloc(b.last_cap, sizeof *b.memo);
	if (b.last)
		memset(b.last, 0xff, b.last_cap * sizeof *b.last);
	stopset_init(&b);
	size_t n1 = nops ? nops : 1;
	s->op_nlen = malloc(n1);
	s->op_flags = malloc(n1);
	s->op_verb = malloc(n1 * sizeof *s->op_verb);
	s->op_svc = malloc(n1 * sizeof *s->op_svc);
	s->op_nnorm = malloc(n1 * sizeof *s->op_nnorm);
	s->op_snorm = malloc(n1 * sizeof *s->op_snorm);
	s->svc_prior = calloc(nsvcs ? nsvcs : 1, sizeof *s->svc_prior);
	if (!b.last || !b.memo || !s->op_nlen || !s->op_flags || !s->op_verb ||
	    !s->op_svc || !s->op_nnorm || !s->op_snorm || !s->svc_prior ||
	    tvec_init(&b.svx, nsvcs, (size_t)nsvcs * 8) ||
	    tvec_init(&b.title, nsvcs, (size_t)nsvcs * 8) ||
	    tvec_init(&b.name, nops, (size_t)nops * 7 / 2) ||
	    tvec_init(&b.sum, nops, (size_t)nops * 6) ||
	    tvec_init(&b.exact, nops, nops)) {
		rc = AL_ENOMEM;
		goto out;
	}

	/* services: exact aliases and title words */
	for (uint32_t v = 0; v < nsvcs && !b.err; v++) {
		const alc_service *sv = &cat->svcs[v];
		tvec_begin(&b.svx, v);
		tvec_begin(&b.title, v);
		add_alias(&b, alc_str(cat, sv->key), v);
		add_alias(&b, alc_str(cat, sv->sdk_id), v);
		add_alias(&b, alc_str(cat, sv->cli_name), v);
		add_alias(&b, alc_str(cat, sv->endpoint_prefix), v);
		add_title_words(&b, alc_str(cat, sv->title), v);
		add_title_words(&b, alc_str(cat, sv->sdk_id), v);
		add_title_words(&b, alc_str(cat, sv->key), v);
		if (v % TRIM_SVCS == TRIM_SVCS - 1)
			alc_trim(cat);
	}
	alc_trim(cat);
	tvec_end(&b.svx);
	tvec_end(&b.title);
	/* operations, in order (postings come out sorted by op) */
	for (uint32_t op = 0; op < nops && !b.err; op++) {
		index_op(&b, op);
		if (op % TRIM_OPS == TRIM_OPS - 1)
			alc_trim(cat);
	}
	alc_trim(cat);
	tvec_end(&b.name);
	tvec_end(&b.sum);
	tvec_end(&b.exact);
	if (!b.err)
		compile_rules(&b);
	for (size_t i = 0; i < COUNT(rt_stopwords) && !b.err; i++)
		intern(&b, rt_stopwords[i], strlen(rt_stopwords[i]));
	for (size_t i = 0; i < COUNT(rt_prepositions) && !b.err; i++)
		intern(&b, rt_prepositions[i], strlen(rt_prepositions[i]));
	if (b.err) {
		rc = b.err;
		goto out;
	}
	/* every term is interned: the dedupe stamps and the stem memo go */
	free(b.last);
	free(b.memo);
	b.last = b.memo = NULL;

	uint32_t nt = s->d.n;
	rc = csr_build(&s->name, &b.name, nt, NULL, NULL);
	if (rc)
		goto out;
	/* svx strengths: an alias that is also a common word of other
	 * services' operation names ("logs", "events", "config") only hints */
	float *svx_in = malloc((b.svx.n ? b.svx.n : 1) * sizeof *svx_in);
	if (!svx_in) {
		rc = AL_ENOMEM;
		goto out;
	}
	for (uint32_t v = 0; v < nsvcs; v++) {
		for (uint32_t i = b.svx.start[v]; i < b.svx.start[v + 1]; i++) {
			uint32_t t = b.svx.t[i];
			char buf[RT_TERM_MAX];
			size_t n = s->d.len[t];
			memcpy(buf, s->d.text + s->d.off[t], n);
			n = stem(buf, n);
			uint32_t st = dict_find(&s->d, buf, n);
			/* distinct other services using the word in op
			 * names: postings are sorted by op and ops grouped
			 * by service, so count service changes */
			uint32_t other = 0, prev = ALC_NONE;
			if (st != ALC_NONE) {
				for (uint32_t k = s->name.start[st];
				     k < s->name.start[st + 1]; k++) {
					uint32_t sv = s->op_svc[s->name.ent[k]];
					if (sv != prev && sv != v)
						other++;
					prev = sv;
				}
			}
			float w = other <= 8 ? 1.0f : 8.0f / (float)other;
			svx_in[i] = w < 0.25f ? 0.25f : w;
		}
	}
	rc = csr_build(&s->svx, &b.svx, nt, svx_in, &s->svx_w);
	free(svx_in);
	tvec_free(&b.svx);
	if (rc)
		goto out;
	/* forward index: the name runs, as they are */
	s->fwd_start = b.name.start;
	s->fwd_term = b.name.t;
	if (b.name.n) {
		uint32_t *t = realloc(b.name.t, b.name.n * sizeof *t);
		if (t)
			s->fwd_term = t;
	}
	memset(&b.name, 0, sizeof b.name);
	if (!(rc = csr_build(&s->sum, &b.sum, nt, NULL, NULL)))
		tvec_free(&b.sum);
	if (!rc && !(rc = csr_build(&s->exact, &b.exact, nt, NULL, NULL)))
		tvec_free(&b.exact);
	if (!rc && !(rc = csr_build(&s->title, &b.title, nt, NULL, NULL)))
		tvec_free(&b.title);
	if (rc)
		goto out;

	/* idf per field, stopword flags */
	s->tmark = calloc(nt ? nt : 1, sizeof *s->tmark);
	s->talt = calloc(nt ? nt : 1, 1);
	s->idf_name = malloc(nt * sizeof *s->idf_name);
	s->idf_sum = malloc(nt * sizeof *s->idf_sum);
	s->is_stop = calloc(nt, 1);
	s->is_prep = calloc(nt, 1);
	s->is_verb = calloc(nt, 1);
	if (!s->tmark || !s->talt || !s->idf_name || !s->idf_sum ||
	    !s->is_stop || !s->is_prep || !s->is_verb) {
		rc = AL_ENOMEM;
		goto out;
	}
	for (uint32_t t = 0; t < nt; t++) {
		s->idf_name[t] = idf(csr_len(&s->name, t), nops);
		s->idf_sum[t] = idf(csr_len(&s->sum, t), nops);
	}
	for (size_t i = 0; i < COUNT(rt_stopwords); i++) {
		uint32_t t = dict_find(&s->d, rt_stopwords[i],
		                       strlen(rt_stopwords[i]));
		if (t != ALC_NONE)
			s->is_stop[t] = 1;
	}
	for (size_t i = 0; i < COUNT(rt_prepositions); i++) {
		uint32_t t = dict_find(&s->d, rt_prepositions[i],
		                       strlen(rt_prepositions[i]));
		if (t != ALC_NONE)
			s->is_prep[t] = 1;
	}
	for (uint32_t r = 0; r < s->nrules; r++)
		if (s->rules[r].vclass != VC_NONE && s->rules[r].w[0] != ALC_NONE)
			s->is_verb[s->rules[r].w[0]] = 1;

	/* per-op length norms */
	double nsum = 0, ssum = 0;
	for (uint32_t op = 0; op < nops; op++) {
		nsum += s->op_nlen[op];
		ssum += s->op_snorm[op];
	}
	float navg = nops ? (float)(nsum / nops) : 1.0f;
	float savg = nops ? (float)(ssum / nops) : 1.0f;
	if (savg <= 0)
		savg = 1;
	for (uint32_t op = 0; op < nops; op++) {
		s->op_nnorm[op] = bm25_norm(s->op_nlen[op], navg, BM25_B_NAME);
		s->op_snorm[op] = bm25_norm(s->op_snorm[op], savg, BM25_B_SUM);
	}

	for (size_t i = 0; i < COUNT(rt_priors); i++) {
		const alc_service *sv = alc_find_service(cat, rt_priors[i].svc,
		                                         strlen(rt_priors[i].svc));
		if (sv)
			s->svc_prior[alc_svc_index(cat, sv)] = rt_priors[i].w;
	}

	/* scratch */
	s->ox = calloc(n1, sizeof *s->ox);
	s->touched = malloc(n1 * sizeof *s->touched);
	s->gtouched = malloc(n1 * sizeof *s->gtouched);
	if (!s->ox || !s->touched || !s->gtouched) {
		rc = AL_ENOMEM;
		goto out;
	}

	size_t bytes = sizeof *s;
	bytes += (size_t)(s->d.mask + 1) * 4 + (size_t)s->d.cap * 10 + s->d.tcap;
	bytes += ((size_t)nt + 1) * 4 * 5;
	size_t nname = s->name.start[nt], nsvx = s->svx.start[nt];
	bytes += (nname + s->sum.start[nt] + s->exact.start[nt] +
	          s->title.start[nt] + nsvx) * 4;
	bytes += nsvx * 4 + (size_t)nt * 16;
	bytes += ((size_t)nops + 1) * 4 + nname * 4;
	bytes += (size_t)n1 * (1 + 1 + 4 + 4 + 4 + 4);
	bytes += (size_t)n1 * (sizeof(opscratch) + 4 * 2);
	bytes += s->nrules * (sizeof(crule) + 4) + s->nalts * 8;
	bytes += (size_t)nsvcs * 4;
	s->bytes = bytes;
	s->built = 1;
out:
	free(b.last);
	free(b.memo);
	tvec_free(&b.name);
	tvec_free(&b.sum);
	tvec_free(&b.exact);
	tvec_free(&b.svx);
	tvec_free(&b.title);
	return rc;
}

static void free_index(rt_search *s)
{
	dict_free(&s->d);
	csr_free(&s->name);
	csr_free(&s->sum);
	csr_free(&s->exact);
	csr_free(&s->svx);
	csr_free(&s->title);
	free(s->svx_w);
	free(s->idf_name);
	free(s->idf_sum);
	free(s->is_stop);
	free(s->is_prep);
	free(s->is_verb);
	free(s->fwd_start);
	free(s->fwd_term);
	free(s->tmark);
	free(s->talt);
	free(s->op_nlen);
	free(s->op_flags);
	free(s->op_verb);
	free(s->op_svc);
	free(s->op_nnorm);
	free(s->op_snorm);
	free(s->svc_prior);
	free(s->rules);
	free(s->rule_order);
	free(s->alt_term);
	free(s->alt_w);
	free(s->ox);
	free(s->touched);
	free(s->gtouched);
	const alc_catalog *cat = s->cat;
	memset(s, 0, sizeof *s);
	s->cat = cat;
}

/* ---- public: open, close, build ------------------------------------------ */

int rt_search_open(rt_search **out, const alc_catalog *cat)
{
	rt_search *s = calloc(1, sizeof *s);
	*out = NULL;
	if (!s)
		return AL_ENOMEM;
	s->cat = cat;
	*out = s;
	return 0;
}

void rt_search_close(rt_search *s)
{
	if (!s)
		return;
	free_index(s);
	free(s);
}

int rt_search_build(rt_search *s)
{
	if (s->built)
		return 0;
	int rc = do_build(s);
	if (rc)
		free_index(s);
	/* The index lives on the heap now; the catalog pages it read are
	 * not needed by a serving process. */
	alc_trim(s->cat);
#ifdef __GLIBC__
	/* The build freed about 1 MB of runs and dictionary scratch below
	 * the top of the heap, which glibc keeps resident; give it back
	 * (about 0.1 ms, once per handle). */
	malloc_trim(0);
#endif
	return rc;
}

size_t rt_search_footprint(const rt_search *s)
{
	return s->built ? s->bytes : 0;
}

/* ---- query ------------------------------------------------------------------- */

static void add_hint(rt_search *s, uint32_t svc, float w)
{
	if (svc == ALC_NONE || w <= 0)
		return;
	for (uint32_t i = 0; i < s->nhints; i++)
		if (s->hints[i].svc == svc) {
			if (w > s->hints[i].w)
				s->hints[i].w = w;
			return;
		}
	if (s->nhints < RT_MAX_HINTS) {
		s->hints[s->nhints].svc = svc;
		s->hints[s->nhints].w = w;
		s->nhints++;
	}
}

static qgroup *new_group(rt_search *s, int vclass)
{
	if (s->ngroups >= RT_MAX_GROUPS)
		return NULL;
	qgroup *g = &s->groups[s->ngroups++];
	g->n = 0;
	g->vclass = vclass;
	return g;
}

static void group_add(qgroup *g, uint32_t term, float w)
{
	if (!g || term == ALC_NONE)
		return;
	for (uint32_t i = 0; i < g->n; i++)
		if (g->term[i] == term) {
			if (w > g->w[i])
				g->w[i] = w;
			return;
		}
	if (g->n < RT_MAX_ALTS) {
		g->term[g->n] = term;
		g->w[g->n] = w;
		g->n++;
	}
}

static const qword *add_qword(rt_search *s, const char *p, size_t n)
{
	qword *w = &s->words[s->nwords++];
	for (size_t k = 0; k < n; k++)
		w->raw[k] = w->st[k] = to_lower(p[k]);
	w->rawlen = (uint8_t)n;
	w->stlen = (uint8_t)stem(w->st, n);
	w->raw_id = dict_find(&s->d, w->raw, w->rawlen);
	w->st_id = dict_find(&s->d, w->st, w->stlen);
	w->used = w->ruled = 0;
	w->stop = w->raw_id != ALC_NONE && s->is_stop[w->raw_id];
	w->weak_svc_term = ALC_NONE;
	w->plural = w->stlen < w->rawlen && is_plural(w->raw, w->rawlen);
	return w;
}

/* Split the query into words. */
static void tokenize(rt_search *s, const char *text, size_t len)
{
	if (!text)
		len = 0;
	if (len > RT_SEARCH_MAX_QUERY)
		len = RT_SEARCH_MAX_QUERY;
	s->nwords = 0;
	size_t i = 0;
	while (i < len && s->nwords < RT_SEARCH_MAX_WORDS) {
		while (i < len && !is_alnum((unsigned char)text[i]))
			i++;
		size_t st = i;
		while (i < len && is_alnum((unsigned char)text[i]))
			i++;
		size_t n = i - st;
		if (n == 0 || n >= RT_TOK_MAX)
			continue;    /* too long to be a word we know */
		const qword *w = add_qword(s, text + st, n);
		/* A CamelCase word that is neither a service name nor a
		 * known word ("ListBuckets", typed by an agent) is also
		 * searched as its parts; the whole still finds the exact
		 * name. */
		int camel = 0;
		for (size_t k = 1; k < n && !camel; k++)
			camel = is_upper(text[st + k]) && !is_upper(text[st + k - 1]);
		if (camel &&
		    (w->st_id == ALC_NONE || (csr_len(&s->name, w->st_id) == 0 &&
		                              csr_len(&s->sum, w->st_id) == 0)) &&
		    (w->raw_id == ALC_NONE || csr_len(&s->svx, w->raw_id) == 0)) {
			uint32_t parts[RT_SEARCH_MAX_WORDS][2];
			size_t np = split_camel(text + st, n, parts,
			                        RT_SEARCH_MAX_WORDS);
			for (size_t k = 0; k < np && s->nwords < RT_SEARCH_MAX_WORDS;
			     k++)
				add_qword(s, text + st + parts[k][0], parts[k][1]);
		}
	}
	/* context: after a preposition, until the next verb */
	float ctx = 1.0f;
	for (uint32_t k = 0; k < s->nwords; k++) {
		qword *w = &s->words[k];
		if (w->raw_id != ALC_NONE && s->is_prep[w->raw_id])
			ctx = CONTEXT_WEIGHT;
		else if (w->st_id != ALC_NONE && s->is_verb[w->st_id])
			ctx = 1.0f;
		w->w = ctx;
	}
}

/* Share of service SVC's operations whose name has term T. */
static float name_share(const rt_search *s, uint32_t t, uint32_t svc)
{
	const alc_service *sv = &s->cat->svcs[svc];
	if (t == ALC_NONE || sv->op_count == 0)
		return 0;
	const uint32_t *p = s->name.ent + s->name.start[t];
	uint32_t n = csr_len(&s->name, t), lo = 0, hi = n;
	while (lo < hi) {
		uint32_t mid = (lo + hi) / 2;
		if (p[mid] < sv->first_op)
			lo = mid + 1;
		else
			hi = mid;
	}
	uint32_t c = 0;
	while (lo + c < n && p[lo + c] < sv->first_op + sv->op_count)
		c++;
	return (float)c / (float)sv->op_count;
}

/* Largest name_share of T over the services that alias A names. */
static float alias_share(const rt_search *s, uint32_t a, uint32_t t)
{
	float best = 0;
	for (uint32_t k = s->svx.start[a]; k < s->svx.start[a + 1]; k++) {
		float sh = name_share(s, t, s->svx.ent[k]);
		if (sh > best)
			best = sh;
	}
	return best;
}

/* Strongest exact-alias strength of TERM, or 0. */
static float svx_strength(const rt_search *s, uint32_t t)
{
	float best = 0;
	if (t == ALC_NONE)
		return 0;
	for (uint32_t k = s->svx.start[t]; k < s->svx.start[t + 1]; k++)
		if (s->svx_w[k] > best)
			best = s->svx_w[k];
	return best;
}

/* Hint every service named by TERM; a strong name also hints its family
 * ("bedrock" -> bedrock-runtime, bedrock-agent: keys "bedrock-...") at
 * half strength. */
static void hint_alias(rt_search *s, uint32_t t, float scale)
{
	const alc_catalog *cat = s->cat;
	for (uint32_t k = s->svx.start[t]; k < s->svx.start[t + 1]; k++) {
		uint32_t v = s->svx.ent[k];
		float w = s->svx_w[k] * scale;
		add_hint(s, v, w);
		if (w < 0.75f)
			continue;
		const char *key = alc_str(cat, cat->svcs[v].key);
		size_t kl = strlen(key);
		for (uint32_t u = v + 1; u < cat->nsvcs; u++) {
			const char *k2 = alc_str(cat, cat->svcs[u].key);
			if (strncmp(k2, key, kl) != 0)
				break;   /* services are sorted by key */
			if (k2[kl] == '-')
				add_hint(s, u, w * 0.5f);
		}
	}
}

/* Service names of 1-3 words. */
static void find_services(rt_search *s)
{
	for (uint32_t i = 0; i < s->nwords; i++) {
		if (s->words[i].stop || s->words[i].used)
			continue;
		for (uint32_t k = 3; k >= 1; k--) {
			if (i + k > s->nwords || s->words[i + k - 1].stop)
				continue;
			int taken = 0;
			for (uint32_t j = 1; j < k; j++)
				taken |= s->words[i + j].used;
			if (taken)
				continue;
			char buf[2][RT_TOK_MAX * 3 + 4];
			size_t n[2] = { 0, 0 };
			for (uint32_t j = 0; j < k; j++) {
				const qword *w = &s->words[i + j];
				if (j) buf[0][n[0]++] = '-';
				memcpy(buf[0] + n[0], w->raw, w->rawlen);
				n[0] += w->rawlen;
				memcpy(buf[1] + n[1], w->raw, w->rawlen);
				n[1] += w->rawlen;
			}
			uint32_t t = ALC_NONE;
			float str = 0;
			for (int f = 0; f < (k > 1 ? 2 : 1) && str == 0; f++) {
				t = dict_find(&s->d, buf[f], n[f]);
				str = svx_strength(s, t);
			}
			if (str == 0)
				continue;
			/* A proper name (s3, ec2, "secrets manager") is
			 * consumed.  A word that is also a noun of the
			 * service's own API (logs, events, email) hints and
			 * stays a search word; in a multi-word name it is
			 * consumed but searched at half weight ("cloudwatch
			 * logs" -> log). */
			if (k == 1) {
				if (str >= 0.75f &&
				    alias_share(s, t, s->words[i].st_id) < OWN_SHARE)
					s->words[i].used = 1;
				else
					s->words[i].weak_svc_term = t;
				if (s->words[i].used)
					hint_alias(s, t, EXPLICIT_SCALE);
				break;
			}
			hint_alias(s, t, EXPLICIT_SCALE);
			for (uint32_t j = 0; j < k; j++) {
				qword *w = &s->words[i + j];
				w->used = 1;
				if (alias_share(s, t, w->st_id) >= OWN_SHARE)
					group_add(new_group(s, VC_NONE), w->st_id,
					          0.5f * w->w);
			}
			i += k - 1;
			break;
		}
	}
}

/* Does rule R match at word I?  Returns its length in words, or 0. */
static uint32_t rule_match(const rt_search *s, const crule *r, uint32_t i)
{
	if (i + r->nw > s->nwords)
		return 0;
	for (uint32_t j = 0; j < r->nw; j++) {
		const qword *w = &s->words[i + j];
		if (w->used || w->st_id != r->w[j])
			return 0;
	}
	return r->nw;
}

/* Rules, longest first.  Phrases (MULTI: rules of two words or more) run
 * before service names, which run before single words: "ebs volume" is an
 * EC2 volume although "ebs" alone names the EBS direct API. */
static void apply_rules(rt_search *s, int multi)
{
	for (uint32_t i = 0; i < s->nwords; i++) {
		qword *w = &s->words[i];
		if (w->used || w->ruled || w->st_id == ALC_NONE)
			continue;
		/* binary search for the first rule whose first word is st_id */
		uint32_t lo = 0, hi = s->nrules;
		while (lo < hi) {
			uint32_t mid = (lo + hi) / 2;
			if (s->rules[s->rule_order[mid]].w[0] < w->st_id)
				lo = mid + 1;
			else
				hi = mid;
		}
		const crule *hit = NULL;
		uint32_t len = 0;
		for (uint32_t k = lo; k < s->nrules; k++) {
			const crule *r = &s->rules[s->rule_order[k]];
			if (r->w[0] != w->st_id)
				break;
			if (multi && r->nw < 2)
				break;   /* the rest are shorter */
			len = rule_match(s, r, i);
			if (len) {
				hit = r;
				break;   /* sorted longest first */
			}
		}
		if (!hit)
			continue;
		if (hit->svc != ALC_NONE)
			add_hint(s, hit->svc, hit->svc_w);
		if (!hit->has_expand) {
			for (uint32_t j = 0; j < len; j++)
				s->words[i + j].ruled = 1;
			i += len - 1;
			continue;
		}
		qgroup *g = hit->nalt ? new_group(s, hit->vclass) : NULL;
		for (uint32_t a = 0; a < hit->nalt; a++) {
			uint32_t t = s->alt_term[hit->first_alt + a];
			if (t == ALC_NONE) {
				g = new_group(s, VC_NONE);
				continue;
			}
			group_add(g, t, s->alt_w[hit->first_alt + a] * w->w);
		}
		if (hit->vclass != VC_NONE && s->qverb_group < 0 && hit->nalt) {
			/* the verb is the first group this rule made */
			uint32_t ng = 0;
			for (uint32_t a = 0; a < hit->nalt; a++)
				ng += s->alt_term[hit->first_alt + a] == ALC_NONE;
			int first = (int)s->ngroups - 1 - (int)ng;
			if (first >= 0) {
				s->qverb_group = first;
				s->qvclass = hit->vclass;
			}
		}
		for (uint32_t j = 0; j < len; j++)
			s->words[i + j].used = 1;
		i += len - 1;
	}
}

/* The remaining words. */
static void plain_words(rt_search *s)
{
	uint32_t joined = ALC_NONE;  /* "node group" -> nodegroup */
	for (uint32_t i = 0; i < s->nwords; i++) {
		qword *w = &s->words[i];
		if (w->used || w->stop)
			continue;
		if (w->weak_svc_term != ALC_NONE)
			hint_alias(s, w->weak_svc_term, 1.0f);
		if (w->st_id == ALC_NONE) {
			joined = ALC_NONE;
			continue;
		}
		uint32_t nt = csr_len(&s->title, w->st_id);
		if (nt > 0 && nt <= 6)
			for (uint32_t k = s->title.start[w->st_id];
			     k < s->title.start[w->st_id + 1]; k++)
				add_hint(s, s->title.ent[k], 0.5f / (float)nt);
		qgroup *g = new_group(s, VC_NONE);
		group_add(g, w->st_id, w->w);
		if (i == 0 && s->qverb_group < 0 && g)
			s->qverb_group = (int)(s->ngroups - 1);
		else if (csr_len(&s->name, w->st_id) > 0 && w->w == 1.0f)
			s->qnumber = w->plural ? 2 : 1;  /* the object's number */
		/* Two adjacent words whose concatenation is a name word:
		 * each word's group also accepts the joined word, so
		 * "Nodegroup" matches both as "NodeGroup" would. */
		if (joined != ALC_NONE) {
			group_add(g, joined, w->w);
			joined = ALC_NONE;
		} else if (i + 1 < s->nwords) {
			const qword *x = &s->words[i + 1];
			if (!x->used && !x->stop) {
				char buf[2 * RT_TOK_MAX];
				memcpy(buf, w->st, w->stlen);
				memcpy(buf + w->stlen, x->st, x->stlen);
				uint32_t t = dict_find(&s->d, buf,
				                       (size_t)w->stlen + x->stlen);
				if (t != ALC_NONE && csr_len(&s->name, t) > 0) {
					group_add(g, t, w->w);
					joined = t;
				}
			}
		}
	}
}

static opscratch *touch(rt_search *s, uint32_t op)
{
	opscratch *x = &s->ox[op];
	if (x->qmark != s->epoch) {
		x->qmark = s->epoch;
		x->acc = 0;
		x->nhits = 0;
		s->touched[s->ntouched++] = op;
	}
	return x;
}

static opscratch *gtouch(rt_search *s, uint32_t op)
{
	opscratch *x = &s->ox[op];
	if (x->gmark != s->gepoch) {
		x->gmark = s->gepoch;
		x->gname = 0;
		x->gsum = 0;
		s->gtouched[s->ngtouched++] = op;
	}
	return x;
}

/* Epochs spare clearing the scratch per query; at wrap-around (after 2^32
 * queries or groups) the marks are cleared once. */
static void next_epoch(rt_search *s, int group)
{
	uint32_t *e = group ? &s->gepoch : &s->epoch;
	if (++*e == 0) {
		for (uint32_t op = 0; op < s->cat->nops; op++) {
			if (group)
				s->ox[op].gmark = 0;
			else
				s->ox[op].qmark = 0;
		}
		*e = 1;
	}
}

/* Weights of a group's alternatives in NAME (WN) and SUM (WS).  A synonym
 * is worth at most what the word itself is worth: each alternative's idf
 * is capped by the primary's (the first of the highest weight), so a rarer
 * synonym ("describe" for "list") does not outweigh the word, while a rare
 * verb ("purge") keeps its weight over a common fallback ("delete"). */
static void group_weights(const rt_search *s, const qgroup *g, float *wn,
                          float *ws)
{
	uint32_t pa = 0;
	for (uint32_t a = 1; a < g->n; a++)
		if (g->w[a] > g->w[pa])
			pa = a;
	uint32_t pt = g->term[pa];
	float capn = csr_len(&s->name, pt) ? s->idf_name[pt] : 1e9f;
	float caps = csr_len(&s->sum, pt) ? s->idf_sum[pt] : 1e9f;
	for (uint32_t a = 0; a < g->n; a++) {
		uint32_t t = g->term[a];
		float in = s->idf_name[t] < capn ? s->idf_name[t] : capn;
		float is = s->idf_sum[t] < caps ? s->idf_sum[t] : caps;
		wn[a] = W_NAME * in * g->w[a];
		ws[a] = W_SUM * is * g->w[a];
	}
}

static uint32_t group_postings(const rt_search *s, const qgroup *g)
{
	uint32_t n = 0;
	for (uint32_t a = 0; a < g->n; a++)
		n += csr_len(&s->name, g->term[a]);
	return n;
}

/* A very common group (a verb: list, get, describe) scored only on the
 * operations the other groups and hints reached, through the forward
 * index, name field only: an operation that matches nothing but "list"
 * cannot rank, and walking its postings would cost most of the query. */
static void score_group_deferred(rt_search *s, const qgroup *g)
{
	float wn[RT_MAX_ALTS], ws[RT_MAX_ALTS];
	group_weights(s, g, wn, ws);
	if (++s->tstamp == 0) {
		memset(s->tmark, 0, (size_t)s->d.n * sizeof *s->tmark);
		s->tstamp = 1;
	}
	for (uint32_t a = 0; a < g->n; a++) {
		s->tmark[g->term[a]] = s->tstamp;
		s->talt[g->term[a]] = (uint8_t)a;
	}
	for (uint32_t i = 0; i < s->ntouched; i++) {
		uint32_t op = s->touched[i];
		float best = 0;
		for (uint32_t k = s->fwd_start[op]; k < s->fwd_start[op + 1]; k++) {
			uint32_t t = s->fwd_term[k];
			if (s->tmark[t] == s->tstamp && wn[s->talt[t]] > best)
				best = wn[s->talt[t]];
		}
		if (best > 0) {
			opscratch *x = &s->ox[op];
			x->acc += best * s->op_nnorm[op];
			x->nhits++;
		}
	}
}

static void score_group(rt_search *s, const qgroup *g)
{
	float wna[RT_MAX_ALTS], wsa[RT_MAX_ALTS];
	next_epoch(s, 1);
	s->ngtouched = 0;
	group_weights(s, g, wna, wsa);
	for (uint32_t a = 0; a < g->n; a++) {
		uint32_t t = g->term[a];
		float wn = wna[a], ws = wsa[a];
		for (uint32_t k = s->name.start[t]; k < s->name.start[t + 1]; k++) {
			uint32_t op = s->name.ent[k];
			opscratch *x = gtouch(s, op);
			float c = wn * s->op_nnorm[op];
			if (c > x->gname)
				x->gname = c;
		}
		/* a word in more than 1/SUM_DF_CUT of the summaries says
		 * next to nothing there (idf ~ 2): not searched */
		if (csr_len(&s->sum, t) * SUM_DF_CUT > s->cat->nops)
			continue;
		for (uint32_t k = s->sum.start[t]; k < s->sum.start[t + 1]; k++) {
			uint32_t op = s->sum.ent[k];
			opscratch *x = gtouch(s, op);
			float c = ws * s->op_snorm[op];
			if (c > x->gsum)
				x->gsum = c;
		}
	}
	for (uint32_t i = 0; i < s->ngtouched; i++) {
		uint32_t op = s->gtouched[i];
		opscratch *x = touch(s, op);
		/* the summary confirms a name match only a little */
		x->acc += x->gname + x->gsum * (x->gname > 0 ? SUM_WITH_NAME : 1.0f);
		if (x->gname > 0)
			x->nhits++;
	}
}

/* Heap of the best hits so far, worst at the root. */
static int better(const rt_search_hit *a, const rt_search_hit *b)
{
	return a->score > b->score || (a->score == b->score && a->op < b->op);
}

static void sift_down(rt_search_hit *h, size_t n, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		if (l < n && better(&h[m], &h[l]))
			m = l;
		if (r < n && better(&h[m], &h[r]))
			m = r;
		if (m == i)
			return;
		rt_search_hit t = h[i];
		h[i] = h[m];
		h[m] = t;
		i = m;
	}
}

static void heap_offer(rt_search_hit *h, size_t *n, size_t cap, uint32_t op,
                       float score)
{
	rt_search_hit x = { op, score };
	if (*n < cap) {
		size_t i = (*n)++;
		h[i] = x;
		while (i > 0) {
			size_t p = (i - 1) / 2;
			if (!better(&h[p], &h[i]))
				break;
			rt_search_hit t = h[p];
			h[p] = h[i];
			h[i] = t;
			i = p;
		}
	} else if (better(&x, &h[0])) {
		h[0] = x;
		sift_down(h, *n, 0);
	}
}

static int access_ok(const rt_search *s, uint32_t op, int access)
{
	if (access == RT_ACCESS_READ)
		return (s->op_flags[op] & OPF_READ) != 0;
	if (access == RT_ACCESS_WRITE)
		return (s->op_flags[op] & OPF_READ) == 0;
	return 1;
}

size_t rt_search_run(rt_search *s, const rt_search_query *q,
                     rt_search_hit *hits, size_t cap)
{
	if (!s || !q || !hits || cap == 0)
		return 0;
	if (!s->built && rt_search_build(s) != 0)
		return 0;
	const alc_catalog *cat = s->cat;
	uint32_t fsvc = q->service ? alc_svc_index(cat, q->service) : ALC_NONE;

	s->ngroups = s->nhints = 0;
	s->qverb_group = -1;
	s->qvclass = VC_NONE;
	s->qnumber = 0;
	tokenize(s, q->text, q->len);
	apply_rules(s, 1);
	find_services(s);
	apply_rules(s, 0);
	plain_words(s);

	size_t n = 0;
	uint32_t content = 0, exact = 0;
	for (uint32_t i = 0; i < s->nwords; i++) {
		content += !s->words[i].stop;
		if (s->words[i].raw_id != ALC_NONE)
			exact += csr_len(&s->exact, s->words[i].raw_id);
	}
	if (s->ngroups == 0 && s->nhints == 0 && exact == 0) {
		/* no word at all: a service filter alone lists the service;
		 * words that match nothing find nothing */
		if (fsvc == ALC_NONE || content > 0)
			return 0;
		const alc_service *sv = &cat->svcs[fsvc];
		for (uint32_t op = sv->first_op;
		     op < sv->first_op + sv->op_count && n < cap; op++)
			if (access_ok(s, op, q->access)) {
				hits[n].op = op;
				hits[n].score = 0;
				n++;
			}
		return n;
	}

	next_epoch(s, 0);
	s->ntouched = 0;
	/* selective groups and hints first; then common groups over what
	 * they reached (when they reached anything) */
	uint64_t deferred = 0;
	for (uint32_t g = 0; g < s->ngroups; g++)
		if (group_postings(s, &s->groups[g]) > DEFER_POSTINGS)
			deferred |= 1ull << g;
		else
			score_group(s, &s->groups[g]);
	for (uint32_t h = 0; h < s->nhints; h++) {
		const alc_service *sv = &cat->svcs[s->hints[h].svc];
		float w = W_SVC * s->hints[h].w;
		for (uint32_t op = sv->first_op; op < sv->first_op + sv->op_count;
		     op++)
			touch(s, op)->acc += w;
	}
	for (uint32_t g = 0; g < s->ngroups; g++)
		if (deferred & (1ull << g)) {
			if (s->ntouched > 0)
				score_group_deferred(s, &s->groups[g]);
			else
				score_group(s, &s->groups[g]);
		}
	/* exact whole-name matches */
	for (uint32_t i = 0; i < s->nwords; i++) {
		uint32_t t = s->words[i].raw_id;
		if (t == ALC_NONE)
			continue;
		for (uint32_t k = s->exact.start[t]; k < s->exact.start[t + 1]; k++) {
			uint32_t op = s->exact.ent[k];
			opscratch *x = touch(s, op);
			x->acc += W_EXACT;
			x->nhits = s->op_nlen[op];
		}
	}

	const qgroup *vg = s->qverb_group >= 0 ? &s->groups[s->qverb_group] : NULL;
	for (uint32_t i = 0; i < s->ntouched; i++) {
		uint32_t op = s->touched[i];
		if (fsvc != ALC_NONE && s->op_svc[op] != fsvc)
			continue;
		if (!access_ok(s, op, q->access))
			continue;
		const opscratch *x = &s->ox[op];
		float sc = x->acc;
		if (x->nhits) {
			float cov = (float)x->nhits / (float)s->op_nlen[op];
			sc += W_COV * (cov > 1 ? 1 : cov);
		}
		if (vg && s->op_verb[op] != ALC_NONE)
			for (uint32_t a = 0; a < vg->n; a++)
				if (vg->term[a] == s->op_verb[op]) {
					sc += W_VERB * vg->w[a];
					break;
				}
		if (s->qvclass != VC_NONE) {
			int rd = (s->op_flags[op] & OPF_READ) != 0;
			if ((s->qvclass == VC_READ) != rd)
				sc -= W_ACCESS;
		}
		if (s->qnumber &&
		    (s->qnumber == 2) == ((s->op_flags[op] & OPF_PLURAL) != 0))
			sc += W_NUMBER;
		sc += W_PRIOR * s->svc_prior[s->op_svc[op]];
		if (s->op_flags[op] & OPF_VERSIONED)
			sc += W_VERSION;
		if (s->op_flags[op] & OPF_DEPRECATED)
			sc *= sc > 0 ? DEPRECATED_FACTOR : 1.0f / DEPRECATED_FACTOR;
		heap_offer(hits, &n, cap, op, sc);
	}
	/* heap sort: repeatedly move the worst to the end */
	for (size_t k = n; k > 1; k--) {
		rt_search_hit t = hits[0];
		hits[0] = hits[k - 1];
		hits[k - 1] = t;
		sift_down(hits, k - 1, 0);
	}
	return n;
}
