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

"""Quotas: how many plans and checkpoints a project may have (see
karbor/quota.py). A project member reads its own; administrators read
and set every project's."""

from karbor.api.schemas import quotas as schemas
from karbor.api import validation
from karbor.api.v1 import http
from karbor import exception
from karbor import policy
from karbor import quota

# The longest project id or quota class name the database keeps.
MAX_NAME = 255


def path_name(req, name, kind):
    """A project id or class name of the path; any that Keystone (or
    noauth: "demo") gives, up to the length the database keeps."""
    value = http.path_arg(req, name)
    if len(value) > MAX_NAME:
        raise exception.InvalidId(kind=kind)
    return value


def _target(req, action):
    """(context, the project of the path), once policy allows ``action``
    on that project."""
    context = http.context_of(req)
    project_id = path_name(req, 'target_project_id', 'project')
    policy.authorize(context, action, {'project_id': project_id})
    return context, project_id


def show_quota(req):
    context, project_id = _target(req, 'quota:get')
    limits = quota.QUOTAS.driver.get_project_quotas(context, project_id)
    return http.json_response({'quota': dict(limits, id=project_id)})


def show_quota_detail(req):
    context, project_id = _target(req, 'quota:get')
    usages = quota.QUOTAS.driver.get_project_usages(context, project_id)
    return http.json_response({'quota': dict(usages, id=project_id)})


def show_quota_defaults(req):
    context, project_id = _target(req, 'quota:get_default')
    limits = quota.QUOTAS.driver.get_defaults(context)
    return http.json_response({'quota': dict(limits, id=project_id)})


def update_quota(req):
    context, project_id = _target(req, 'quota:update')
    body = validation.validate(schemas.update, validation.json_body(req))
    driver = quota.QUOTAS.driver
    driver.update_project_quotas(context, project_id, body['quota'])
    return http.json_response(
        {'quota': driver.get_project_quotas(context, project_id)})


def delete_quota(req):
    context, project_id = _target(req, 'quota:delete')
    quota.QUOTAS.driver.destroy_project_quotas(context, project_id)
    return http.empty_response()
