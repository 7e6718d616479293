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

"""Sphinx configuration of Karbor's documentation (tox -e docs)."""

project = 'Karbor'
copyright = 'Karbor developers'

extensions = [
    # The configuration reference: show-options over the namespaces that
    # etc/oslo-config-generator/karbor.conf lists.
    'oslo_config.sphinxext',
    # The sample karbor.conf, generated from the same list at build time.
    'oslo_config.sphinxconfiggen',
    # The policy reference and the sample policy file, from the rules in
    # karbor/policies (etc/oslo-policy-generator/karbor.conf).
    'oslo_policy.sphinxext',
    'oslo_policy.sphinxpolicygen',
]

policy_generator_config_file = (
    '../../etc/oslo-policy-generator/karbor.conf')
sample_policy_basename = '_static/karbor'

config_generator_config_file = [
    ('../../etc/oslo-config-generator/karbor.conf', '_static/karbor'),
]

root_doc = 'index'
exclude_patterns = ['_build']
templates_path = []
# Literal blocks are shell sessions and configuration files, not Python.
highlight_language = 'none'

html_theme = 'alabaster'
html_static_path = ['_static']
html_title = 'Karbor'
