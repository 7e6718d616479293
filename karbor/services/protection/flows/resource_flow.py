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

"""One TaskFlow graph flow for an operation over a resource graph.

Every resource gets one task per hook of its plugin's Operation, however
many parents it has, and the tasks are linked so that (a parent depends on
its children):

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

PREPARE_BEGIN = 'on_prepare_begin'
PREPARE_FINISH = 'on_prepare_finish'
MAIN = 'on_main'
COMPLETE = 'on_complete'
HOOKS = (PREPARE_BEGIN, PREPARE_FINISH, MAIN, COMPLETE)


class ResourceProgress(object):
    """What an operation records as its resources finish or fail."""

    def resource_done(self, resource):
        """All four hooks of ``resource`` succeeded."""

    def resource_failed(self, resource, error):
        """A hook of ``resource`` raised ``error``."""


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
    """Runs one hook of one resource's Operation."""

    def __init__(self, run, operation, hook, resource, parameters, progress):
        super().__init__(name=task_name(resource, hook))
        self._run = run
        self._hook = getattr(operation, hook)
        self._is_last = hook == COMPLETE
        self._resource = resource
        self._parameters = parameters
        self._progress = progress

    def execute(self):
        run = self._run
        try:
            self._hook(run.checkpoint, self._resource, run.context,
                       self._parameters, **run.hook_kwargs)
        except Exception as exc:
            self._progress.resource_failed(self._resource, exc)
            raise exception.ProtectionPluginError(
                resource_type=self._resource.type,
                resource_id=self._resource.id, reason=exc) from exc
        if self._is_last:
            self._progress.resource_done(self._resource)
            key = graph.resource_key(self._resource)
            new_id = run.hook_kwargs.get('new_resources', {}).get(key)
            return None if new_id is None else (key, new_id)


def build_flow(name, run, resource_graph, get_operation, parameters,
               progress):
    """The graph flow of one operation.

    ``get_operation(resource)`` returns the resource's Operation (None
    counts as one whose hooks do nothing); ``parameters`` are keyed by
    "<type>#<id>" or "<type>".
    """
    flow = graph_flow.Flow(name)
    tasks = {}
    nodes = list(graph.iter_nodes(resource_graph))
    for node in nodes:
        resource = node.value
        operation = get_operation(resource) or protection_plugin.Operation()
        own = {hook: HookTask(run, operation, hook, resource,
                              resource_parameters(parameters, resource),
                              progress)
               for hook in HOOKS}
        tasks[graph.resource_key(resource)] = own
        flow.add(*own.values())

    for node in nodes:
        own = tasks[graph.resource_key(node.value)]
        flow.link(own[PREPARE_BEGIN], own[PREPARE_FINISH])
        flow.link(own[PREPARE_FINISH], own[MAIN])
        flow.link(own[MAIN], own[COMPLETE])
        for child_node in node.child_nodes:
            child = tasks[graph.resource_key(child_node.value)]
            flow.link(own[PREPARE_BEGIN], child[PREPARE_BEGIN])
            flow.link(child[PREPARE_FINISH], own[PREPARE_FINISH])
            flow.link(child[COMPLETE], own[COMPLETE])
    return flow
