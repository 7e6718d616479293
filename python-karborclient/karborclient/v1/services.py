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

"""The Karbor services (os-services, administrators only): list them,
enable or disable one."""

from karborclient.common import base


class Service(base.Resource):
    pass


class ServiceManager(base.Manager):
    resource_class = Service

    def list(self, host=None, binary=None):
        """The services, of ``host`` and ``binary`` when given."""
        return self._list('/os-services', 'services',
                          filters={'host': host, 'binary': binary})

    def _set_status(self, service_id, body):
        return self._update(base.path('os-services', service_id), body,
                            'service')

    def enable(self, service_id):
        """Let the service take new work again."""
        return self._set_status(service_id, {'status': 'enabled'})

    def disable(self, service_id):
        """Stop the service from taking new work; what it runs ends."""
        return self._set_status(service_id, {'status': 'disabled'})

    def disable_log_reason(self, service_id, reason):
        """Disable the service and record why."""
        return self._set_status(service_id, {'status': 'disabled',
                                             'disabled_reason': reason})
