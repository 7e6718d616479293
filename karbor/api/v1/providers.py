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

"""Providers: what each one can protect, and with which options."""

from karbor.api import microversions
from karbor.api import validation
from karbor.api.v1 import http
from karbor import policy


def _view(req, provider):
    if not microversions.at_least(req,
                                  microversions.VERIFY_SCHEMA_IN_PROVIDERS):
        provider['extended_info_schema'].pop('verify_schema', None)
    return provider


def list_providers(req):
    context = http.context_of(req)
    policy.authorize(context, 'provider:get_all')
    marker, limit = validation.page_params(req)
    _keys, dirs = validation.sort_params(req, ('name',), default_key='name',
                                         default_dir='asc')
    filters = {key: req.GET[key] for key in ('name', 'description')
               if key in req.GET}
    providers = http.protection_api(req).list_providers(
        context, marker=marker, limit=limit, sort_dir=dirs[0],
        filters=filters)
    return http.collection(req, 'providers',
                           [_view(req, p) for p in providers], limit)


def show_provider(req):
    context = http.context_of(req)
    policy.authorize(context, 'provider:get')
    provider_id = validation.check_uuid(http.path_arg(req, 'provider_id'),
                                        'provider')
    provider = http.protection_api(req).show_provider(context, provider_id)
    return http.json_response({'provider': _view(req, provider)})
