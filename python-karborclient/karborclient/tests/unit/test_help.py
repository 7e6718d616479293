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

"""Help and version: nothing to authenticate, status 0."""

import karborclient


def test_help_command_describes_one_command(karbor):
    result = karbor('help', 'checkpoint-create', direct=False)

    assert result.status == 0
    assert result.out.startswith('usage: karbor checkpoint-create')
    assert '--wait-timeout <seconds>' in result.out


def test_help_without_command_lists_every_command(karbor):
    result = karbor('help', direct=False)

    assert result.status == 0
    for name in ('provider-list', 'protectable-show-instance', 'plan-update',
                 'checkpoint-reset-state', 'restore-show'):
        assert name in result.out


def test_version_prints_the_package_version(karbor):
    result = karbor('--version', direct=False)

    assert result == (0, 'karbor %s\n' % karborclient.__version__, '')
