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

"""openstack data protection restore create / list / show"""

from karborclient.osc.v1 import base
from karborclient.v1 import arguments
from karborclient.v1 import commands


class ListRestores(base.Lister):
    karbor_command = 'restore-list'

    def take_action(self, parsed_args):
        restores = self.client.restores.list(
            **commands.paging(parsed_args),
            status=parsed_args.status,
            checkpoint_id=parsed_args.checkpoint_id,
            **commands.tenant_filters(parsed_args))
        return base.resource_rows(restores, [
            'Id', 'Project id', 'Provider id', 'Checkpoint id',
            'Restore target', 'Parameters', 'Status'])


class ShowRestore(base.ShowOne):
    karbor_command = 'restore-show'

    def take_action(self, parsed_args):
        return base.fields(
            self.client.restores.get(parsed_args.restore).to_dict())


class CreateRestore(base.WaitingShowOne):
    karbor_command = 'restore-create'

    def take_action(self, parsed_args):
        parameters = arguments.parse_parameters(parsed_args.parameters,
                                                parsed_args.parameters_json)
        restore = self.client.restores.create(
            parsed_args.provider_id, parsed_args.checkpoint_id,
            parsed_args.restore_target, parameters,
            commands.restore_auth(parsed_args))
        return self.wait_then_fields(
            parsed_args, restore.to_dict(),
            lambda: self.client.restores.get(restore.id).to_dict(),
            commands.RESTORE_SUCCEEDED, commands.RESTORE_FAILED,
            commands.progress('restore'))
