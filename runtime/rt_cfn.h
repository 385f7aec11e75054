/*
 * rt_cfn.h -- CloudFormation, the declarative path of plans: a plan for
 * cloudformation CreateStack / UpdateStack is diffed by creating a change
 * set and describing it, and applied by executing that change set and
 * following the stack's events to the end; a DeleteStack plan is diffed by
 * listing the resources it would delete (ListStackResources), minus those
 * RetainResources names or whose DeletionPolicy (GetTemplate) keeps them.
 *
 * Every call made here (CreateChangeSet, DescribeChangeSet,
 * ExecuteChangeSet, DeleteChangeSet, ListChangeSets, DescribeStackEvents,
 * DescribeStacks, ListStackResources, GetTemplate) runs through the plans' executor
 * (rt_plans_execute: rt_exec, with the plan caller's profile and region)
 * and is one audit record of kind "call" naming the plan, its purpose
 * ("diff", "apply", "cleanup"), the input and the answer (sensitive
 * members redacted; a poll of DescribeStackEvents keeps the events newer
 * than those already recorded and counts the rest in
 * "olderEventsNotRepeated").  They are the plan's mechanism: the policy decided
 * the plan (CreateStack / UpdateStack), not these calls, so they need no
 * approval of their own; a plan the policy denies (now or when it was
 * made), or that is not waiting to be applied, never gets a change set.
 *
 * Change sets are named "airlock-<plan id>-<n>" (n = 1, 2, ... per diff
 * of the plan) and the current one is kept in the plan's mutable status
 * ("changeSet": id, name, stackId, type, seq, createdAt, and executedAt or
 * deletedAt), never in its digest content.  One that is never applied is
 * deleted: when the plan is diffed again (the previous one), when the plan
 * ends in any final state without executing it (Rejected, Expired,
 * ApplyFailed, Applied with no changes: rt_plans_modify calls
 * rt_cfn_cleanup after its commit, when the store has a catalog), and
 * whenever a change set is created to update a stack, every other "airlock-*"
 * change set of that stack whose plan this store knows as finished or
 * superseded (change sets of unknown plans -- another airlock home -- are
 * left alone).  A deletion that fails is audited and logged on stderr,
 * never fatal.
 *
 * Members of the plan's input that a change set cannot carry
 * (TimeoutInMinutes, StackPolicyBody/URL, StackPolicyDuringUpdateBody/URL,
 * EnableTerminationProtection) are listed in the diff as "notCarried";
 * such a plan is applied by sending the planned operation itself (exactly
 * as planned) and following its events, and its diff is the change set's
 * view of the template change only.
 *
 * Owner: rt_cfn.c.  Results are new cJSON trees owned by the caller.  One
 * thread at a time, like rt_plans.
 */
#ifndef RT_CFN_H
#define RT_CFN_H

#include <cjson/cJSON.h>
#include <stdio.h>

#include "alc_reader.h"
#include "rt_diff.h"
#include "rt_plan.h"

/* rt_cfn_handles and rt_cfn_diff are declared in rt_diff.h (the generic
 * diff hands CloudFormation plans here):
 *   rt_cfn_handles: 1 for cloudformation CreateStack, UpdateStack,
 *     DeleteStack.
 *   rt_cfn_diff: the diff of PL.  The result is rt_diff.h's object (kind
 *     "create" / "update" / "delete", status "computed", "read_failed" --
 *     the change set FAILED for another reason than "no changes", or a
 *     call failed: "error" says which -- or "cancelled") with changes at
 *     "/Resources/<LogicalId>" and, for CreateStack / UpdateStack, a
 *     "changeSet" object:
 *       {id, name, stackId, stackName, status, statusReason,
 *        executionStatus, changes: [{action (Add|Modify|Remove|Import|
 *        Dynamic), logicalId, physicalId, resourceType, replacement
 *        (True|False|Conditional|null), scope [...], details [{target
 *        {attribute, name, requiresRecreation, ...}, evaluation,
 *        changeSource, causingEntity}], ...}]}
 *     exactly as DescribeChangeSet says (every page, via NextToken; an
 *     absent member is null), plus "notCarried" (above).  A change set
 *     that FAILED because nothing changes is a computed, empty diff. */

