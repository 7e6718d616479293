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

"""python-karborclient 2.1.0's command lines that ours runs: its
deprecated sort options, its other spellings of global options,
bash-completion and --karbor-api-version."""

from karborclient.tests.unit import fakes


def test_deprecated_sort_key_and_dir_are_sent_as_given(karbor,
                                                       requests_mock):
    listing = requests_mock.get(fakes.url('/plans'), json={'plans': []})

    result = karbor('plan-list', '--sort_key', 'name', '--sort_dir', 'asc')

    assert result.status == 0, result.err
    assert listing.last_request.qs == {'sort_key': ['name'],
                                       'sort_dir': ['asc']}


def test_deprecated_sort_options_with_sort_fail_without_a_request(
        karbor, requests_mock):
    result = karbor('restore-list', '--sort', 'id', '--sort_key', 'name')

    assert result.status == 1
    assert 'deprecated form of --sort' in result.err
    assert not requests_mock.called


def test_bash_completion_prints_commands_and_options(karbor):
    result = karbor('bash-completion', direct=False)

    words = result.out.split()
    assert result.status == 0
    assert {'plan-create', 'checkpoint-list', '--sort_key', '--all-tenants',
            '--wait'} <= set(words)
    assert 'bash-completion' not in words


def test_an_api_version_other_than_1_is_refused(karbor, requests_mock):
    result = karbor('--karbor-api-version', '2', 'plan-list')

    assert result.status == 1
    assert "version '2' is not supported" in result.err
    assert not requests_mock.called


def test_old_spellings_of_session_options_take_effect(karbor,
                                                      requests_mock):
    requests_mock.get(fakes.url('/providers'), json={'providers': []})

    result = karbor('--api-timeout', '7', '--karbor-api-version', '1',
                    '--include-password', '-v', 'provider-list')

    assert result.status == 0, result.err
    assert requests_mock.last_request.timeout == 7.0


def test_trigger_list_sends_properties_as_2_1_0_did(karbor, requests_mock):
    listing = requests_mock.get(fakes.url('/triggers'),
                                json={'triggers': []})

    assert karbor('trigger-list', '--properties', 'format=crontab').status == 0
    assert listing.last_request.qs['properties'] == ['format=crontab']
