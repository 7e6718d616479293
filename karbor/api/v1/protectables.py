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

"""Protectables: the resource types Karbor protects and their instances."""

from karbor.api import validation
from karbor.api.v1 import http
from karbor import policy


def list_protectable_types(req):
    context = http.context_of(req)
    policy.authorize(context, 'protectable:get_all')
    types = http.protection_api(req).list_protectable_types(context)
    return http.json_response({'protectable_type': types})


def show_protectable_type(req):
    context = http.context_of(req)
    policy.authorize(context, 'protectable:get')
    protectable = http.protection_api(req).show_protectable_type(
        context, http.path_arg(req, 'protectable_type'))
    return http.json_response({'protectable_type': protectable})


def list_protectable_instances(req):
    context = http.context_of(req)
    policy.authorize(context, 'protectable:instance_get_all')
    # Instance ids belong to other services and need not be UUIDs.
    marker, limit = validation.page_params(req, marker_is_uuid=False)
    filters = {key: req.GET[key] for key in ('type', 'name')
               if key in req.GET}
    instances = http.protection_api(req).list_protectable_instances(
        context, http.path_arg(req, 'protectable_type'), marker=marker,
        limit=limit, filters=filters, parameters=_parameters(req))
    return http.collection(req, 'instances', instances, limit)


def show_protectable_instance(req):
    context = http.context_of(req)
    policy.authorize(context, 'protectable:instance_get')
    instance = http.protection_api(req).show_protectable_instance(
        context, http.path_arg(req, 'protectable_type'),
        http.path_arg(req, 'resource_id'), parameters=_parameters(req))
    return http.json_response({'instance': instance})


def _parameters(req):
    """Instance parameters given as parameters.<key>=<value>."""
    prefix = 'parameters.'
    return {key[len(prefix):]: value for key, value in req.GET.items()
            if key.startswith(prefix)} or None
