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

"""Errors raised by the Karbor client library and the ``karbor`` CLI.

Every failure a caller can act on is a :class:`ClientException` whose
``message`` is a single human-readable sentence: the CLI prints exactly that.
"""


class ClientException(Exception):
    """Base of every error raised by karborclient."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message

    def __str__(self):
        return self.message


class CommandError(ClientException):
    """The command line was invalid; nothing was sent to the server."""


class ConnectionRefused(ClientException):
    """The Karbor API (or the identity service) could not be reached."""


class EndpointNotFound(ClientException):
    """The service catalog has no Karbor endpoint matching the filters."""


class NoUniqueMatch(ClientException):
    """find() matched more than one item."""


class UnsupportedVersion(ClientException):
    """The API version asked of ``karborclient.client.Client`` is not one
    this client speaks."""


class WaitTimeout(ClientException):
    """A ``--wait`` gave up before the resource reached a final status."""


class HttpError(ClientException):
    """The server answered with an HTTP error status."""

    status_code = None

    def __init__(self, message, status_code=None, request_id=None):
        super().__init__(message)
        if status_code is not None:
            self.status_code = status_code
        self.request_id = request_id


class BadRequest(HttpError):
    status_code = 400


class Unauthorized(HttpError):
    status_code = 401


class Forbidden(HttpError):
    status_code = 403


class NotFound(HttpError):
    status_code = 404


class Conflict(HttpError):
    status_code = 409


_ERRORS_BY_STATUS = {cls.status_code: cls
                     for cls in (BadRequest, Unauthorized, Forbidden,
                                 NotFound, Conflict)}


def _server_message(response):
    """Return the one-line message the server put in an error response.

    Karbor wraps errors as ``{"<kind>": {"code": N, "message": "..."}}`` with
    a kind such as ``badRequest`` or ``itemNotFound``; plain webob errors put
    ``message`` at the top level. Anything else falls back to the status line,
    so callers never see raw bytes.
    """
    try:
        message = _wrapped_message(response.json())
    except ValueError:
        message = None
    if not message:
        message = '%s %s' % (response.status_code, response.reason or '')
    # A multi-line server message would break the CLI's one-line errors.
    return ' '.join(str(message).split())


def _wrapped_message(body):
    if not isinstance(body, dict):
        return None
    if body.get('message'):
        return body['message']
    for value in body.values():
        if isinstance(value, dict) and value.get('message'):
            return value['message']
    return None


def from_response(response):
    """Build the exception matching an HTTP error response."""
    status = response.status_code
    cls = _ERRORS_BY_STATUS.get(status, HttpError)
    return cls(_server_message(response), status_code=status,
               request_id=response.headers.get('x-openstack-request-id'))
