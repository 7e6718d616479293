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

"""openstack data protection service list / enable / disable"""

from karborclient.osc.v1 import base
from karborclient.v1 import commands


class ListServices(base.Lister):
    karbor_command = 'service-list'

    def take_action(self, parsed_args):
        return base.resource_rows(
            self.client.services.list(parsed_args.host, parsed_args.binary),
            commands.SERVICE_COLUMNS)


class EnableService(base.ShowOne):
    karbor_command = 'service-enable'

    def take_action(self, parsed_args):
        return base.fields(
            self.client.services.enable(parsed_args.service_id).to_dict())


class DisableService(base.ShowOne):
    karbor_command = 'service-disable'

    def take_action(self, parsed_args):
        if parsed_args.reason is None:
            service = self.client.services.disable(parsed_args.service_id)
        else:
            service = self.client.services.disable_log_reason(
                parsed_args.service_id, parsed_args.reason)
        return base.fields(service.to_dict())
