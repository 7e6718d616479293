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

"""The version documents at / and /v1/."""

import webob.dec

from karbor.api import microversions
from karbor.api.v1 import http

_V1 = {
    'id': 'v1.0',
    'status': 'CURRENT',
    # The microversions (OpenStack-API-Version: data-protect 1.N) served.
    'min_version': microversions.MIN_VERSION,
    'version': microversions.MAX_VERSION,
    'updated': '2026-11-25T00:00:00Z',
    'media-types': [{'base': 'application/json',
                     'type': 'application/vnd.openstack.data-protect+json;'
                             'version=1'}],
}


def _v1_document(req, href):
    return dict(_V1, links=[{'rel': 'self', 'href': href}])


def show_v1(req):
    return http.json_response(
        {'version': _v1_document(req, req.application_url + '/')})


class Versions(object):
    """GET / lists the API versions this server speaks."""

    @classmethod
    def factory(cls, global_config, **local_config):
        return cls()

    @webob.dec.wsgify
    def __call__(self, req):
        if req.path_info not in ('', '/'):
            return http.json_response(
                {'itemNotFound': {'code': 404,
                                  'message': 'Unknown API version path.'}},
                status=404)
        # application_url keeps a prefix the API is mounted under (a proxy's
        # X-Forwarded-Prefix, a WSGI server's mount point).
        href = req.application_url + '/v1/'
        return http.json_response({'versions': [_v1_document(req, href)]})
