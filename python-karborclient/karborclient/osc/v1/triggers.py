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

"""openstack data protection trigger create / list / show / update /
delete"""

from karborclient.osc.v1 import base
from karborclient.v1 import commands


class ListTriggers(base.Lister):
    karbor_command = 'trigger-list'

    def take_action(self, parsed_args):
        triggers = self.client.triggers.list(
            **commands.paging(parsed_args),
            name=parsed_args.name, type=parsed_args.type,
            **commands.tenant_filters(parsed_args))
        return base.resource_rows(triggers, ['Id', 'Name', 'Type',
                                             'Properties'])


class ShowTrigger(base.ShowOne):
    karbor_command = 'trigger-show'

    def take_action(self, parsed_args):
        return base.fields(
            self.client.triggers.get(parsed_args.trigger).to_dict())


class CreateTrigger(base.ShowOne):
    karbor_command = 'trigger-create'

    def take_action(self, parsed_args):
        return base.fields(self.client.triggers.create(
            parsed_args.name, parsed_args.type, parsed_args.properties)
            .to_dict())


class UpdateTrigger(base.ShowOne):
    karbor_command = 'trigger-update'

    def take_action(self, parsed_args):
        return base.fields(self.client.triggers.update(
            parsed_args.trigger_id, commands.trigger_changes(parsed_args))
            .to_dict())


class DeleteTrigger(base.Command):
    karbor_command = 'trigger-delete'
