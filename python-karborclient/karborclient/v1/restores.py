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

"""Restores: bringing a checkpoint's resources back."""

from karborclient.common import base


class Restore(base.Resource):
    pass


class RestoreManager(base.Manager):
    resource_class = Restore

    def create(self, provider_id, checkpoint_id, restore_target=None,
               parameters=None, restore_auth=None):
        """Start restoring a checkpoint; the restore starts ``in_progress``.

        :param restore_target: Keystone URL of another cloud to restore to.
        :param restore_auth: ``{"type": "password", "username", "password"}``
            for that cloud.
        """
        body = {'restore': {'provider_id': provider_id,
                            'checkpoint_id': checkpoint_id,
                            'restore_target': restore_target,
                            'restore_auth': restore_auth,
                            'parameters': parameters or {}}}
        return self._create('/restores', body, 'restore')

    def get(self, restore_id, session_id=None):
        return self._get(base.path('restores', restore_id), 'restore',
                         session_id=session_id)

    def list(self, detailed=False, search_opts=None, marker=None, limit=None,
             sort_key=None, sort_dir=None, sort=None, **filters):
        """List restores; filters (``search_opts`` or keyword arguments):
        ``status``, ``checkpoint_id``, ``project_id``, ``all_tenants``.
        ``detailed`` has no effect (see ``PlanManager.list``)."""
        return self._list('/restores', 'restores', marker, limit, sort,
                          base.query_filters(search_opts, filters),
                          sort_key=sort_key, sort_dir=sort_dir)
