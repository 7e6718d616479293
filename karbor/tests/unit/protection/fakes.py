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

"""Test doubles of the protection service's tests."""

import os
import threading
import time
import uuid

from oslo_config import cfg
from oslo_utils import uuidutils

from karbor.services.protection.bank_plugins import file_system_bank_plugin
from karbor.services.protection.flows import engine
from karbor.services.protection.flows import protect as protect_flow
from karbor.services.protection import protection_plugin
from karbor.services.protection import protection_plugins
from karbor.services.protection import provider

VOLUME = 'OS::Cinder::Volume'
SERVER = 'OS::Nova::Server'
PROJECT = 'OS::Keystone::Project'

OPTIONS_SCHEMA = {
    'type': 'object',
    'properties': {'backup_mode': {'enum': ['full', 'incremental']}},
    'additionalProperties': False,
}


class RecordingOperation(protection_plugin.Operation):
    """Records the start and the end of every hook call, in order.

    Hooks of the resources in ``slow`` take a while, so that a hook that
    ran too early, before theirs ended, shows in the record.
    """

    def __init__(self, slow=()):
        self.events = []
        self._lock = threading.Lock()
        self._slow = slow

    def _run(self, resource, hook):
        with self._lock:
            self.events.append(('start', resource.id, hook))
        if resource.id in self._slow:
            time.sleep(0.02)
        with self._lock:
            self.events.append(('end', resource.id, hook))

    def on_prepare_begin(self, checkpoint, resource, context, parameters,
                         **kwargs):
        self._run(resource, 'on_prepare_begin')

    def on_prepare_finish(self, checkpoint, resource, context, parameters,
                          **kwargs):
        self._run(resource, 'on_prepare_finish')

    def on_main(self, checkpoint, resource, context, parameters, **kwargs):
        self._run(resource, 'on_main')

    def on_complete(self, checkpoint, resource, context, parameters,
                    **kwargs):
        self._run(resource, 'on_complete')


class _WriteData(protection_plugin.Operation):
    """Writes the resource's data into the checkpoint; fails for resources
    whose name starts with "fail"."""

    def on_main(self, checkpoint, resource, context, parameters, **kwargs):
        if resource.name.startswith('fail'):
            raise RuntimeError('disk full while copying %s' % resource.name)
        section = checkpoint.get_resource_bank_section(
            '%s#%s' % (resource.type, resource.id))
        section.update_object('data', b'protected bytes of ' +
                              resource.name.encode())


class _RemoveData(protection_plugin.Operation):
    def on_main(self, checkpoint, resource, context, parameters, **kwargs):
        section = checkpoint.get_resource_bank_section(
            '%s#%s' % (resource.type, resource.id))
        section.delete_object('data')


class _CheckData(protection_plugin.Operation):
    """Reads the resource's data back and compares it with what protect
    wrote."""

    def on_main(self, checkpoint, resource, context, parameters, **kwargs):
        section = checkpoint.get_resource_bank_section(
            '%s#%s' % (resource.type, resource.id))
        if section.get_object('data') != (b'protected bytes of ' +
                                          resource.name.encode()):
            raise RuntimeError('the data of %s changed' % resource.name)


class _CopyData(protection_plugins.CopySection):
    """Copies the resource's data; fails for resources whose name starts
    with "nocopy"."""

    def on_main(self, checkpoint, resource, context, parameters, **kwargs):
        if resource.name.startswith('nocopy'):
            raise RuntimeError('the copy bank refuses %s' % resource.name)
        super().on_main(checkpoint, resource, context, parameters, **kwargs)


class DataWritingProtectionPlugin(protection_plugin.ProtectionPlugin):
    """Entry point karbor-test-protection-plugin (volumes and projects):
    a restore reads the data back, as a verification does."""

    def get_verify_operation(self, resource):
        return _CheckData()

    def get_protect_operation(self, resource):
        return _WriteData()

    def get_restore_operation(self, resource):
        return _CheckData()

    def get_copy_operation(self, resource):
        return _CopyData()

    def get_delete_operation(self, resource):
        return _RemoveData()

    @classmethod
    def get_supported_resources_types(cls):
        return [VOLUME, PROJECT]

    @classmethod
    def get_options_schema(cls, resource_type):
        return OPTIONS_SCHEMA

    @classmethod
    def get_restore_schema(cls, resource_type):
        return protection_plugin.EMPTY_SCHEMA

    @classmethod
    def get_saved_info_schema(cls, resource_type):
        return protection_plugin.EMPTY_SCHEMA


def provider_config(directory, text):
    """A provider's ConfigOpts, read from a provider file with ``text``."""
    path = os.path.join(directory, 'provider-%s.conf' % uuid.uuid4().hex)
    with open(path, 'w') as stream:
        stream.write(text)
    config = cfg.ConfigOpts()
    config.register_opts(provider.provider_opts, group='provider')
    config(args=[], default_config_files=[path], default_config_dirs=[],
           use_env=False)
    return config


def loaded_provider(directory, provider_id, plugin):
    """A provider of ``plugin`` (its entry point's name) on a file-system
    bank in ``directory``/bank, loaded as karbor-protection loads one."""
    path = os.path.join(directory, 'provider-%s.conf' % provider_id)
    with open(path, 'w') as stream:
        stream.write(
            '[provider]\nname = Test\nid = %s\nplugin = %s\n'
            'bank = karbor-fs-bank-plugin\nenabled = True\n'
            '[file_system_bank_plugin]\nfile_system_bank_path = %s\n'
            % (provider_id, plugin, os.path.join(directory, 'bank')))
    return provider._load_provider(path)


def fs_bank_plugin(directory, **options):
    """A file-system bank plugin whose bank is ``directory``/bank."""
    lines = ['[provider]', 'name = Test', 'id = %s' % uuid.uuid4(),
             'bank = karbor-fs-bank-plugin', '[file_system_bank_plugin]',
             'file_system_bank_path = %s' % os.path.join(directory, 'bank')]
    lines.extend('%s = %s' % item for item in options.items())
    return file_system_bank_plugin.FileSystemBankPlugin(
        provider_config(directory, '\n'.join(lines) + '\n'))


# [service_user] as the cloud deployment's karbor.conf has it.
SERVICE_USER_CONF = '''[service_user]
send_service_user_token = true
auth_type = password
auth_url = http://127.0.0.1:5000/v3
username = karbor
password = karbor
project_name = service
user_domain_name = Default
project_domain_name = Default
'''


class HeldClaim(object):
    """A claim on an operation that no other worker takes over."""

    lost = False
    operation_id = 'operation-of-the-test'

    def check(self):
        pass


def progress():
    """The progress of a new operation's first claim (kept in the
    database of the ``database`` fixture)."""
    return engine.Progress(uuidutils.generate_uuid(), 1)


def protect(context, provider, protectables, checkpoint, plan):
    """Run a protect as a worker that claimed it does."""
    protect_flow.run(context, provider, protectables, checkpoint,
                     plan.parameters, progress(), HeldClaim())
