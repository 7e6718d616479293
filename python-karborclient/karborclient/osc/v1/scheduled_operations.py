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

"""openstack data protection scheduledoperation create / list / show /
delete"""

from karborclient.osc.v1 import base
from karborclient.v1 import commands


class ListScheduledOperations(base.Lister):
    karbor_command = 'scheduledoperation-list'

    def take_action(self, parsed_args):
        operations = self.client.scheduled_operations.list(
            **commands.paging(parsed_args),
            name=parsed_args.name, operation_type=parsed_args.operation_type,
            trigger_id=parsed_args.trigger_id,
            operation_definition=parsed_args.operation_definition,
            **commands.tenant_filters(parsed_args))
        return base.resource_rows(operations, [
            'Id', 'Name', 'Operation Type', 'Trigger Id',
            'Operation Definition'])


class ShowScheduledOperation(base.ShowOne):
    karbor_command = 'scheduledoperation-show'

    def take_action(self, parsed_args):
        return base.fields(self.client.scheduled_operations.get(
            parsed_args.scheduledoperation).to_dict())


class CreateScheduledOperation(base.ShowOne):
    karbor_command = 'scheduledoperation-create'

    def take_action(self, parsed_args):
        return base.fields(self.client.scheduled_operations.create(
            parsed_args.name, parsed_args.operation_type,
            parsed_args.trigger_id, parsed_args.operation_definition,
            description=parsed_args.description).to_dict())


class DeleteScheduledOperation(base.Command):
    karbor_command = 'scheduledoperation-delete'
