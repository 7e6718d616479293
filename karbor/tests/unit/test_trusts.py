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

"""A scheduled operation's trust is deleted as its caller, at the
trustee's Keystone (an API worker may delete a trust before it ever made
one; the fullstack test sees that across uWSGI workers)."""

from unittest import mock

from keystoneauth1 import loading as ks_loading

from karbor.common import trusts
from karbor import context


def test_a_trust_is_deleted_as_the_caller_at_the_trustees_keystone(conf):
    # As a config file sets them.
    conf.register_opts(ks_loading.get_auth_plugin_conf_options('password'),
                       group='trustee')
    conf.config(auth_type='password', auth_url='http://keystone:5000/v3',
                username='karbor', password='karbor',
                user_domain_name='Default', group='trustee')
    caller = context.RequestContext(auth_token='token-of-demo',
                                    user_id='demo', project_id='demo')
    with mock.patch('keystoneclient.v3.client.Client') as keystone:
        trusts.delete_trust(caller, 'trust-1')
    (session,) = [call.kwargs['session'] for call in keystone.mock_calls
                  if 'session' in call.kwargs]
    assert session.auth.auth_url == 'http://keystone:5000/v3'
    assert session.auth.auth_methods[0].token == 'token-of-demo'
    keystone.return_value.trusts.delete.assert_called_once_with('trust-1')
