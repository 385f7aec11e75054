/*
 * rt_tools.h -- the catalog tools that the MCP server and the command line
 * share: search_operations, describe_operation, validate_input.
 *
 * Each tool takes its arguments as a JSON object and returns either a
 * structured result (the MCP structuredContent; the CLI renders it for
 * people) or an error message an agent can act on (MCP isError: true):
 * unknown services and operations come with suggestions, wrong argument
 * types name the argument and what it must be.
 *
 * Owner: rt_tools.c.  An rt_tools borrows the catalog, which must outlive
 * it; the search index is built at the first search (start-up stays a
 * mmap) and freed by rt_tools_fini().  Not thread-safe: one per thread.
 */
#ifndef RT_TOOLS_H
#define RT_TOOLS_H

#include <cjson/cJSON.h>
#include <stddef.h>

#include "alc_reader.h"
#include "rt_search.h"

/* Behaviour hints (MCP ToolAnnotations). */
#define RT_TOOL_READONLY    0x1u
#define RT_TOOL_DESTRUCTIVE 0x2u
#define RT_TOOL_IDEMPOTENT  0x4u
#define RT_TOOL_OPEN_WORLD  0x8u

typedef struct rt_tool_def {
	const char *name;
	const char *title;
	const char *description;
	const char *input_schema;   /* JSON text (draft 2020-12) */
	const char *output_schema;  /* JSON text */
	unsigned hints;             /* RT_TOOL_* */
} rt_tool_def;

/* The tools, in the order tools/list presents them.  Static data. */
size_t rt_tools_count(void);
const rt_tool_def *rt_tools_get(size_t i);
const rt_tool_def *rt_tools_find(const char *name);

struct rt_policy;
struct rt_plans;
struct rt_elicit;

typedef struct rt_tools {
	const alc_catalog *cat;
	rt_search *search;          /* NULL until the first search */
	struct rt_policy *policy;   /* NULL until the first decision */
	const char *region, *account, *profile; /* policy context, NULL: not
	                               known (rt_tools_set_context) */
	struct rt_plans *plans;     /* NULL until the first plan tool
	                               (rt_plan_tools.c) */
	const struct rt_elicit *elicit; /* how the client can be asked (set
	                               by the MCP server per call, rt_approve.h);
	                               NULL: it cannot */
	/* Pages of a paginated read (read_operation): set by the MCP server
	 * per call when the client asked for progress; a non-zero return
	 * stops after this page (rt_exec_progress_fn).  NULL: none. */
	int (*page_progress)(void *ud, int page, size_t items, int more);
	void *page_progress_ud;
	/* Steps of a long call (diff_plan: a change set being made): DONE
	 * grows in [0, 1), MESSAGE says what happens; a non-zero return stops
	 * (rt_diff_opts.progress).  Set like page_progress; NULL: none. */
	int (*step_progress)(void *ud, double done, const char *message);
	void *step_progress_ud;
} rt_tools;

void rt_tools_init(rt_tools *t, const alc_catalog *cat);
void rt_tools_fini(rt_tools *t);

/* The context of the policy decisions that describe_operation and
 * validate_input show ("policy", rt_policy.h): strings borrowed until the
 * next call or rt_tools_fini; NULL for what is not known. */
void rt_tools_set_context(rt_tools *t, const char *region,
                          const char *account, const char *profile);

/* Builds the search index now rather than at the first search (a server
 * calls it when idle).  Returns 0 or AL_ENOMEM. */
int rt_tools_prepare(rt_tools *t);

/* Limits of the tools' arguments and results. */
#define RT_SEARCH_LIMIT_DEFAULT 10
#define RT_SEARCH_LIMIT_MAX 50
#define RT_VIOLATIONS_SHOWN 100

/* Called between the steps of a call; a non-zero return abandons it. */
typedef int (*rt_tools_cancel_fn)(void *ctx);

typedef struct rt_tool_result {
	cJSON *structured;   /* the result, when error is NULL */
	char *error;         /* malloc'd message: the call failed (isError) */
	cJSON *input_required; /* MCP 2026-07-28: {inputRequests, requestState}:
	                        the client must answer first (request_approval) */
} rt_tool_result;

/* Run tool NAME on ARGS (an object; NULL is taken as {}).  Returns 0 with
 * exactly one of out->structured, out->error and out->input_required set; AL_ENOTFOUND for an
 * unknown tool; AL_ECANCELED when CANCEL (may be NULL) asked to stop;
 * AL_ENOMEM.  Free the result with rt_tool_result_free(). */
int rt_tools_call(rt_tools *t, const char *name, const cJSON *args,
                  rt_tool_result *out, rt_tools_cancel_fn cancel, void *ctx);
void rt_tool_result_free(rt_tool_result *r);

/* Service or operation lookups with the tools' error messages (used by the
 * CLI too).  On failure they return NULL and a malloc'd message in *err
 * that names near matches. */
const alc_service *rt_tools_service(const alc_catalog *cat, const char *name,
                                    char **err);
const alc_operation *rt_tools_operation(const alc_catalog *cat,
                                        const alc_service *svc,
                                        const char *name, char **err);

/* Protocol name of a service ("awsJson1_1", "restXml", ...). */
const char *rt_tools_protocol_name(unsigned protocol);

#endif
