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

"""openstack data protection quotaclass show / update"""

from karborclient.osc.v1 import base
from karborclient.osc.v1 import quotas
from karborclient.v1 import commands


class ShowQuotaClasses(base.ShowOne):
    karbor_command = 'quota-class-show'

    def take_action(self, parsed_args):
        return quotas.shown(
            self.client.quota_classes.get(parsed_args.class_name))


class UpdateQuotaClasses(base.ShowOne):
    karbor_command = 'quota-class-update'

    def take_action(self, parsed_args):
        return quotas.shown(self.client.quota_classes.update(
            parsed_args.class_name, commands.quota_limits(parsed_args)))
