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

from oslo_config import cfg
from oslo_log import log as logging
from oslo_utils import timeutils
from oslo_versionedobjects import fields

from karbor.db import api as db
from karbor.objects import base

CONF = cfg.CONF
LOG = logging.getLogger(__name__)

# The binaries that claim work, and that an administrator may disable.
PROTECTION = 'karbor-protection'
OPERATION_ENGINE = 'karbor-operationengine'


@base.obj_registry.register
class Service(base.KarborPersistentObject, base.KarborObject):
    """A karbor-* process on a host, and whether it is alive."""

    # Version 1.0: Initial version
    VERSION = '1.0'

    DB_FIELDS = ('id', 'host', 'binary', 'topic', 'report_count',
                 'disabled', 'disabled_reason', 'created_at', 'updated_at')

    _db_get = staticmethod(db.service_get)

    fields = {
        'id': fields.IntegerField(),
        'host': fields.StringField(),
        'binary': fields.StringField(),
        'topic': fields.StringField(nullable=True),
        'report_count': fields.IntegerField(),
        'disabled': fields.BooleanField(),
        'disabled_reason': fields.StringField(nullable=True),
    }

    @property
    def is_up(self):
        last = self.updated_at or self.created_at
        if last is None:
            return False
        elapsed = timeutils.delta_seconds(last.replace(tzinfo=None),
                                          timeutils.utcnow())
        return abs(elapsed) <= CONF.service_down_time

    @staticmethod
    def heartbeat(context, host, binary, topic):
        return db.service_heartbeat(context, host, binary, topic)

    def save(self):
        """Write the administrator's change (disabled, disabled_reason)."""
        changes = {name: getattr(self, name)
                   for name in self.obj_get_changes()
                   if name in ('disabled', 'disabled_reason')}
        if changes:
            row = db.service_update(self._context, self.id, changes)
            self._from_db_object(self._context, self, row)


@base.obj_registry.register
class ServiceList(base.KarborObject, base.base.ObjectListBase):
    VERSION = '1.0'

    fields = {'objects': fields.ListOfObjectsField('Service')}

    @classmethod
    def get_all(cls, context, host=None, binary=None):
        rows = db.service_get_all(context, host=host, binary=binary)
        return base.base.obj_make_list(context, cls(context), Service, rows)


class EnabledCheck(object):
    """Whether the service ``binary`` of a host may take new work: not when
    an administrator disabled it (os-services). One read of its own row
    per call; a service that has no row yet (it has not reported once) is
    enabled. Each change is logged once."""

    def __init__(self, binary):
        self.binary = binary
        self._disabled = False

    def enabled(self, context, host):
        rows = db.service_get_all(context, host=host, binary=self.binary)
        row = rows[0] if rows else None
        disabled = bool(row and row.disabled)
        if disabled != self._disabled:
            if disabled:
                LOG.warning('%(binary)s on %(host)s is disabled '
                            '(%(reason)s): it takes no new work.',
                            {'binary': self.binary, 'host': host,
                             'reason': row.disabled_reason or 'no reason'})
            else:
                LOG.info('%(binary)s on %(host)s is enabled again.',
                         {'binary': self.binary, 'host': host})
            self._disabled = disabled
        return not disabled
