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

"""API microversions: what each version of v1 adds, and which one a
request asked for.

A client names the version it wants in ``OpenStack-API-Version:
data-protect 1.N`` ("latest" is the newest). A request that names none
gets 1.0, the original Karbor's API, so that python-karborclient 2.1.0 and
karbor-dashboard see exactly the original's fields. A version outside
MIN..MAX is answered 406. Every v1 response says which version served it.

History (a version adds to the ones before it):

1.0  The original Karbor v1 API.
1.1  Checkpoints carry ``resources_status`` and ``resources_reason`` (each
     protected resource's status and why it failed); a provider's
     ``extended_info_schema`` carries ``verify_schema``; the answer of a
     checkpoint copy names the ``copy_provider_id`` the copies are in.
1.2  A checkpoint's show carries ``restores_in_progress`` and
     ``verifications_in_progress``: the ids of the restores and
     verifications reading it now that the caller may see.
"""

import microversion_parse

from karbor import exception
from karbor.i18n import _

SERVICE_TYPE = 'data-protect'
HEADER = 'OpenStack-API-Version'
VERSIONS = ('1.0', '1.1', '1.2')
MIN_VERSION = VERSIONS[0]
MAX_VERSION = VERSIONS[-1]

# The version each addition appeared in.
RESOURCE_STATUS_IN_CHECKPOINTS = (1, 1)
VERIFY_SCHEMA_IN_PROVIDERS = (1, 1)
COPY_PROVIDER_IN_COPIES = (1, 1)
READERS_IN_CHECKPOINTS = (1, 2)

_ENVIRON_KEY = 'karbor.api_version'


class VersionNotAcceptable(exception.KarborException):
    message = _('Version %(version)s of the data-protect API is not '
                'supported; this server speaks %(min)s to %(max)s.')
    code = 406


def negotiate(req):
    """Record the version ``req`` asks for; VersionNotAcceptable (406) or
    InvalidInput (400, not a version at all) when it cannot be served."""
    try:
        version = microversion_parse.extract_version(
            req.headers, SERVICE_TYPE, VERSIONS)
    except TypeError:
        raise exception.InvalidInput(
            reason=_('%(header)s must be "%(service)s <major>.<minor>" or '
                     '"%(service)s latest", not %(value)r.') % {
                'header': HEADER, 'service': SERVICE_TYPE,
                'value': req.headers.get(HEADER)})
    except ValueError:
        raise VersionNotAcceptable(
            version=microversion_parse.get_version(req.headers,
                                                   SERVICE_TYPE),
            min=MIN_VERSION, max=MAX_VERSION)
    req.environ[_ENVIRON_KEY] = version
    return version


def of(req):
    """The version ``req`` is served at (1.0 before negotiation)."""
    return req.environ.get(_ENVIRON_KEY,
                           microversion_parse.Version(1, 0))


def at_least(req, version):
    return tuple(of(req)) >= version


def mark(req, response):
    """Say on ``response`` which version served it, and that caches must
    tell versions apart."""
    response.headers[HEADER] = '%s %s' % (SERVICE_TYPE, of(req))
    response.headers.add('Vary', HEADER)
    return response
