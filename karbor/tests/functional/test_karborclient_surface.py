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

"""Everything python-karborclient 2.1.0 offered, our karborclient offers:
its commands, their options and arguments, its managers, their methods
and parameters, read from 2.1.0 itself rather than from a list kept by
hand."""

import json
import os
import subprocess

import pytest

from karbor.tests.functional import fixtures
from karbor.tests.functional import karborclient_surface
from karborclient import client
from karborclient import shell

# Parameters that 2.1.0 named otherwise; ours take the old name too, but
# at 2.1.0's position stands ours.
RENAMED = {'data': 'values', 'checkpoint_extra_info': 'extra_info',
           'type': 'protectable_type', 'id': 'instance_id'}


@pytest.fixture(scope='module')
def old():
    python = os.path.join(os.path.dirname(fixtures.karborclient_2_1_0()),
                          'python')
    # -I: 2.1.0's own karborclient, whatever PYTHONPATH says.
    out = subprocess.run([python, '-I', karborclient_surface.__file__],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out)


@pytest.fixture(scope='module')
def ours():
    karbor = client.Client('1', 'http://127.0.0.1:8799/v1/demo',
                           token='demo:demo')
    return {'cli': karborclient_surface.cli_surface(shell.build_parser([])[0]),
            'api': karborclient_surface.api_surface(karbor)}


def test_the_dump_of_2_1_0_is_complete(old):
    # Guards the comparisons below against an empty or partial dump.
    assert len(old['cli']['commands']) == 43  # 41, help, bash-completion
    assert len(old['api']) == 12
    assert old['api']['plans']['list'] == [
        'detailed', 'search_opts', 'marker', 'limit', 'sort_key',
        'sort_dir', 'sort']


def test_every_global_option_of_2_1_0_is_ours(old, ours):
    assert set(old['cli']['global']) - set(ours['cli']['global']) == set()


def test_every_command_of_2_1_0_is_ours(old, ours):
    assert (set(old['cli']['commands']) - set(ours['cli']['commands']) ==
            set())


def test_every_option_of_each_command_of_2_1_0_is_ours(old, ours):
    missing = {
        name: sorted(set(command['options']) -
                     set(ours['cli']['commands'][name]['options']))
        for name, command in old['cli']['commands'].items()}
    assert {name: flags for name, flags in missing.items() if flags} == {}


def test_positional_arguments_come_in_2_1_0s_order(old, ours):
    different = {
        name: (command['positionals'],
               ours['cli']['commands'][name]['positionals'])
        for name, command in old['cli']['commands'].items()
        if ours['cli']['commands'][name]['positionals'] !=
        command['positionals']}
    assert different == {}


def test_every_manager_and_method_of_2_1_0_is_ours(old, ours):
    missing = {manager: sorted(set(methods) -
                               set(ours['api'].get(manager, {})))
               for manager, methods in old['api'].items()}
    assert {m: names for m, names in missing.items() if names} == {}


def test_every_parameter_of_2_1_0_is_ours_at_its_position(old, ours):
    """A 2.1.0 call, positional or by keyword, binds to the same
    parameters in ours."""
    wrong = {}
    for manager, methods in old['api'].items():
        for method, parameters in methods.items():
            our_parameters = ours['api'][manager][method]
            if parameters == ['kwargs']:
                # find(**kwargs) and findall(**kwargs)
                ok = our_parameters[-1:] == ['kwargs']
            else:
                ok = all(name in our_parameters for name in parameters) and all(
                    ours_at in (name, RENAMED.get(name))
                    for name, ours_at in zip(parameters, our_parameters))
            if not ok:
                wrong['%s.%s' % (manager, method)] = (parameters,
                                                      our_parameters)
    assert wrong == {}
