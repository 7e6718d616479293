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

"""openstack data protection quotas show / default / update"""

from karborclient.osc.v1 import base
from karborclient.v1 import commands


def shown(quota):
    """A quota's fields, as both CLIs show them."""
    return base.fields(commands.quota_fields(quota))


class ShowQuotas(base.ShowOne):
    karbor_command = 'quota-show'

    def take_action(self, parsed_args):
        project = parsed_args.tenant or commands.own_project(self.client)
        return shown(self.client.quotas.get(project,
                                            detail=parsed_args.detail))


class ShowDefaultQuotas(base.ShowOne):
    karbor_command = 'quota-defaults'

    def take_action(self, parsed_args):
        project = parsed_args.tenant or commands.own_project(self.client)
        return shown(self.client.quotas.defaults(project))


class UpdateQuotas(base.ShowOne):
    karbor_command = 'quota-update'

    def take_action(self, parsed_args):
        return shown(self.client.quotas.update(
            parsed_args.tenant, commands.quota_limits(parsed_args)))
