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

"""Client errors as the reasons a user reads: one translation for every
plugin.

A hook's exception becomes its resource's reason. Inside
``with answers(service_title, doing):``

- a service that cannot be reached, or that did not answer in time
  (keystoneauth1's connection errors, glanceclient's and cinderclient's
  own) raises ``ServiceUnavailable``: "Image service (glance) is not
  available: ... timed out";
- a 404, when ``not_found`` is given, raises :class:`PluginError` with that
  reason ("image X no longer exists in Glance");
- any other answer of the service raises :class:`PluginError`: "<doing>:
  <service> answered: <its message> (HTTP <code>)";
- a connection that breaks while bytes stream (requests, urllib3) raises
  :class:`PluginError`: "<doing>: the connection to <service> failed: ...".

Karbor's own exceptions (a plugin's PluginError, a wait's timeout) pass
through unchanged, so that blocks may nest: the innermost one names what
was being done.

:func:`is_transient` says which failures of a poll are worth asking again
(waiting.py retries them).
"""

import contextlib
import functools

from cinderclient import exceptions as cinder_exceptions
from glanceclient import exc as glance_exceptions
from keystoneauth1 import exceptions as ks_exceptions
from novaclient import exceptions as nova_exceptions
import requests
import urllib3

from karbor import exception
from karbor.i18n import _
from karbor.services.protection.protection_plugins import waiting


class PluginError(exception.KarborException):
    """A resource could not be protected, restored or deleted; the message
    says why."""
    message = '%(reason)s'


# The service could not be reached or did not answer in time.
CONNECTION_ERRORS = (ks_exceptions.ConnectionError,
                     cinder_exceptions.ConnectionError,
                     glance_exceptions.CommunicationError,
                     glance_exceptions.InvalidEndpoint)
# The service answered with an error.
ANSWER_ERRORS = (ks_exceptions.HttpError,
                 cinder_exceptions.ClientException,
                 nova_exceptions.ClientException,
                 glance_exceptions.ClientException,
                 glance_exceptions.BaseException)
NOT_FOUND_ERRORS = (ks_exceptions.NotFound, cinder_exceptions.NotFound,
                    nova_exceptions.NotFound, glance_exceptions.HTTPNotFound)
# A connection broke while bytes streamed.
STREAM_ERRORS = (requests.RequestException, urllib3.exceptions.HTTPError,
                 ConnectionError)
# Answers that come from the way to the service (a proxy, a service
# restarting), not from the service's judgement of the request.
TRANSIENT_CODES = frozenset([502, 503, 504])


def status_code(exc):
    """The HTTP status of a client error, or None."""
    for name in ('code', 'http_status', 'status_code'):
        code = getattr(exc, name, None)
        if isinstance(code, int):
            return code
    return None


def describe(exc):
    """A client error as text, with the status code.

    cinderclient and novaclient say "<message> (HTTP <code>)" already;
    glanceclient says "HTTP <details>", without the code.
    """
    if isinstance(exc, glance_exceptions.HTTPException):
        return '%s (HTTP %s)' % (exc.details, exc.code)
    return str(exc)


def is_transient(exc):
    """Whether a failed call is worth making again: the service was out of
    reach, or the way to it answered 502, 503 or 504."""
    if isinstance(exc, CONNECTION_ERRORS + (exception.ServiceUnavailable,)):
        return True
    return status_code(exc) in TRANSIENT_CODES


@contextlib.contextmanager
def answers(service_title, doing, not_found=None):
    """Translate the client errors of the block; see the module
    documentation. ``doing`` says what was being done, ``not_found`` is the
    reason of a 404 (else a 404 is an answer like any other)."""
    try:
        yield
    except exception.KarborException:
        raise
    except CONNECTION_ERRORS as exc:
        raise exception.ServiceUnavailable(service=service_title,
                                           reason=exc)
    except ANSWER_ERRORS as exc:
        if not_found is not None and isinstance(exc, NOT_FOUND_ERRORS):
            raise PluginError(reason=not_found) from exc
        raise PluginError(
            reason=_('%(doing)s: %(service)s answered: %(error)s') %
            {'doing': doing, 'service': service_title,
             'error': describe(exc)}) from exc
    except STREAM_ERRORS as exc:
        raise PluginError(
            reason=_('%(doing)s: the connection to %(service)s failed: '
                     '%(error)s') % {'doing': doing,
                                     'service': service_title,
                                     'error': exc}) from exc


def reaching(service_title, doing):
    """A hook whose client errors are translated (:func:`answers`);
    ``doing`` is formatted with the hook's resource (``%(type)s``,
    ``%(id)s``). A hook that returns a waiting.Pending has its polls and
    what follows them translated too."""
    def decorator(hook):
        @functools.wraps(hook)
        def wrapper(self, checkpoint, resource, *args, **kwargs):
            def translated():
                return answers(service_title, doing % {'type': resource.type,
                                                       'id': resource.id})
            with translated():
                result = hook(self, checkpoint, resource, *args, **kwargs)
            if isinstance(result, waiting.Pending):
                result.within(translated)
            return result
        return wrapper
    return decorator
