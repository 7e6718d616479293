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

"""Quota classes: named sets of limits; "default" holds those of every
project without its own (admin only)."""

from karborclient.common import base
from karborclient.v1.quotas import given_limits


class QuotaClass(base.Resource):
    pass


class QuotaClassManager(base.Manager):
    resource_class = QuotaClass

    def list(self):
        """Karbor has no list of quota classes: an empty list (2.1.0's
        method returned None, which no caller could iterate)."""
        return []

    def get(self, class_name, session_id=None):
        return self._get(base.path('quota_classes', class_name),
                         'quota_class', session_id=session_id)

    def update(self, class_name, data):
        """Set the class's limits ({'plans': n, 'checkpoints': n}); a limit
        set to None is left as it is (2.1.0 set an unset plans limit to
        50)."""
        return self._update(base.path('quota_classes', class_name),
                            {'quota_class': given_limits(data)},
                            'quota_class')
