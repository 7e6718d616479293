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

"""What every v1 handler needs from the request and for the response."""

from urllib import parse

from oslo_serialization import jsonutils
import webob

from karbor.api.middleware import auth
from karbor.api import validation
from karbor import policy

PROTECTION_API_KEY = 'karbor.protection_api'
PROVIDER_CACHE_KEY = 'karbor.provider_cache'


def context_of(req):
    return req.environ[auth.CONTEXT_KEY]


def protection_api(req):
    return req.environ[PROTECTION_API_KEY]


def provider_cache(req):
    """The providers' descriptions (see provider_cache.py)."""
    return req.environ[PROVIDER_CACHE_KEY]


def path_arg(req, name):
    return req.environ['wsgiorg.routing_args'][1][name]


def timestamp(value):
    """A time in a response body, as the original wrote them."""
    return None if value is None else value.strftime('%Y-%m-%dT%H:%M:%S.%f')


def json_response(body, status=200):
    return json_text_response(jsonutils.dumps(body), status)


def json_text_response(text, status=200):
    """json_response of a body already encoded as JSON text."""
    response = webob.Response(status=status, content_type='application/json',
                              charset='utf-8')
    response.body = text.encode('utf-8')
    return response


def json_object_text(members):
    """The JSON text of an object of ``members``, (name, the JSON text of
    its value) pairs: values encoded elsewhere go in as they are."""
    return '{%s}' % ', '.join('%s: %s' % (jsonutils.dumps(name), text)
                              for name, text in members)


def empty_response(status=200):
    """200 with no body, as the original answered deletes of plans."""
    response = webob.Response(status=status)
    response.content_type = None
    return response


def collection(req, name, items, limit):
    """A list body with its "<name>_links" next link when a page is full."""
    body = {name: items}
    links = _next_links(req, len(items), items[-1]['id'] if items else None,
                        limit)
    if links:
        body[name + '_links'] = links
    return json_response(body)


def encoded_collection(req, name, texts, last_id, limit):
    """collection() of items already encoded as JSON text, the last of
    which has the id ``last_id``."""
    members = [(name, '[%s]' % ', '.join(texts))]
    links = _next_links(req, len(texts), last_id, limit)
    if links:
        members.append((name + '_links', jsonutils.dumps(links)))
    return json_text_response(json_object_text(members))


def _next_links(req, count, last_id, limit):
    if not (count and limit and count >= limit):
        return None
    query = {k: v for k, v in req.GET.items() if k != 'marker'}
    query['marker'] = last_id
    query['limit'] = limit
    href = '%s?%s' % (req.path_url, parse.urlencode(query))
    return [{'rel': 'next', 'href': href}]


def load(req, action, object_class, id_name, kind):
    """(context, the object) of the id in path argument ``id_name``, once
    policy allows ``action`` on the object's project; ``kind`` names the
    object in the 400 a malformed id gets."""
    context = context_of(req)
    object_id = validation.check_uuid(path_arg(req, id_name), kind)
    found = object_class.get_by_id(context, object_id)
    policy.authorize(context, action, {'project_id': found.project_id})
    return context, found


def list_query(req, context, resource, sort_keys, filter_keys):
    """The keyword arguments of a "<Resource>List.get_all()" for a list
    request: its page, its sort among ``sort_keys``, its filters among
    ``filter_keys`` (others are ignored, as the original did) and its
    scope (see listing_scope)."""
    all_projects, project_id = listing_scope(req, context, resource)
    marker, limit = validation.page_params(req)
    keys, dirs = validation.sort_params(req, sort_keys)
    filters = {key: req.GET[key] for key in filter_keys if key in req.GET}
    if project_id is not None:
        filters['project_id'] = project_id
    return {'marker': marker, 'limit': limit, 'sort_keys': keys,
            'sort_dirs': dirs, 'filters': filters,
            'all_projects': all_projects}


def listing_scope(req, context, resource):
    """Which projects a list covers: (all_projects, project_id or None).

    A caller lists its own project; all_tenants=1 or another project_id
    needs the "<resource>:get_all_tenants" policy (administrators).
    """
    all_projects = validation.all_projects(req)
    project_id = req.GET.get('project_id')
    if all_projects or project_id not in (None, context.project_id):
        policy.authorize(context, '%s:get_all_tenants' % resource)
        all_projects = True
    return all_projects, project_id
