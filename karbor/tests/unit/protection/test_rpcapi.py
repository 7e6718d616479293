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

"""karbor-api's side of karbor-protection's RPC API: a worker that does
not answer is a 503 the caller can retry, not a 500."""

import oslo_messaging as messaging
import pytest

from karbor import context
from karbor import exception
from karbor.services.protection import rpcapi


class _Silent(object):
    """An RPC client whose calls nobody answers."""

    def __init__(self):
        self.versions = []

    def prepare(self, version=None):
        self.versions.append(version)
        return self

    def call(self, ctxt, method, **kwargs):
        raise messaging.MessagingTimeout('no reply to %s' % method)


@pytest.fixture
def protection(conf, monkeypatch):
    monkeypatch.setattr(rpcapi.rpc, 'get_client',
                        lambda target, version_cap=None: _Silent())
    return rpcapi.ProtectionAPI()


def test_a_call_no_worker_answers_is_503_naming_the_wait(protection):
    with pytest.raises(exception.ServiceUnavailable) as raised:
        protection.show_provider(context.get_admin_context(), 'p-1')

    assert raised.value.code == 503
    assert str(raised.value) == (
        'karbor-protection is not available: no answer to show_provider '
        'within [DEFAULT] rpc_response_timeout')


def test_newer_calls_ask_for_the_version_that_has_them(protection):
    ctxt = context.get_admin_context()
    for call in (lambda: protection.list_providers(ctxt),
                 lambda: protection.verify(ctxt, None),
                 lambda: protection.copy(ctxt, None)):
        with pytest.raises(exception.ServiceUnavailable):
            call()

    assert protection._client.versions == [None, '1.1', '1.2']
