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

"""The policy sample an operator generates (tox -e genpolicy) lists every
rule Karbor enforces, with the original Karbor's rule it replaces."""

import os
import subprocess
import sys

import pytest
import yaml

from karbor import policies

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))


@pytest.fixture(scope='module')
def sample(tmp_path_factory):
    """The sample as oslopolicy-sample-generator writes it (in a process
    of its own: it parses its arguments into oslo.config's global
    configuration)."""
    output = tmp_path_factory.mktemp('policy') / 'policy.yaml.sample'
    subprocess.run(
        [sys.executable, '-c',
         'from oslo_policy import generator; generator.generate_sample()',
         '--config-file',
         os.path.join(TOP, 'etc', 'oslo-policy-generator', 'karbor.conf'),
         '--output-file', str(output)], check=True, timeout=60)
    return output.read_text()


def test_the_sample_names_every_rule_at_its_new_default(sample):
    text = sample
    # Every line commented out: the sample changes nothing as it is.
    uncommented = yaml.safe_load(text)

    assert uncommented is None
    for rule in policies.list_rules():
        assert '#"%s": "%s"' % (rule.name, rule.check_str) in text, rule.name


def test_the_sample_says_which_original_rule_each_replaces(sample):
    text = sample

    assert ('"provider:checkpoint_create":"rule:admin_or_owner" has been '
            'deprecated since 2026.2 in favor of "checkpoint:create"' in
            text.replace('\n# ', ' ').replace('\n#', ' '))
    assert '"operation_log:list"' in text
