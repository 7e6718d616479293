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

"""Restore: run the restore hooks over the checkpoint's resource graph.

    the graph flows of every resource's restore hooks -> "success"

Plugins report each restored resource on the Restore object; a resource
whose hook raises is reported "error" with the exception's message. The
restore ends "success" or "fail", announced as karbor.restore.end or
.error (karbor.common.notification).
"""

from karbor.objects import fields
from karbor.services.protection import checkpoint as checkpoints
from karbor.services.protection.flows import engine
from karbor.services.protection.flows import reading
from karbor.services.protection.flows import resource_flow


class _RestoreProgress(resource_flow.ResourceProgress):

    def __init__(self, restore):
        self._restore = restore

    def resource_failed(self, resource, error):
        self._restore.update_resource_status(resource.type, resource.id,
                                             checkpoints.ERROR, reason=error)


def restore_resources(run, provider, restore, progress=None):
    """Run every resource's restore hooks and end the restore "success";
    resumed, the new resources of the resources finished before are given
    back first."""
    name = 'restore resources of %s' % restore.id
    flows = resource_flow.build_flows(
        name, run, run.checkpoint.resource_graph or [],
        lambda resource: provider.get_protection_plugin(
            resource.type).get_restore_operation(resource),
        restore.parameters, _RestoreProgress(restore))
    if progress is not None:
        resource_flow.restore_new_resources(
            run, progress.start(flows))
    engine.run_flows(name, flows, run.context, progress)
    restore.status = fields.RestoreStatus.SUCCESS
    restore.save()


def run(context, provider, checkpoint, restore, restore_auth, progress,
        claim):
    """Restore ``checkpoint`` as ``restore`` says (in a background
    thread), from where ``progress`` says earlier claims stopped;
    ``claim`` guards every write."""
    hook_kwargs = {'restore': restore, 'new_resources': {}}
    if restore_auth is not None:
        hook_kwargs['restore_auth'] = restore_auth
    if restore.restore_target is not None:
        hook_kwargs['restore_target'] = restore.restore_target
    flow_run = resource_flow.FlowRun(checkpoint, context, hook_kwargs)
    reading.run('restore', context, checkpoint, restore, claim,
                lambda: restore_resources(flow_run, provider, restore,
                                          progress))
