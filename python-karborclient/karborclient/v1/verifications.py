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

"""Verifications: checking that a checkpoint's data is still restorable."""

from karborclient.common import base


class Verification(base.Resource):
    pass


class VerificationManager(base.Manager):
    resource_class = Verification

    def create(self, provider_id, checkpoint_id, parameters=None):
        """Start verifying a checkpoint; it starts ``in_progress``."""
        body = {'verification': {'provider_id': provider_id,
                                 'checkpoint_id': checkpoint_id,
                                 'parameters': parameters or {}}}
        return self._create('/verifications', body, 'verification')

    def get(self, verification_id, session_id=None):
        return self._get(base.path('verifications', verification_id),
                         'verification', session_id=session_id)

    def list(self, detailed=False, search_opts=None, marker=None, limit=None,
             sort_key=None, sort_dir=None, sort=None, **filters):
        """List verifications; filters (``search_opts`` or keyword
        arguments): ``status``, ``checkpoint_id``, ``project_id``,
        ``all_tenants``. ``detailed`` has no effect (see
        ``PlanManager.list``)."""
        return self._list('/verifications', 'verifications', marker, limit,
                          sort, base.query_filters(search_opts, filters),
                          sort_key=sort_key, sort_dir=sort_dir)
