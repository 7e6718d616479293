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

"""The one place where HTTP failures become karborclient exceptions."""

from keystoneauth1 import adapter
from keystoneauth1 import exceptions as ks_exceptions

from karborclient import exceptions


class SessionClient(adapter.Adapter):
    """A keystoneauth1 Adapter that raises karborclient exceptions.

    Requests are sent with ``raise_exc=False`` so that error responses are
    read here, once, and turned into exceptions carrying the server's own
    message instead of keystoneauth's generic one.
    """

    def request(self, url, method, **kwargs):
        target = self._absolute_url(url)
        kwargs['raise_exc'] = False
        try:
            response = super().request(target, method, **kwargs)
        except ks_exceptions.ConnectTimeout:
            raise exceptions.ConnectionRefused(
                'Timed out connecting to %s' % target)
        except ks_exceptions.ConnectionError:
            raise exceptions.ConnectionRefused(
                'Unable to connect to %s (connection refused or host '
                'unreachable)' % target)
        if response.status_code >= 400:
            raise exceptions.from_response(response)
        return response

    def _absolute_url(self, path):
        # Resolving the endpoint first (which authenticates in Keystone mode)
        # tells an unreachable identity service apart from an unreachable
        # Karbor API, and gives the exact URL to name in the error.
        try:
            endpoint = self.get_endpoint()
        except ks_exceptions.EndpointNotFound:
            endpoint = None
        except ks_exceptions.ConnectionError as error:
            raise exceptions.ConnectionRefused(
                'Unable to reach the identity service: %s' % error)
        if not endpoint:
            raise exceptions.EndpointNotFound(
                "No '%s' endpoint with interface '%s' in region '%s' found "
                "in the service catalog" % (self.service_type, self.interface,
                                            self.region_name or 'any'))
        return '%s/%s' % (endpoint.rstrip('/'), path.lstrip('/'))