/* Apply of a CloudFormation stack plan (rt_plan.c hands it here instead
 * of sending the operation).  DeleteStack (and a plan whose members a
 * change set cannot carry) is sent as planned and then followed like a
 * change set, to DELETE_COMPLETE (a stack that is not there: DeleteStack
 * is sent and nothing is followed).  CreateStack / UpdateStack execute the
 * plan's change set (created now when the plan was never diffed, or when
 * the stored one is gone or no longer AVAILABLE: changeSet.recreated),
 * then follow DescribeStackEvents (only
 * events after the execution started, oldest first) until the stack
 * reaches a final status, calling AO->progress per poll (one line per new
 * event) and AO->cancel between polls; polling is bounded
 * (RT_CFN_FOLLOW_MAX_S, or $AIRLOCK_CFN_TIMEOUT seconds).  RS gets, on
 * success, {StackId, StackName, StackStatus, Outputs, changeSet, events}
 * (nothing to change: {StackId, StackName, noChanges: true, changeSet,
 * message}, and the plan is Applied);
 * on failure an error {code, message, stackStatus, failedEvents: [{logicalId,
 * resourceType, physicalId, status, reason, timestamp}], events} whose
 * message names the failed resources and their reasons.  Codes:
 * "StackFailed" (ROLLBACK_*, *_FAILED), "ChangeSetFailed", "FollowStopped"
 * (cancelled or timed out: the stack goes on in AWS), or the AWS error of
 * a call.  Returns 0 (RS filled) or AL_ENOMEM. */
#define RT_CFN_FOLLOW_MAX_S 7200
int rt_cfn_apply(rt_plans *p, const rt_id *plan, const rt_id *tx, const rt_plan_exec_req *rq,
                 const rt_apply_opts *ao, rt_plan_exec_res *rs);

/* 1 when PL is final and holds a change set that was neither executed nor
 * deleted (rt_plans_modify then calls rt_cfn_cleanup after its commit). */
int rt_cfn_needs_cleanup(const rt_plan *pl);
/* Deletes plan ID's unexecuted change set (audited; failures logged). */
void rt_cfn_cleanup(rt_plans *p, const rt_id *plan, const rt_id *tx);

/* Fills RESULT (an rt_diff.h result object) from DESCRIBE, a
 * DescribeChangeSet output whose "Changes" hold every page: its
 * "changeSet", "changes", "summary", "status", "message".  Pure (tests
 * feed it recorded answers).  Returns 0 or AL_ENOMEM. */
int rt_cfn_changeset_result(cJSON *result, const cJSON *describe);

/* The DeletionPolicy of each resource of a template (JSON or YAML TEXT of
 * LEN bytes, at most RT_CFN_TEMPLATE_MAX): a new object {logicalId:
 * policy} for the resources that state one ("Retain", "Snapshot",
 * "Delete", "RetainExceptOnCreate" as written; "dynamic" when an intrinsic
 * function decides it).  NULL when the text is not a template (or on
 * ENOMEM).  rt_cfn_tpl.c; the DeleteStack diff reads GetTemplate with it. */
#define RT_CFN_TEMPLATE_MAX (1u << 20)
cJSON *rt_cfn_deletion_policies(const char *text, size_t len);

/* Prints a diff made here (change set or DeleteStack) for people: a
 * header line, then one line per resource ("+" add, "~" modify, "-"
 * remove, "!" replaced) with the replacement and each detail, coloured
 * when COLOUR.  Results of other plans are left to rt_diff_render. */
void rt_cfn_render(FILE *f, const cJSON *diff, int colour);

