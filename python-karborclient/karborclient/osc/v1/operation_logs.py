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

"""openstack data protection operationlog list / show"""

from karborclient.osc.v1 import base
from karborclient.v1 import commands


class ListOperationLogs(base.Lister):
    karbor_command = 'operationlog-list'

    def take_action(self, parsed_args):
        logs = self.client.operation_logs.list(
            **commands.paging(parsed_args),
            status=parsed_args.status,
            operation_type=parsed_args.operation_type,
            checkpoint_id=parsed_args.checkpoint_id,
            plan_id=parsed_args.plan_id,
            scheduled_operation_id=parsed_args.scheduled_operation_id,
            **commands.tenant_filters(parsed_args))
        return base.resource_rows(logs, [
            'Id', 'Operation Type', 'Checkpoint id', 'Plan Id',
            'Provider id', 'Restore Id', 'Scheduled Operation Id', 'Status',
            'Started At', 'Ended At', 'Error Info', 'Extra Info'])


class ShowOperationLog(base.ShowOne):
    karbor_command = 'operationlog-show'

    def take_action(self, parsed_args):
        return base.fields(self.client.operation_logs.get(
            parsed_args.operation_log).to_dict())
