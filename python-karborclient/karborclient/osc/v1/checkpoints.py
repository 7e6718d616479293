#    Licensed under the Apache License, Version 2.0 (the "License"); you may
#    not use this file except in compliance with the License. You may obtain
#    a copy of the License at
#
#         http://www.apache.org/licenses/LICENSE-2.0
#
#    Unless required by applicable law or agreed to in writing, software
#    distributed under the License is distributed on an "AS IS" BASIS, WITHOUT
#    WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied. See the
#    License for the specific language governing permissions and limitations
#    under the License.

"""openstack data protection checkpoint create / list / show / delete /
reset state / copy"""

from karborclient.osc.v1 import base
from karborclient.v1 import arguments
from karborclient.v1 import commands


class ListCheckpoints(base.Lister):
    karbor_command = 'checkpoint-list'

    def take_action(self, parsed_args):
        checkpoints = self.client.checkpoints.list(
            parsed_args.provider_id, **commands.paging(parsed_args),
            plan_id=parsed_args.plan_id,
            start_date=parsed_args.start_date,
            end_date=parsed_args.end_date,
            project_id=parsed_args.project_id,
            all_tenants=parsed_args.all_tenants or None)
        return base.rows(
            [commands.decoded_checkpoint(c.to_dict()) for c in checkpoints],
            ['Id', 'Project id', 'Status', 'Protection plan', 'Metadata',
             'Created at'],
            {'Protection plan': commands.plan_summary,
             'Metadata': lambda checkpoint: checkpoint.get('extra_info')})


class ShowCheckpoint(base.ShowOne):
    karbor_command = 'checkpoint-show'

    def take_action(self, parsed_args):
        checkpoint = commands.checkpoint_with_restores(
            self.client, parsed_args.provider_id, parsed_args.checkpoint_id)
        return base.fields(commands.shown_checkpoint(checkpoint))


class CreateCheckpoint(base.WaitingShowOne):
    karbor_command = 'checkpoint-create'

    def take_action(self, parsed_args):
        extra_info = None
        if parsed_args.extra_info is not None:
            extra_info = arguments.parse_key_values(parsed_args.extra_info)
        checkpoint = self.client.checkpoints.create(
            parsed_args.provider_id, parsed_args.plan_id, extra_info)
        return self.wait_then_fields(
            parsed_args, checkpoint.to_dict(),
            lambda: self.client.checkpoints.get(parsed_args.provider_id,
                                                checkpoint.id).to_dict(),
            commands.CHECKPOINT_SUCCEEDED, commands.CHECKPOINT_FAILED,
            commands.progress('checkpoint'), commands.shown_checkpoint)


class DeleteCheckpoint(base.Command):
    karbor_command = 'checkpoint-delete'


class ResetCheckpointState(base.Command):
    karbor_command = 'checkpoint-reset-state'


class CopyCheckpoints(base.Command):
    karbor_command = 'checkpoint-copy'
