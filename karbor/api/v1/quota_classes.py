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

"""Quota classes: named sets of limits. The class "default" holds the
limits of every project without its own (administrators only)."""

from karbor.api.schemas import quotas as schemas
from karbor.api import validation
from karbor.api.v1 import http
from karbor.api.v1 import quotas
from karbor import policy
from karbor import quota


def _class_name(req, action):
    context = http.context_of(req)
    policy.authorize(context, action)
    return context, quotas.path_name(req, 'class_name', 'quota class')


def show_quota_class(req):
    context, class_name = _class_name(req, 'quota_class:get')
    limits = quota.QUOTAS.driver.get_class_quotas(context, class_name)
    return http.json_response({'quota_class': dict(limits, id=class_name)})


def update_quota_class(req):
    context, class_name = _class_name(req, 'quota_class:update')
    body = validation.validate(schemas.update_class,
                               validation.json_body(req))
    driver = quota.QUOTAS.driver
    driver.update_class_quotas(context, class_name, body['quota_class'])
    return http.json_response(
        {'quota_class': driver.get_class_quotas(context, class_name)})
