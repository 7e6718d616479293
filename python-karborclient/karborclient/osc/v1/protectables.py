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

"""openstack data protection protectable list / show, and protectable
instance list / show"""

from karborclient.osc.v1 import base
from karborclient.v1 import arguments
from karborclient.v1 import commands


class ListProtectables(base.Lister):
    karbor_command = 'protectable-list'

    def take_action(self, parsed_args):
        return base.rows([{'protectable_type': protectable_type}
                          for protectable_type
                          in self.client.protectables.list()],
                         ['Protectable type'])


class ShowProtectable(base.ShowOne):
    karbor_command = 'protectable-show'

    def take_action(self, parsed_args):
        return base.fields(self.client.protectables.get(
            parsed_args.protectable_type).to_dict())


class ListProtectableInstances(base.Lister):
    karbor_command = 'protectable-list-instances'

    def take_action(self, parsed_args):
        instances = self.client.protectables.list_instances(
            parsed_args.protectable_type, **commands.paging(parsed_args),
            parameters=arguments.parse_key_values(parsed_args.parameters),
            type=parsed_args.type)
        return base.resource_rows(instances, ['Id', 'Type', 'Name',
                                              'Dependent resources',
                                              'Extra info'])


class ShowProtectableInstance(base.ShowOne):
    karbor_command = 'protectable-show-instance'

    def take_action(self, parsed_args):
        return base.fields(self.client.protectables.get_instance(
            parsed_args.protectable_type, parsed_args.protectable_id,
            parameters=arguments.parse_key_values(parsed_args.parameters))
            .to_dict())
