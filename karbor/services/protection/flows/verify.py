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

"""Verify: run the verify hooks over the checkpoint's resource graph.

    the graph flows of every resource's verify hooks -> "success" or "fail"

Each resource is verified on its own: one that fails is reported "error"
with the exception's message, its later hooks are skipped, and the
others go on, so that one verification names every resource whose data
is damaged. A resource whose hooks all pass is "available" (unless its
plugin reported another status on the ``verify`` record it gets in the
hooks' keyword arguments). The verification ends "success" when every
resource is available, else "fail", announced as karbor.verify.end or
.error (karbor.common.notification). Children are verified before their
parents' on_complete, so a parent (a server) can read its children's
verdicts from ``verify.resources_status``.
"""

from karbor.objects import fields
from karbor.services.protection import checkpoint as checkpoints
from karbor.services.protection.flows import engine
from karbor.services.protection.flows import reading
from karbor.services.protection.flows import resource_flow
from karbor.services.protection import graph

# A resource's verdict: the checkpoint's own status names.
AVAILABLE = checkpoints.AVAILABLE
ERROR = checkpoints.ERROR


class _VerifyProgress(resource_flow.ResourceProgress):

    failure_ends_operation = False

    def __init__(self, verification):
        self._verification = verification

    def resource_done(self, resource):
        if graph.resource_key(resource) not in (
                self._verification.resources_status):
            self._verification.update_resource_status(
                resource.type, resource.id, AVAILABLE)

    def resource_failed(self, resource, error):
        self._verification.update_resource_status(
            resource.type, resource.id, ERROR, reason=error)

    def has_failed(self, resource):
        # Read from the record, so that a resumed verification skips what
        # failed before it was taken over.
        return self._verification.resources_status.get(
            graph.resource_key(resource)) == ERROR


def verify_resources(run, provider, verification, progress=None):
    """Run every resource's verify hooks, then give the verdict."""
    name = 'verify resources of %s' % verification.id
    resource_graph = run.checkpoint.resource_graph or []
    flows = resource_flow.build_flows(
        name, run, resource_graph,
        lambda resource: provider.get_protection_plugin(
            resource.type).get_verify_operation(resource),
        verification.parameters, _VerifyProgress(verification))
    if progress is not None:
        progress.start(flows)
    engine.run_flows(name, flows, run.context, progress)
    statuses = verification.resources_status
    verified = all(
        statuses.get(graph.resource_key(node.value)) == AVAILABLE
        for node in graph.iter_nodes(resource_graph))
    verification.status = (fields.RestoreStatus.SUCCESS if verified
                           else fields.RestoreStatus.FAIL)
    verification.save()


def run(context, provider, checkpoint, verification, progress, claim):
    """Verify ``checkpoint`` as ``verification`` says (in a background
    thread), from where ``progress`` says earlier claims stopped;
    ``claim`` guards every write."""
    flow_run = resource_flow.FlowRun(checkpoint, context,
                                     {'verify': verification})
    reading.run('verify', context, checkpoint, verification, claim,
                lambda: verify_resources(flow_run, provider, verification,
                                         progress))
