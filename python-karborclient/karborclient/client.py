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

"""``Client(version, ...)``: a client for one version of the Karbor API,
as python-karborclient 2.1.0 made it (``Client('1', session=...)``)."""

from karborclient import exceptions
from karborclient.v1 import client as v1_client

# The spellings of the one major version there is.
VERSIONS = {'1': v1_client.Client, '1.0': v1_client.Client}


def Client(version, *args, **kwargs):
    """A client of API ``version`` ('1' or '1.0'); the other arguments are
    those of :class:`karborclient.v1.client.Client`."""
    try:
        client_class = VERSIONS[str(version)]
    except KeyError:
        raise exceptions.UnsupportedVersion(
            'Karbor API version %r is not supported: use one of %s'
            % (version, ', '.join(sorted(VERSIONS))))
    return client_class(*args, **kwargs)
