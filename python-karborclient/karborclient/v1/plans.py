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

"""Plans: which resources to protect, with which provider and options."""

from karborclient.common import base


class Plan(base.Resource):
    pass


class PlanManager(base.Manager):
    resource_class = Plan

    def create(self, name, provider_id, resources, parameters=None,
               description=None):
        """Create a plan (the server starts it ``suspended``).

        :param resources: list of ``{"id", "type", "name"}`` dicts, each with
            an optional ``extra_info`` dict.
        :param parameters: protection options keyed by resource type or by
            ``<type>#<id>``.
        """
        body = {'plan': {'name': name,
                         'description': description,
                         'provider_id': provider_id,
                         'resources': resources,
                         'parameters': parameters or {}}}
        return self._create('/plans', body, 'plan')

    def get(self, plan_id, session_id=None):
        return self._get(base.path('plans', plan_id), 'plan',
                         session_id=session_id)

    def list(self, detailed=False, search_opts=None, marker=None, limit=None,
             sort_key=None, sort_dir=None, sort=None, **filters):
        """List plans; filters (``search_opts`` or keyword arguments):
        ``name``, ``description``, ``status``, ``provider_id``,
        ``project_id``, ``all_tenants``.

        Lists are always detailed: ``detailed`` is accepted for
        python-karborclient 2.1.0's callers, which sent it to a URL
        (``/plans/detail``) Karbor never served.
        """
        return self._list('/plans', 'plans', marker, limit, sort,
                          base.query_filters(search_opts, filters),
                          sort_key=sort_key, sort_dir=sort_dir)

    def update(self, plan_id, values=None, data=None):
        """Change ``name``, ``description``, ``resources`` or ``status``
        (``data`` is 2.1.0's name for ``values``)."""
        return self._update(base.path('plans', plan_id),
                            {'plan': base.pick('values', values,
                                               'data', data)},
                            'plan')

    def delete(self, plan_id):
        self._delete(base.path('plans', plan_id))
