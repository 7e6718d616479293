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

"""Providers: the protection back ends a plan can use."""

from karborclient.common import base


class Provider(base.Resource):
    pass


class ProviderManager(base.Manager):
    resource_class = Provider

    def list(self, detailed=False, search_opts=None, marker=None, limit=None,
             sort_key=None, sort_dir=None, sort=None, **filters):
        """List providers; filters (``search_opts`` or keyword arguments):
        ``name``, ``description``. ``detailed`` has no effect (see
        ``PlanManager.list``)."""
        return self._list('/providers', 'providers', marker, limit, sort,
                          base.query_filters(search_opts, filters),
                          sort_key=sort_key, sort_dir=sort_dir)

    def get(self, provider_id, session_id=None):
        return self._get(base.path('providers', provider_id), 'provider',
                         session_id=session_id)
