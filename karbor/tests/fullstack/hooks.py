# Licensed under the Apache License, Version 2.0 (the "License"); you may
# not use this file except in compliance with the License. You may obtain
# a copy of the License at
#
#      http://www.apache.org/licenses/LICENSE-2.0
#
# Unless required by applicable law or agreed to in writing, software
# distributed under the License is distributed on an "AS IS" BASIS, WITHOUT
# WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied. See the
# License for the specific language governing permissions and limitations
# under the License.

"""A protection plugin's operations run directly against the cloud, hook
after hook, as karbor-protection's flow runs them for one resource."""

from oslo_utils import uuidutils

from karbor.services.protection.flows import resource_flow
from karbor.services.protection.protection_plugins import waiting


class RestoreRecord(object):
    """The Restore object as the restore hooks use it."""

    def __init__(self):
        self.id = uuidutils.generate_uuid()
        self.resources_status = {}
        self.resources_reason = {}

    def update_resource_status(self, resource_type, resource_id, status,
                               reason=None):
        key = '%s#%s' % (resource_type, resource_id)
        self.resources_status[key] = status
        if reason is not None:
            self.resources_reason[key] = str(reason)


def run_hooks(operation, checkpoint, resource, context, parameters=None,
              **kwargs):
    for hook in resource_flow.HOOKS:
        waiting.finished(getattr(operation, hook)(
            checkpoint, resource, context, parameters or {}, **kwargs))
