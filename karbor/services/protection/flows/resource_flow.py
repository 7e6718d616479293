# Licensed under the Apache License, Version 2.0 (the "License"); you may
# not use this file except in compliance with the License. You may obtain
# a copy of the License at
#
#      http://www.apache.org/licenses/LICENSE-2.0
#
# Unless required by applicable law or agreed to in writing, software
# distributed under the License is distributed on an "AS IS" BASIS, WITHOUT
# WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied. See the
# License for the specific language governing permissions and limitations
# under the License.

"""TaskFlow graph flows for an operation over a resource graph.

Every resource gets one task per hook of its plugin's Operation (but for
hooks it leaves to the base class, which do nothing), however many parents
it has, and the tasks are linked so that (a parent depends on its
children):

- a child's prepare_begin runs after its parents' prepare_begin;
- a resource's prepare_finish after its own prepare_begin and after every
  child's prepare_finish;
- a resource's main after its own prepare_finish;
- a resource's complete after its own main and every child's complete.

Tasks get the operation's checkpoint, context and ``hook_kwargs`` (the
extra keyword arguments of every hook) from a FlowRun when the flow is
built, not from TaskFlow's store, so that nothing but their states and
results is persisted (flows/engine.py). Task names are the resource key
and the hook: a flow built again to resume has the same ones. The last
task of a resource returns what the resource put into
``hook_kwargs['new_resources']`` (a restore's new resource), so that a
resumed restore gives it back to the resources that depend on it.
"""

import collections
import hashlib


from taskflow.patterns import graph_flow
from taskflow import task

from karbor import exception
from karbor.services.protection import graph
from karbor.services.protection import protection_plugin
from karbor.services.protection.protection_plugins import waiting

PREPARE_BEGIN = 'on_prepare_begin'
PREPARE_FINISH = 'on_prepare_finish'
MAIN = 'on_main'
COMPLETE = 'on_complete'
HOOKS = (PREPARE_BEGIN, PREPARE_FINISH, MAIN, COMPLETE)


class ResourceProgress(object):
    """What an operation records as its resources finish or fail."""

    # Whether a resource's failure fails the whole operation at once (its
    # flows stop); if not, the failed resource's later hooks are skipped
    # and the other resources go on.
    failure_ends_operation = True

    def resource_done(self, resource):
        """All four hooks of ``resource`` succeeded."""

    def resource_failed(self, resource, error):
        """A hook of ``resource`` raised ``error``."""

    def has_failed(self, resource):
        """Whether ``resource`` failed already (its hooks are skipped)."""
        return False


class CheckpointProgress(ResourceProgress):
    """Records each resource on the checkpoint an operation writes (a
    protect, a delete, a copy): ``done`` when its hooks passed, ``failed``
    with the reason when one raised."""

    def __init__(self, checkpoint, done, failed):
        self._checkpoint = checkpoint
        self._done = done
        self._failed = failed

    def resource_done(self, resource):
        self._checkpoint.update_resource_status(resource.type, resource.id,
                                                self._done)

    def resource_failed(self, resource, error):
        self._checkpoint.update_resource_status(
            resource.type, resource.id, self._failed, reason=error)


def resource_parameters(parameters, resource):
    """A resource's parameters: its own ("type#id"), else its type's."""
    parameters = parameters or {}
    key = graph.resource_key(resource)
    if key in parameters:
        return parameters[key]
    return parameters.get(resource.type, {})


FlowRun = collections.namedtuple('FlowRun',
                                 ['checkpoint', 'context', 'hook_kwargs'])


# TaskFlow's persistence keeps names of at most this many characters.
_LONGEST_TASK_NAME = 255


def task_name(resource, hook):
    key = graph.resource_key(resource)
    if len(key) + len(hook) + 1 > _LONGEST_TASK_NAME:
        key = '~' + hashlib.sha256(key.encode('utf-8')).hexdigest()
    return '%s %s' % (key, hook)


def restore_new_resources(run, finished_results):
    """Give a resumed operation back the new resources of the resources
    it had finished (``finished_results``: {task name: result})."""
    new_resources = run.hook_kwargs.get('new_resources')
    if new_resources is None:
        return
    for name, result in finished_results.items():
        if name.endswith(' ' + COMPLETE) and result is not None:
            key, new_id = result
            new_resources.setdefault(key, new_id)


class HookTask(task.Task):
    """Runs one hook of one resource's Operation.

    ``after`` names the tasks it follows; each task provides its own name
    as a symbol and requires those of the tasks it follows, and TaskFlow
    links the flow from that in one pass (flow.link() copies the whole
    graph for every link, which a large plan cannot afford).

    A hook that returns a waiting.Pending is handed over to the
    operation's executor (engine.py), which polls it and runs the task
    again once the wait is over: then the task finishes the hook.
    """

    def __init__(self, run, operation, hook, resource, parameters, progress,
                 after):
        name = task_name(resource, hook)
        super().__init__(name=name, provides=name, requires=sorted(after))
        self._run = run
        self._hook = getattr(operation, hook)
        self._is_last = hook == COMPLETE
        self._resource = resource
        self._parameters = parameters
        self._progress = progress
        # The wait that the hook returned and the executor polls.
        self._pending = None

    def execute(self, **earlier_results):
        run = self._run
        if self._progress.has_failed(self._resource):
            return None
        try:
            if self._pending is None:
                outcome = self._hook(run.checkpoint, self._resource,
                                     run.context, self._parameters,
                                     **run.hook_kwargs)
            else:
                # Run again by the executor: the wait is over.
                pending, self._pending = self._pending, None
                outcome = pending.finish()
            if (isinstance(outcome, waiting.Pending) and
                    waiting.hand_over(outcome)):
                self._pending = outcome
                return None
            waiting.finished(outcome)
        except Exception as exc:
            self._progress.resource_failed(self._resource, exc)
            if not self._progress.failure_ends_operation:
                return None
            raise exception.ProtectionPluginError(
                resource_type=self._resource.type,
                resource_id=self._resource.id, reason=exc) from exc
        if self._is_last:
            self._progress.resource_done(self._resource)
            key = graph.resource_key(self._resource)
            new_id = run.hook_kwargs.get('new_resources', {}).get(key)
            return None if new_id is None else (key, new_id)


