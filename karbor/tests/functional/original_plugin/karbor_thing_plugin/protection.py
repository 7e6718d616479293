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

from functools import partial

from oslo_config import cfg
from oslo_log import log as logging
from oslo_utils import uuidutils

from karbor.common import constants
from karbor import exception
from karbor.i18n import _
from karbor.services.protection import protection_plugin
from karbor.services.protection.protection_plugins import utils

import karbor_thing_plugin

LOG = logging.getLogger(__name__)

thing_protection_opts = [
    cfg.IntOpt('chunk_size', default=4,
               help=_('Characters of a thing kept in one bank object.')),
]


def _chunk_names(bank_section):
    return sorted((key for key in bank_section.list_objects(prefix='data_')),
                  key=lambda key: int(key.split('_')[-1]))


class ProtectOperation(protection_plugin.Operation):
    def __init__(self, chunk_size):
        super(ProtectOperation, self).__init__()
        self._chunk_size = chunk_size

    def on_main(self, checkpoint, resource, context, parameters, **kwargs):
        thing_id = resource.id
        bank_section = checkpoint.get_resource_bank_section(thing_id)
        bank_section.update_object('status',
                                   constants.RESOURCE_STATUS_PROTECTING)
        try:
            thing = karbor_thing_plugin.read_thing(thing_id)
        except (IOError, ValueError) as e:
            bank_section.update_object('status',
                                       constants.RESOURCE_STATUS_ERROR)
            raise exception.CreateResourceFailed(
                name='Thing Backup', reason=str(e), resource_id=thing_id,
                resource_type=resource.type)
        data = thing['data']
        chunks = [data[i:i + self._chunk_size]
                  for i in range(0, len(data), self._chunk_size)]
        for number, chunk in enumerate(chunks):
            bank_section.update_object('data_%d' % number, {'data': chunk})
        bank_section.update_object('metadata', {
            'name': thing['name'],
            'chunks_num': len(chunks),
            'checkpoint_id': checkpoint.id,
            'graph_ids': sorted(node.value.id
                                for node in checkpoint.resource_graph),
        })
        bank_section.update_object('status',
                                   constants.RESOURCE_STATUS_AVAILABLE)
        LOG.info('Thing %(id)s protected in checkpoint %(checkpoint)s',
                 {'id': thing_id, 'checkpoint': checkpoint.id})


class RestoreOperation(protection_plugin.Operation):
    def on_main(self, checkpoint, resource, context, parameters, **kwargs):
        thing_id = resource.id
        bank_section = checkpoint.get_resource_bank_section(thing_id)
        try:
            metadata = bank_section.get_object('metadata')
        except exception.BankGetObjectFailed as e:
            raise exception.RestoreResourceFailed(
                name='Thing Backup', reason=str(e), resource_id=thing_id,
                resource_type=resource.type)
        names = _chunk_names(bank_section)
        if len(names) != metadata['chunks_num']:
            raise exception.RestoreResourceFailed(
                name='Thing Backup', reason='chunks are missing',
                resource_id=thing_id, resource_type=resource.type)
        data = ''.join(bank_section.get_object(name)['data']
                       for name in names)
        new_id = uuidutils.generate_uuid()
        restore = kwargs.get('restore')
        update_method = partial(utils.update_resource_restore_result,
                                restore, resource.type, new_id)
        update_method(constants.RESOURCE_STATUS_RESTORING)
        karbor_thing_plugin.write_thing(new_id, {
            'name': parameters.get('restore_name',
                                   '%s@%s' % (checkpoint.id, thing_id)),
            'data': data})
        kwargs.get('new_resources')[thing_id] = new_id
        restore.update_resource_status(resource.type, new_id,
                                       constants.RESOURCE_STATUS_AVAILABLE)


class DeleteOperation(protection_plugin.Operation):
    def on_main(self, checkpoint, resource, context, parameters, **kwargs):
        bank_section = checkpoint.get_resource_bank_section(resource.id)
        try:
            for key in bank_section.list_objects():
                bank_section.delete_object(key)
        except exception.BankDeleteObjectFailed as e:
            raise exception.DeleteResourceFailed(
                name='Thing Backup', reason=str(e), resource_id=resource.id,
                resource_type=resource.type)
        LOG.info('Thing %(id)s deleted from checkpoint %(checkpoint)s',
                 {'id': resource.id, 'checkpoint': checkpoint.id})


class ThingProtectionPlugin(protection_plugin.ProtectionPlugin):
    _SUPPORT_RESOURCE_TYPES = [karbor_thing_plugin.THING_TYPE]

    def __init__(self, config=None):
        super(ThingProtectionPlugin, self).__init__(config)
        self._config.register_opts(thing_protection_opts,
                                   'thing_protection_plugin')
        self._chunk_size = self._config.thing_protection_plugin.chunk_size

    @classmethod
    def get_supported_resources_types(cls):
        return cls._SUPPORT_RESOURCE_TYPES

    @classmethod
    def get_options_schema(cls, resource_type):
        return {'type': 'object', 'properties': {}}

    @classmethod
    def get_restore_schema(cls, resource_type):
        return {'type': 'object', 'properties': {
            'restore_name': {'type': 'string'}}}

    @classmethod
    def get_verify_schema(cls, resource_type):
        return {'type': 'object', 'properties': {}}

    @classmethod
    def get_saved_info_schema(cls, resource_type):
        return {'type': 'object', 'properties': {
            'name': {'type': 'string'}, 'chunks_num': {'type': 'integer'}}}

    @classmethod
    def get_saved_info(cls, metadata_store, resource):
        return metadata_store.get_object('metadata')

    def get_protect_operation(self, resource):
        return ProtectOperation(self._chunk_size)

    def get_restore_operation(self, resource):
        return RestoreOperation()

    def get_verify_operation(self, resource):
        return protection_plugin.Operation()

    def get_copy_operation(self, resource):
        return protection_plugin.Operation()

    def get_delete_operation(self, resource):
        return DeleteOperation()
