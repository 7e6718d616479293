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

"""The request context that travels from the API to the workers."""

from oslo_context import context

from karbor import policy


class RequestContext(context.RequestContext):
    """A request's identity, with Karbor's admin check.

    ``is_admin`` is decided by policy (rule ``context_is_admin``) when the
    caller does not set it, as in other OpenStack services.
    """

    def __init__(self, is_admin=None, service_catalog=None, **kwargs):
        super().__init__(is_admin=bool(is_admin), **kwargs)
        # Only the entries the workers need to reach other services.
        self.service_catalog = [
            entry for entry in (service_catalog or [])
            if entry.get('type') in _CATALOG_TYPES]
        if is_admin is None:
            self.is_admin = policy.check_is_admin(self)

    def to_policy_values(self):
        values = super().to_policy_values()
        # Rules such as "is_admin:True" read it from the credentials.
        values['is_admin'] = self.is_admin
        return values

    def to_dict(self):
        values = super().to_dict()
        values['service_catalog'] = self.service_catalog
        return values

    @classmethod
    def from_dict(cls, values):
        return super().from_dict(
            values,
            is_admin=values.get('is_admin'),
            service_catalog=values.get('service_catalog'),
            user_id=values.get('user_id') or values.get('user'),
            project_id=values.get('project_id') or values.get('tenant'))

    def elevated(self):
        ctx = self.__class__.from_dict(self.to_dict())
        ctx.is_admin = True
        if 'admin' not in ctx.roles:
            ctx.roles.append('admin')
        return ctx


_CATALOG_TYPES = ('identity', 'compute', 'volumev3', 'block-storage',
                  'volume', 'image', 'object-store', 'network',
                  'data-protect')


def get_admin_context():
    return RequestContext(user_id=None, project_id=None, is_admin=True,
                          overwrite=False)