/* deploy_stack: STACK_NAME with a template (TEMPLATE_BODY or TEMPLATE_URL),
 * PARAMETERS (object name -> value, or CloudFormation's
 * [{ParameterKey, ParameterValue, ...}]), TAGS (object or [{Key, Value}]),
 * CAPABILITIES (array of strings), REGION / PROFILE (NULL: the
 * configuration's).  DescribeStacks (an audited read) tells whether the
 * stack exists (REVIEW_IN_PROGRESS counts as not existing): the plan is a
 * CreateStack or an UpdateStack, made like plan_operation, then diffed
 * (change set) when it is Planned.  Result: {plan: <plan_operation's
 * result>, diff: <rt_cfn_diff's result or null>, operation, nextStep}. */
typedef struct rt_cfn_deploy_req {
	const char *stack_name;
	const char *template_body, *template_url;
	const cJSON *parameters, *tags, *capabilities;
	const char *region, *profile;
} rt_cfn_deploy_req;
int rt_cfn_deploy(rt_plans *p, const rt_cfn_deploy_req *rq, const rt_diff_opts *opts,
                  rt_plan_out *o);

/* `airlock deploy STACK ...` (rt_cfn_cli.c): ARGV[0] is "deploy".
 * Returns the exit status (rt_cli.h). */
int rt_cfn_cli_main(int argc, char **argv);

/* The deploy_stack MCP tool (listed by rt_plan_tools.c): arguments
 * stack_name, template_body | template_url, parameters, tags,
 * capabilities, region, profile. */
#define RT_CFN_DEPLOY_INPUT_SCHEMA \
	"{\"type\":\"object\",\"properties\":{" \
	"\"stack_name\":{\"type\":\"string\",\"minLength\":1,\"maxLength\":128," \
	"\"description\":\"The stack's name.\"}," \
	"\"template_body\":{\"type\":\"string\",\"minLength\":1,\"description\":\"The template " \
	"(JSON or YAML). Give this or template_url.\"}," \
	"\"template_url\":{\"type\":\"string\",\"minLength\":1,\"description\":\"An S3 URL of " \
	"the template.\"}," \
	"\"parameters\":{\"type\":[\"object\",\"array\"],\"description\":\"Template parameters: " \
	"{\\\"Name\\\": \\\"value\\\"} or [{\\\"ParameterKey\\\", \\\"ParameterValue\\\"}].\"}," \
	"\"tags\":{\"type\":[\"object\",\"array\"],\"description\":\"Stack tags: " \
	"{\\\"key\\\": \\\"value\\\"} or [{\\\"Key\\\", \\\"Value\\\"}].\"}," \
	"\"capabilities\":{\"type\":\"array\",\"items\":{\"type\":\"string\"},\"description\":" \
	"\"CAPABILITY_IAM, CAPABILITY_NAMED_IAM, CAPABILITY_AUTO_EXPAND when the template " \
	"needs them.\"}," \
	"\"region\":{\"type\":\"string\",\"minLength\":1}," \
	"\"profile\":{\"type\":\"string\",\"minLength\":1}}," \
	"\"required\":[\"stack_name\"],\"additionalProperties\":false}"
#define RT_CFN_DEPLOY_OUTPUT_SCHEMA \
	"{\"type\":\"object\",\"properties\":{" \
	"\"operation\":{\"type\":\"string\",\"enum\":[\"CreateStack\",\"UpdateStack\"]}," \
	"\"plan\":{\"type\":\"object\",\"description\":\"The plan, as plan_operation returns it.\"}," \
	"\"diff\":{\"type\":[\"object\",\"null\"],\"description\":\"The change set: what the plan " \
	"would add, modify (and replace) and remove, as DescribeChangeSet says.\"}," \
	"\"nextStep\":{\"type\":\"string\"}}," \
	"\"required\":[\"operation\",\"plan\",\"diff\",\"nextStep\"]}"

#endif
