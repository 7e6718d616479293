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

import os
import uuid

from oslo_config import cfg
from oslo_serialization import jsonutils

from karbor import exception
from karbor.i18n import _
from karbor.services.protection.bank_plugin import BankPlugin
from karbor.services.protection.bank_plugin import LeasePlugin

thing_bank_opts = [
    cfg.StrOpt('path', help=_('Directory holding the bank\'s objects.')),
]


class ThingDirectoryBankPlugin(BankPlugin, LeasePlugin):
    """One file per object under [thing_bank_plugin] path; values that are
    not strings are kept as JSON, and read back decoded."""

    def __init__(self, config=None):
        super(ThingDirectoryBankPlugin, self).__init__(config)
        self._config.register_opts(thing_bank_opts, 'thing_bank_plugin')
        self._path = self._config.thing_bank_plugin.path
        self.owner_id = str(uuid.uuid4())

    def _file(self, key):
        path = os.path.normpath(os.path.join(self._path, key.lstrip('/')))
        if not path.startswith(self._path):
            raise exception.InvalidParameterValue(err='bad key %s' % key)
        return path

    def update_object(self, key, value, context=None):
        path = self._file(key)
        if not isinstance(value, (str, bytes)):
            value = jsonutils.dumps(value)
        if isinstance(value, str):
            value = value.encode('utf-8')
        try:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path + '.part', 'wb') as stream:
                stream.write(value)
            os.rename(path + '.part', path)
        except OSError as err:
            raise exception.BankUpdateObjectFailed(reason=err, key=key)

    def get_object(self, key, context=None):
        try:
            with open(self._file(key), 'rb') as stream:
                data = stream.read().decode('utf-8')
        except OSError as err:
            raise exception.BankGetObjectFailed(reason=err, key=key)
        try:
            return jsonutils.loads(data)
        except ValueError:
            return data

    def list_objects(self, prefix=None, limit=None, marker=None,
                     sort_dir=None, context=None):
        keys = []
        for directory, _dirs, files in os.walk(self._path):
            for name in files:
                if name.endswith('.part'):
                    continue
                key = '/' + os.path.relpath(os.path.join(directory, name),
                                            self._path)
                if key.startswith(prefix or ''):
                    keys.append(key)
        descending = sort_dir == 'desc'
        keys.sort(reverse=descending)
        if marker is not None:
            keys = [key for key in keys
                    if (key < marker if descending else key > marker)]
        return keys[:limit] if limit is not None else keys

    def delete_object(self, key, context=None):
        try:
            os.remove(self._file(key))
        except OSError as err:
            raise exception.BankDeleteObjectFailed(reason=err, key=key)

    def get_owner_id(self, context=None):
        return self.owner_id

    def acquire_lease(self):
        pass

    def renew_lease(self):
        pass

    def check_lease_validity(self):
        return True
