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

"""Protect: build the resource graph and run the protect hooks.

    record the graph -> the graph flows of every resource's protect hooks
                     -> end the checkpoint "available"

The checkpoint already exists ("protecting") when this starts. It ends
"available", or "error" with each failed resource's reason; whatever
fails, it does not stay "protecting". The end is announced as
karbor.protect.end or .error (karbor.common.notification).
"""

from oslo_log import log as logging

from karbor.common import notification
from karbor import exception
from karbor.services.protection import checkpoint as checkpoints
from karbor.services.protection.flows import engine
from karbor.services.protection.flows import resource_flow
from karbor.services.protection.protectable_plugin import Resource

LOG = logging.getLogger(__name__)


def protect_resources(run, resource_graph, provider, parameters,
                      progress=None):
    """Record the graph, run every resource's protect hooks and end the
    checkpoint "available" (each step may run again when resumed)."""
    checkpoint = run.checkpoint
    checkpoint.start_protecting(resource_graph)
    name = 'protect resources of %s' % checkpoint.id
    flows = resource_flow.build_flows(
        name, run, resource_graph,
        lambda resource: provider.get_protection_plugin(
            resource.type).get_protect_operation(resource),
        parameters, resource_flow.CheckpointProgress(
            checkpoint, checkpoints.AVAILABLE, checkpoints.ERROR))
    if progress is not None:
        progress.start(flows)
    engine.run_flows(name, flows, run.context, progress)
    checkpoint.finish_protecting()


def run(context, provider, protectables, checkpoint, parameters, progress,
        claim):
    """Protect the checkpoint's plan into it (in a background thread),
    from where ``progress`` (engine.Progress) says earlier claims
    stopped; ``claim`` guards every write."""
    checkpoint.guard = claim.check
    try:
        checkpoint.adopt()
        # The graph a resumed protect recorded is the one it protects.
        resource_graph = checkpoint.resource_graph
        if resource_graph is None:
            resources = [Resource(**resource) for resource in
                         checkpoint.protection_plan['resources']]
            resource_graph = protectables.build_graph(context, resources,
                                                      provider.supports)
        protect_resources(resource_flow.FlowRun(checkpoint, context, {}),
                          resource_graph, provider, parameters, progress)
    except Exception as exc:
        if claim.lost:
            return
        LOG.exception('Protecting checkpoint %s failed.', checkpoint.id)
        try:
            checkpoint.fail(exc)
        except exception.ClaimLost:
            return
    notification.notify_checkpoint_done(
        context, 'protect', checkpoint,
        failed=checkpoint.status != checkpoints.AVAILABLE)