def _predecessors(nodes):
    """{(resource key, hook): names of the tasks that run before it}."""
    after = {}
    for node in nodes:
        resource = node.value
        key = graph.resource_key(resource)
        for earlier, later in zip(HOOKS, HOOKS[1:]):
            after.setdefault((key, later), set()).add(
                task_name(resource, earlier))
        after.setdefault((key, PREPARE_BEGIN), set())
        for child_node in node.child_nodes:
            child = child_node.value
            child_key = graph.resource_key(child)
            after.setdefault((child_key, PREPARE_BEGIN), set()).add(
                task_name(resource, PREPARE_BEGIN))
            for hook in (PREPARE_FINISH, COMPLETE):
                after[(key, hook)].add(task_name(child, hook))
    return after


def _does_something(operation, hook):
    return (getattr(type(operation), hook) is not
            getattr(protection_plugin.Operation, hook))


def _without_idle_hooks(after, nodes, operations):
    """``after`` without the hooks that an Operation leaves to the base
    class (they do nothing): who followed one follows what it followed.

    Each task costs its persistence a few writes; a No-Op plan then costs
    one task per resource, not four. The last hook always stays: it
    records that the resource is done.
    """
    names = {}
    for node in nodes:
        key = graph.resource_key(node.value)
        for hook in HOOKS:
            names[task_name(node.value, hook)] = (key, hook)
    idle = {names_key for names_key in after
            if names_key[1] != COMPLETE and
            not _does_something(operations[names_key[0]], names_key[1])}
    expanded = {}

    def through(name):
        """What waiting for task ``name`` means once idle ones are gone."""
        if names[name] not in idle:
            return {name}
        if name not in expanded:
            expanded[name] = set().union(
                *(through(earlier) for earlier in after[names[name]]))
        return expanded[name]

    return {task: set().union(*(through(earlier) for earlier in earlier_ones))
            for task, earlier_ones in after.items() if task not in idle}


def _parts(nodes):
    """The nodes in groups that no parent-child link joins: the resources
    that must be ordered with each other are in one group."""
    group_of = {}

    def root(key):
        while group_of[key] != key:
            group_of[key] = group_of[group_of[key]]
            key = group_of[key]
        return key

    keys = {}
    for node in nodes:
        key = graph.resource_key(node.value)
        keys[key] = node
        group_of.setdefault(key, key)
        for child_node in node.child_nodes:
            child = graph.resource_key(child_node.value)
            group_of.setdefault(child, child)
            group_of[root(child)] = root(key)
    groups = {}
    for key in sorted(keys):
        groups.setdefault(root(key), []).append(keys[key])
    return list(groups.values())


# The most tasks one engine runs when independent parts are put together:
# TaskFlow compiles a flow in a time that grows with the square of its
# tasks, and every engine costs a flow detail and a driving thread. Of
# 25, 50, 100 and 200, 50 gave the fastest No-Op checkpoints of 100 and
# of 3,000 resources.
TASKS_PER_ENGINE = 50


def build_flows(name, run, resource_graph, get_operation, parameters,
                progress):
    """The graph flows of one operation: [(part name, flow)].

    Resources that a dependency joins are in one flow; independent ones
    are put together in flows of at most TASKS_PER_ENGINE tasks, each its
    own TaskFlow engine (engine.run_flows). So a plan of many independent
    resources pays neither the square of its size nor an engine per
    resource. ``get_operation(resource)`` returns the resource's Operation
    (None counts as one whose hooks do nothing); ``parameters`` are keyed
    by "<type>#<id>" or "<type>".
    """
    nodes = list(graph.iter_nodes(resource_graph))
    operations = {}
    for node in nodes:
        operations[graph.resource_key(node.value)] = (
            get_operation(node.value) or protection_plugin.Operation())
    after = _without_idle_hooks(_predecessors(nodes), nodes, operations)
    bins = []
    for part in _parts(nodes):
        tasks = []
        for node in part:
            resource = node.value
            key = graph.resource_key(resource)
            tasks.extend(
                HookTask(run, operations[key], hook, resource,
                         resource_parameters(parameters, resource), progress,
                         after[(key, hook)])
                for hook in HOOKS if (key, hook) in after)
        if bins and len(bins[-1]) + len(tasks) <= TASKS_PER_ENGINE:
            bins[-1].extend(tasks)
        else:
            bins.append(tasks)
    flows = []
    for index, tasks in enumerate(bins):
        part_name = 'part %d' % index
        flows.append((part_name, graph_flow.Flow(
            '%s, %s' % (name, part_name)).add(*tasks)))
    return flows
