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

"""Resource and Manager: what every Karbor API manager is built from."""

import copy
from urllib import parse


class Resource(object):
    """One object returned by the API, e.g. a plan or a checkpoint.

    Its fields read as attributes (``plan.name``); ``to_dict()`` returns a
    copy of everything the server sent.
    """

    def __init__(self, manager, info):
        self.manager = manager
        self._info = info

    def __getattr__(self, name):
        # Only reached for names that are not real attributes.
        try:
            return self.__dict__['_info'][name]
        except KeyError:
            raise AttributeError(name)

    def __eq__(self, other):
        return (isinstance(other, self.__class__) and
                self._info == other._info)

    def __repr__(self):
        return '<%s %s>' % (self.__class__.__name__, self._info)

    def to_dict(self):
        return copy.deepcopy(self._info)


def path(*segments):
    """Join URL path segments, quoting each one.

    Resource types such as ``OS::Nova::Server`` keep their colons readable.
    """
    return '/' + '/'.join(parse.quote(str(s), safe=':') for s in segments)


def _next_marker(links):
    for link in links or ():
        if link.get('rel') == 'next':
            query = parse.urlsplit(link.get('href', '')).query
            markers = parse.parse_qs(query).get('marker')
            if markers:
                return markers[0]
    return None


class Manager(object):
    """Sends requests for one kind of resource and wraps the answers."""

    resource_class = Resource

    def __init__(self, api):
        self.api = api

    def _json(self, method, url, **kwargs):
        response = self.api.request(url, method, **kwargs)
        # DELETE answers may have an empty body.
        return response.json() if response.content else {}

    def _list(self, url, response_key, marker=None, limit=None, sort=None,
              filters=None, resource_class=None):
        """GET a list; without a limit, follow ``next`` links to the end.

        Karbor pages lists itself (``<key>_links`` carry the next marker), so
        a caller that asked for no limit still gets every item. Filters set
        to None are not sent.
        """
        resource_class = resource_class or self.resource_class
        params = dict(filters or {}, marker=marker, limit=limit, sort=sort)
        params = {k: v for k, v in params.items() if v is not None}
        items = []
        seen_markers = set()
        while True:
            body = self._json('GET', url, params=params)
            page = body.get(response_key) or []
            items.extend(resource_class(self, info) for info in page)
            marker = _next_marker(body.get(response_key + '_links'))
            if limit is not None or marker is None or marker in seen_markers:
                return items
            seen_markers.add(marker)
            params['marker'] = marker

    def _get(self, url, response_key, params=None, resource_class=None):
        body = self._json('GET', url, params=params)
        return (resource_class or self.resource_class)(self,
                                                       body[response_key])

    def _create(self, url, body, response_key):
        return self.resource_class(
            self, self._json('POST', url, json=body)[response_key])

    def _update(self, url, body, response_key=None):
        answer = self._json('PUT', url, json=body)
        if response_key is None:
            return answer
        return self.resource_class(self, answer[response_key])

    def _delete(self, url):
        self._json('DELETE', url)
