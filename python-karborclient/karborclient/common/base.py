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

from karborclient import exceptions


class Resource(object):
    """One object returned by the API, e.g. a plan or a checkpoint.

    Its fields read as attributes (``plan.name``); ``to_dict()`` returns a
    copy of everything the server sent, ``_info`` the fields themselves.
    ``get()`` reads the object again from the server. Unlike
    python-karborclient 2.1.0, reading a field the server did not send
    raises AttributeError at once instead of sending a GET first.
    """

    def __init__(self, manager, info, loaded=False):
        self.manager = manager
        self._info = info
        self._loaded = loaded

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

    def _reread(self):
        """The same object as the server has it now."""
        return self.manager.get(self.id)

    def get(self):
        """Read the object again and take the server's fields."""
        self._loaded = True
        self._info.update(self._reread()._info)

    def is_loaded(self):
        return self._loaded

    def set_loaded(self, loaded):
        self._loaded = loaded


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


def _sort_param(sort):
    """``sort`` as the API takes it: ``key[:dir],...``.

    Like python-karborclient 2.1.0, a list of ``'key[:dir]'`` strings or
    ``(key, dir)`` tuples is taken too.
    """
    if sort is None or isinstance(sort, str):
        return sort
    return ','.join(item if isinstance(item, str) else ':'.join(item)
                    for item in sort)


def query_filters(search_opts, filters):
    """The filters of a list call, given either way.

    ``search_opts`` is python-karborclient 2.1.0's dict, whose empty values
    (None, '', 0) it never sent; ``filters`` are keyword arguments, of
    which only None is left out. Keyword arguments win.
    """
    if search_opts is not None and not isinstance(search_opts, dict):
        # list(marker, limit, ...) as positional arguments, from before
        # the 2.1.0 parameters came first.
        raise TypeError('search_opts must be a dict, not %r: give marker, '
                        'limit and sort as keyword arguments'
                        % (search_opts,))
    merged = {key: value for key, value in (search_opts or {}).items()
              if value}
    merged.update((key, value) for key, value in filters.items()
                  if value is not None)
    return merged


def session_headers(session_id):
    """python-karborclient 2.1.0 sent a configuration session id with
    every GET; Karbor ignores it, but a proxy in between may not."""
    return {'X-Configuration-Session': session_id} if session_id else None


def pick(name, value, old_name, old_value):
    """One argument that has two names: ours and python-karborclient
    2.1.0's."""
    if value is not None and old_value is not None:
        raise TypeError('give %s or %s, not both' % (name, old_name))
    return value if value is not None else old_value


class Manager(object):
    """Sends requests for one kind of resource and wraps the answers.

    ``find(**fields)`` and ``findall(**fields)`` search the whole list for
    items whose fields have the given values, as in python-karborclient
    2.1.0.
    """

    resource_class = Resource
    # Arguments of find() and findall() that go to list(), not to the match.
    list_arguments = ()

    def __init__(self, api):
        self.api = api

    @property
    def project_id(self):
        """The project of the client's credentials, if it has one."""
        return self.api.get_project_id()

    def _json(self, method, url, **kwargs):
        response = self.api.request(url, method, **kwargs)
        # DELETE answers may have an empty body.
        return response.json() if response.content else {}

    def _list(self, url, response_key, marker=None, limit=None, sort=None,
              filters=None, resource_class=None, sort_key=None,
              sort_dir=None):
        """GET a list; without a limit, follow ``next`` links to the end.

        Karbor pages lists itself (``<key>_links`` carry the next marker), so
        a caller that asked for no limit still gets every item. Filters set
        to None are not sent. ``sort_key``/``sort_dir`` are the older form of
        ``sort``, which wins when both are given.
        """
        resource_class = resource_class or self.resource_class
        params = dict(filters or {}, marker=marker, limit=limit,
                      sort=_sort_param(sort))
        if sort is None:
            params.update(sort_key=sort_key, sort_dir=sort_dir)
        params = {k: v for k, v in params.items() if v is not None}
        items = []
        seen_markers = set()
        while True:
            body = self._json('GET', url, params=params)
            page = body.get(response_key) or []
            items.extend(resource_class(self, info, loaded=True)
                         for info in page)
            marker = _next_marker(body.get(response_key + '_links'))
            if limit is not None or marker is None or marker in seen_markers:
                return items
            seen_markers.add(marker)
            params['marker'] = marker

    def _get(self, url, response_key, params=None, resource_class=None,
             session_id=None):
        body = self._json('GET', url, params=params,
                          headers=session_headers(session_id))
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

    def findall(self, **kwargs):
        """Every listed item whose fields equal the keyword arguments."""
        list_kwargs = {name: kwargs.pop(name) for name in self.list_arguments
                       if name in kwargs}
        return [item for item in self.list(**list_kwargs)
                if all(getattr(item, field, _MISSING) == value
                       for field, value in kwargs.items())]

    def find(self, **kwargs):
        """The one listed item whose fields equal the keyword arguments.

        Raises NotFound when none matches and NoUniqueMatch when several do.
        The item is the listed one: Karbor's lists carry whole objects, so
        unlike 2.1.0 it is not read a second time.
        """
        matches = self.findall(**kwargs)
        if not matches:
            raise exceptions.NotFound('No %s matching %s.'
                                      % (self.resource_class.__name__,
                                         kwargs))
        if len(matches) > 1:
            raise exceptions.NoUniqueMatch(
                '%d %ss match %s.'
                % (len(matches), self.resource_class.__name__, kwargs))
        return matches[0]


_MISSING = object()
