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

"""A protection plugin whose hooks take their time and say so.

Every protect, restore and delete of a volume spends
KARBOR_SLOW_PLUGIN_SECONDS in its main hook and appends, before and after,
a line "<pid> <start|end> <operation> <id of the checkpoint or restore>
<resource id>" to the file KARBOR_SLOW_PLUGIN_LOG: what a test reads to
see which worker ran what, and that nothing finished ran again.
"""

import os
import time

from karbor.services.protection import protection_plugin

VOLUME = 'OS::Cinder::Volume'


def _note(event, operation, subject_id, resource):
    line = '%d %s %s %s %s\n' % (os.getpid(), event, operation, subject_id,
                                 resource.id)
    # One write of a line opened for appending lands whole.
    with open(os.environ['KARBOR_SLOW_PLUGIN_LOG'], 'a') as log:
        log.write(line)


class _Slow(protection_plugin.Operation):

    def __init__(self, operation):
        self._operation = operation

    def on_main(self, checkpoint, resource, context, parameters, **kwargs):
        restore = kwargs.get('restore')
        subject_id = restore.id if restore is not None else checkpoint.id
        _note('start', self._operation, subject_id, resource)
        time.sleep(float(os.environ.get('KARBOR_SLOW_PLUGIN_SECONDS', 1)))
        _note('end', self._operation, subject_id, resource)


class SlowProtectionPlugin(protection_plugin.ProtectionPlugin):
    """Entry point karbor-slow-protection-plugin (volumes)."""

    def get_protect_operation(self, resource):
        return _Slow('protect')

    def get_restore_operation(self, resource):
        return _Slow('restore')

    def get_delete_operation(self, resource):
        return _Slow('delete')

    @classmethod
    def get_supported_resources_types(cls):
        return [VOLUME]

    @classmethod
    def get_options_schema(cls, resource_type):
        return protection_plugin.EMPTY_SCHEMA

    @classmethod
    def get_restore_schema(cls, resource_type):
        return protection_plugin.EMPTY_SCHEMA

    @classmethod
    def get_saved_info_schema(cls, resource_type):
        return protection_plugin.EMPTY_SCHEMA
