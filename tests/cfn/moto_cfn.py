#!/usr/bin/env python3
"""moto_cfn.py -H HOST -p PORT -- moto's server, with CloudFormation stack
execution made to behave like AWS's where moto 5 takes shortcuts.

moto executes a change set synchronously, writes only stack-level events and
never fails a stack ("TODO: handle execution errors and implement rollback"
in moto/cloudformation/models.py).  AWS instead returns from
ExecuteChangeSet at once, the stack goes *_IN_PROGRESS, every resource
writes its own events, and a resource that fails writes *_FAILED with its
reason and the stack rolls back.  This launcher patches moto (in this
process only) so that ExecuteChangeSet:

  - returns at once with the stack UPDATE_IN_PROGRESS (CREATE_IN_PROGRESS)
    and its "User Initiated" event;
  - applies the change set on a thread after a short delay, recording per
    resource <ACTION>_IN_PROGRESS then <ACTION>_COMPLETE, or <ACTION>_FAILED
    with 'Resource handler returned message: "<moto's exception>"' when
    moto's own resource code raises (an invalid property such as a
    VisibilityTimeout of "abc" does), spaced a little apart so that a
    client polling DescribeStackEvents sees them arrive;
  - ends the stack UPDATE_COMPLETE / CREATE_COMPLETE, or on failure
    UPDATE_ROLLBACK_IN_PROGRESS ("The following resource(s) failed to
    update: [Q].") then UPDATE_ROLLBACK_COMPLETE (ROLLBACK_* for a create),
    the sequence AWS writes (AWS CloudFormation User Guide, "Stack status
    codes" and "Monitor stack progress").

Nothing else of moto changes: CreateChangeSet, DescribeChangeSet,
ListChangeSets, DeleteChangeSet, DescribeStacks, ListStackResources are
moto's own, so what airlock reports of a change set is compared with what
moto (and boto3) say.  Only the test process runs this; moto is started on
loopback.
"""
import sys
import threading
import time

import moto.server
from moto.cloudformation import models, parsing

DELAY = 0.6      # seconds before the execution starts
STEP = 0.25      # seconds between resource events

_log = threading.local()


def _wrap(fn, action):
    def wrapper(logical_id, resource_json, *a, **kw):
        rec = getattr(_log, "rec", None)
        try:
            res = fn(logical_id, resource_json, *a, **kw)
        except Exception as e:  # moto's resource code refused it
            if rec is not None:
                rec[logical_id] = (action, resource_json.get("Type", "?"), str(e))
            raise
        if rec is not None and logical_id not in rec:
            rec[logical_id] = (action, resource_json.get("Type", "?"), None)
        return res
    return wrapper


parsing.parse_and_create_resource = _wrap(parsing.parse_and_create_resource, "CREATE")
parsing.parse_and_update_resource = _wrap(parsing.parse_and_update_resource, "UPDATE")


def _event(stack, logical_id, physical_id, rtype, status, reason=None):
    stack.events.append(models.Event(
        stack_id=stack.stack_id, stack_name=stack.name, logical_resource_id=logical_id,
        physical_resource_id=physical_id, resource_type=rtype, resource_status=status,
        resource_status_reason=reason, resource_properties=None))


def _stack_event(stack, status, reason=None):
    _event(stack, stack.name, stack.stack_id, "AWS::CloudFormation::Stack", status, reason)


def _physical(stack, logical_id):
    try:
        r = stack.resource_map._parsed_resources.get(logical_id)
        return getattr(r, "physical_resource_id", None) or logical_id
    except Exception:
        return logical_id


def _run(backend, change_set, stack, kind):
    time.sleep(DELAY)
    rec = {}
    _log.rec = rec
    failure = None
    try:
        change_set.apply()
    except Exception as e:
        failure = e
    finally:
        _log.rec = None
    removed = [c for c in change_set.changes if c.action == "Remove"]
    failed = []
    for lid, (action, rtype, why) in rec.items():
        _event(stack, lid, "", rtype, action + "_IN_PROGRESS")
        time.sleep(STEP)
        if why is None:
            _event(stack, lid, _physical(stack, lid), rtype, action + "_COMPLETE")
        else:
            failed.append(lid)
            _event(stack, lid, _physical(stack, lid), rtype, action + "_FAILED",
                   'Resource handler returned message: "%s"' % why)
        time.sleep(STEP)
    if failure is not None and not failed:
        failed.append(stack.name)
    if not failed:
        for c in removed:
            _event(stack, c.logical_resource_id, c.logical_resource_id, c.resource_type,
                   "DELETE_COMPLETE")
        stack.template = change_set.template
        change_set.execution_status = "EXECUTE_COMPLETE"
        stack.status = kind + "_COMPLETE"
        _stack_event(stack, stack.status)
        return
    change_set.execution_status = "EXECUTE_FAILED"
    verb = "update" if kind == "UPDATE" else "create"
    rb = "UPDATE_ROLLBACK" if kind == "UPDATE" else "ROLLBACK"
    stack.status = rb + "_IN_PROGRESS"
    _stack_event(stack, stack.status, "The following resource(s) failed to %s: [%s]. "
                 % (verb, ", ".join(failed)))
    time.sleep(STEP)
    stack.status = rb + "_COMPLETE"
    _stack_event(stack, stack.status)


def execute_change_set(self, change_set_name, stack_name=None):
    change_set = None
    if change_set_name in self.change_sets:
        change_set = self.change_sets[change_set_name]
    else:
        for cs in self.change_sets.values():
            if cs.change_set_name == change_set_name:
                change_set = cs
    if change_set is None:
        raise models.ValidationError(stack_name)
    stack = self.stacks[change_set.stack_id]
    kind = change_set.change_set_type
    stack.status = kind + "_IN_PROGRESS"
    _stack_event(stack, stack.status, "User Initiated")
    change_set.execution_status = "EXECUTE_IN_PROGRESS"
    threading.Thread(target=_run, args=(self, change_set, stack, kind), daemon=True).start()


models.CloudFormationBackend.execute_change_set = execute_change_set

if __name__ == "__main__":
    moto.server.main(sys.argv[1:])
