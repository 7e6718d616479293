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

"""Delete: run the delete hooks, then remove the checkpoint's data.

    the graph flows of every resource's delete hooks -> remove the data

The checkpoint is already "deleting" when this starts. The last step
removes the resources' data and the indices and leaves the record,
"deleted". A failure leaves it "error-deleting" with the reasons. The
end is announced as karbor.delete.end or .error
(karbor.common.notification).
"""

from oslo_log import log as logging

from karbor.common import notification
from karbor import exception
from karbor.services.protection import checkpoint as checkpoints
from karbor.services.protection.flows import engine
from karbor.services.protection.flows import resource_flow

LOG = logging.getLogger(__name__)


def delete_resources(run, provider, progress=None):
    """Run every resource's delete hooks, then remove the checkpoint's data
    (each step may run again when resumed)."""
    checkpoint = run.checkpoint
    name = 'delete resources of %s' % checkpoint.id
    flows = resource_flow.build_flows(
        name, run,
        # A checkpoint that failed before its graph was built has no
        # resource data to delete.
        checkpoint.resource_graph or [],
        lambda resource: provider.get_protection_plugin(
            resource.type).get_delete_operation(resource),
        {}, resource_flow.CheckpointProgress(
            checkpoint, checkpoints.DELETED, checkpoints.ERROR))
    if progress is not None:
        progress.start(flows)
    engine.run_flows(name, flows, run.context, progress)
    checkpoint.finish_deleting()


def run(context, provider, checkpoint, progress, claim):
    """Delete ``checkpoint`` (in a background thread), from where
    ``progress`` says earlier claims stopped; ``claim`` guards every
    write."""
    checkpoint.guard = claim.check
    try:
        checkpoint.adopt()
        delete_resources(resource_flow.FlowRun(checkpoint, context, {}),
                         provider, progress)
    except Exception as exc:
        if claim.lost:
            return
        LOG.exception('Deleting checkpoint %s failed.', checkpoint.id)
        try:
            checkpoint.fail(exc)
        except exception.ClaimLost:
            return
    notification.notify_checkpoint_done(
        context, 'delete', checkpoint,
        failed=checkpoint.status != checkpoints.DELETED)
