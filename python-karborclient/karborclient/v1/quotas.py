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

"""Quotas: how many plans and checkpoints a project may have."""

from karborclient.common import base


class Quota(base.Resource):
    pass


def given_limits(data):
    """The limits of ``data`` that are set: None leaves a limit as it is."""
    return {name: limit for name, limit in data.items() if limit is not None}


class QuotaManager(base.Manager):
    resource_class = Quota

    def list(self):
        """Karbor has no list of quotas: an empty list (2.1.0's method
        returned None, which no caller could iterate)."""
        return []

    def get(self, project_id, detail=False, session_id=None):
        """The project's limits ({'id', 'plans', 'checkpoints'}); with
        ``detail``, each as {'limit', 'in_use', 'reserved'}."""
        segments = ('quotas', project_id) + (('detail',) if detail else ())
        return self._get(base.path(*segments), 'quota',
                         session_id=session_id)

    def defaults(self, project_id, session_id=None):
        """The limits of a project without its own."""
        return self._get(base.path('quotas', project_id, 'defaults'),
                         'quota', session_id=session_id)

    def update(self, project_id, data):
        """Set limits ({'plans': n, 'checkpoints': n}, -1: none; admin
        only; a limit set to None is left as it is, where 2.1.0 set an
        unset plans limit to 50); the project's limits after."""
        return self._update(base.path('quotas', project_id),
                            {'quota': given_limits(data)}, 'quota')

    def delete(self, project_id):
        """Give the project the default limits again (admin only)."""
        self._delete(base.path('quotas', project_id))
