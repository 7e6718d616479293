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

"""openstack data protection plan create / list / show / update / delete"""

from karborclient.osc.v1 import base
from karborclient.v1 import arguments
from karborclient.v1 import commands


class ListPlans(base.Lister):
    karbor_command = 'plan-list'

    def take_action(self, parsed_args):
        plans = self.client.plans.list(
            **commands.paging(parsed_args),
            name=parsed_args.name, description=parsed_args.description,
            status=parsed_args.status, **commands.tenant_filters(parsed_args))
        return base.resource_rows(plans, ['Id', 'Name', 'Description',
                                          'Provider id', 'Status'])


class ShowPlan(base.ShowOne):
    karbor_command = 'plan-show'

    def take_action(self, parsed_args):
        return base.fields(self.client.plans.get(parsed_args.plan).to_dict())


class CreatePlan(base.ShowOne):
    karbor_command = 'plan-create'

    def take_action(self, parsed_args):
        parameters = arguments.parse_parameters(parsed_args.parameters,
                                                parsed_args.parameters_json)
        resources = commands.checked_resources(
            self.client, parsed_args.resources, 'create the plan')
        plan = self.client.plans.create(
            parsed_args.name, parsed_args.provider_id, resources, parameters,
            description=parsed_args.description)
        return base.fields(plan.to_dict())


class UpdatePlan(base.ShowOne):
    karbor_command = 'plan-update'

    def take_action(self, parsed_args):
        changes = commands.plan_changes(self.client, parsed_args)
        return base.fields(self.client.plans.update(parsed_args.plan_id,
                                                    changes).to_dict())


class DeletePlan(base.Command):
    karbor_command = 'plan-delete'
