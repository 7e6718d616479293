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

"""Triggers: when scheduled operations run."""

from karborclient.common import base


class Trigger(base.Resource):
    pass


class TriggerManager(base.Manager):
    resource_class = Trigger

    def create(self, name, type, properties):
        """Create a trigger; a ``time`` trigger's properties are
        ``format``, ``pattern``, ``start_time``, ``end_time``, ``window``.
        """
        body = {'trigger_info': {'name': name, 'type': type,
                                 'properties': properties}}
        return self._create('/triggers', body, 'trigger_info')

    def get(self, trigger_id):
        return self._get(base.path('triggers', trigger_id), 'trigger_info')

    def list(self, marker=None, limit=None, sort=None, **filters):
        """List triggers; filters: ``name``, ``type``, ``project_id``,
        ``all_tenants``."""
        return self._list('/triggers', 'triggers', marker, limit, sort,
                          filters)

    def update(self, trigger_id, values):
        """Change ``name`` or ``properties`` (which replace the old ones,
        but for a start time not given)."""
        return self._update(base.path('triggers', trigger_id),
                            {'trigger_info': values}, 'trigger_info')

    def delete(self, trigger_id):
        self._delete(base.path('triggers', trigger_id))
