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

"""openstack data protection verification create / list / show"""

from karborclient.osc.v1 import base
from karborclient.v1 import arguments
from karborclient.v1 import commands


class ListVerifications(base.Lister):
    karbor_command = 'verification-list'

    def take_action(self, parsed_args):
        verifications = self.client.verifications.list(
            **commands.paging(parsed_args),
            status=parsed_args.status,
            checkpoint_id=parsed_args.checkpoint_id,
            **commands.tenant_filters(parsed_args))
        return base.resource_rows(verifications, [
            'Id', 'Project id', 'Provider id', 'Checkpoint id', 'Parameters',
            'Status'])


class ShowVerification(base.ShowOne):
    karbor_command = 'verification-show'

    def take_action(self, parsed_args):
        return base.fields(
            self.client.verifications.get(parsed_args.verification)
            .to_dict())


class CreateVerification(base.WaitingShowOne):
    karbor_command = 'verification-create'

    def take_action(self, parsed_args):
        parameters = arguments.parse_parameters(parsed_args.parameters,
                                                parsed_args.parameters_json)
        verification = self.client.verifications.create(
            parsed_args.provider_id, parsed_args.checkpoint_id, parameters)
        return self.wait_then_fields(
            parsed_args, verification.to_dict(),
            lambda: self.client.verifications.get(verification.id)
            .to_dict(),
            commands.RESTORE_SUCCEEDED, commands.RESTORE_FAILED,
            commands.progress('verification'))
