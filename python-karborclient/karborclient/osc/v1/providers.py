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

"""openstack data protection provider list / show"""

from karborclient.osc.v1 import base
from karborclient.v1 import commands


class ListProviders(base.Lister):
    karbor_command = 'provider-list'

    def take_action(self, parsed_args):
        providers = self.client.providers.list(
            **commands.paging(parsed_args),
            name=parsed_args.name, description=parsed_args.description)
        return base.resource_rows(providers, ['Id', 'Name', 'Description'])


class ShowProvider(base.ShowOne):
    karbor_command = 'provider-show'

    def take_action(self, parsed_args):
        return base.fields(
            self.client.providers.get(parsed_args.provider_id).to_dict())
