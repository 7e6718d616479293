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

"""Copy: run the copy hooks over the source checkpoint's resource graph.

    "copying" -> the graph flows of every resource's copy hooks
              -> end the copy "available", copy_status "finished"

The copy is a checkpoint of the provider that the source's provider names
as its ``copy_provider``, in that provider's bank, made "wait_copying"
when the copy was accepted (CheckpointCollection.create_copy). A bank
that is lost then leaves the other one restorable: that is what a copy is
for, so the copy holds everything a restore through its own provider
reads, not a pointer to the source.

The hooks are those of the source provider's plugins, which know the
format they wrote. Their ``checkpoint`` argument is the source, which
they only read; ``kwargs['checkpoint_copy']`` is the copy, whose
``get_resource_bank_section(resource_id)`` is where the copied data goes
(the names of the original Karbor's copy hooks). The source's status and
record are left alone: restores and verifications read it meanwhile,
and a delete of it waits (is refused) until the copy ended.

A resource whose hook raises is "error" with the exception's message and
ends the copy "error", as in a protect. The end is announced as
karbor.copy.end or .error (karbor.common.notification).
"""

from oslo_log import log as logging

from karbor.common import notification
from karbor import exception
from karbor.services.protection import checkpoint as checkpoints
from karbor.services.protection.flows import engine
from karbor.services.protection.flows import resource_flow

LOG = logging.getLogger(__name__)


def copy_resources(run, provider, checkpoint_copy, parameters,
                   progress=None):
    """Run every resource's copy hooks (``provider``: the source's) and
    end the copy "available" (each step may run again when resumed)."""
    checkpoint_copy.start_copying()
    name = 'copy resources of %s into %s' % (run.checkpoint.id,
                                             checkpoint_copy.id)
    flows = resource_flow.build_flows(
        name, run, run.checkpoint.resource_graph or [],
        lambda resource: provider.get_protection_plugin(
            resource.type).get_copy_operation(resource),
        parameters, resource_flow.CheckpointProgress(
            checkpoint_copy, checkpoints.AVAILABLE, checkpoints.ERROR))
    if progress is not None:
        progress.start(flows)
    engine.run_flows(name, flows, run.context, progress)
    checkpoint_copy.finish_copying()


def run(context, provider, source_id, checkpoint_copy, parameters, progress,
        claim):
    """Copy checkpoint ``source_id`` of ``provider`` into
    ``checkpoint_copy`` (in a background thread), from where ``progress``
    says earlier claims stopped; ``claim`` guards every write of the copy.
    A source that is gone fails the copy with that reason."""
    checkpoint_copy.guard = claim.check
    try:
        checkpoint_copy.adopt()
        source = provider.checkpoints.get(source_id)
        copy_resources(resource_flow.FlowRun(
            source, context, {'checkpoint_copy': checkpoint_copy}),
            provider, checkpoint_copy, parameters, progress)
    except Exception as exc:
        if claim.lost:
            return
        LOG.exception('Copying checkpoint %(source)s into %(copy)s failed.',
                      {'source': source_id, 'copy': checkpoint_copy.id})
        try:
            checkpoint_copy.fail(exc)
        except exception.ClaimLost:
            return
    notification.notify_checkpoint_done(
        context, 'copy', checkpoint_copy,
        failed=checkpoint_copy.status != checkpoints.AVAILABLE)
