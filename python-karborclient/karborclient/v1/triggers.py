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


def _integer_window(properties):
    """The properties with a window given as text ('3600') as a number,
    which is what the server takes, as python-karborclient 2.1.0 sent it.
    A window that is no number goes as given, for the server to refuse."""
    window = (properties or {}).get('window')
    if isinstance(window, str) and window.strip().isdigit():
        return dict(properties, window=int(window))
    return properties


class TriggerManager(base.Manager):
    resource_class = Trigger

    def create(self, name, type, properties):
        """Create a trigger; a ``time`` trigger's properties are
        ``format``, ``pattern``, ``start_time``, ``end_time``, ``window``.
        """
        body = {'trigger_info': {'name': name, 'type': type,
                                 'properties': _integer_window(properties)}}
        return self._create('/triggers', body, 'trigger_info')

    def get(self, trigger_id, session_id=None):
        return self._get(base.path('triggers', trigger_id), 'trigger_info',
                         session_id=session_id)

    def list(self, detailed=False, search_opts=None, marker=None, limit=None,
             sort_key=None, sort_dir=None, sort=None, **filters):
        """List triggers; filters (``search_opts`` or keyword arguments):
        ``name``, ``type``, ``project_id``, ``all_tenants``. ``detailed``
        has no effect (see ``PlanManager.list``)."""
        return self._list('/triggers', 'triggers', marker, limit, sort,
                          base.query_filters(search_opts, filters),
                          sort_key=sort_key, sort_dir=sort_dir)

    def update(self, trigger_id, values=None, data=None):
        """Change ``name`` or ``properties`` (which replace the old ones,
        but for a start time not given); ``data`` is 2.1.0's name for
        ``values``."""
        values = dict(base.pick('values', values, 'data', data))
        if 'properties' in values:
            values['properties'] = _integer_window(values['properties'])
        return self._update(base.path('triggers', trigger_id),
                            {'trigger_info': values}, 'trigger_info')

    def delete(self, trigger_id):
        self._delete(base.path('triggers', trigger_id))
