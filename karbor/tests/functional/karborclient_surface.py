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

"""The surface of a karborclient, as data: each ``karbor`` command with its
option strings and positional arguments, and each manager of the v1
Client with its public methods and their parameter names.

Run as a script (``python -I karborclient_surface.py``) it prints, as
JSON, the surface of whichever karborclient that python imports, so that
python-karborclient 2.1.0's can be read from its own virtualenv; it
imports nothing but the standard library and karborclient.
"""

import argparse
import inspect
import json
import sys


def cli_surface(parser):
    """{'global': [option...], 'commands': {name: {'options': [...],
    'positionals': [...]}}} of an argparse parser with subcommands."""
    surface = {'global': [], 'commands': {}}
    for action in parser._actions:
        if not isinstance(action, argparse._SubParsersAction):
            surface['global'].extend(action.option_strings)
            continue
        for name, command in action.choices.items():
            surface['commands'][name] = {
                'options': sorted(flag for a in command._actions
                                  for flag in a.option_strings),
                'positionals': [a.dest for a in command._actions
                                if not a.option_strings]}
    surface['global'].sort()
    return surface


def api_surface(client):
    """{manager attribute: {method: [parameter...]}} of a v1 Client."""
    return {
        name: {method_name: list(inspect.signature(method).parameters)
               for method_name, method in inspect.getmembers(
                   manager, inspect.ismethod)
               if not method_name.startswith('_')}
        for name, manager in vars(client).items()
        if hasattr(manager, 'resource_class')}


def _installed_surface():
    from karborclient import client
    from karborclient import shell
    if hasattr(shell, 'KarborShell'):
        # python-karborclient 2.1.0
        parser = shell.KarborShell().get_subcommand_parser('1', [])
    else:
        parser = shell.build_parser([])[0]
    karbor = client.Client('1', 'http://127.0.0.1:8799/v1/demo',
                           token='demo:demo')
    return {'cli': cli_surface(parser), 'api': api_surface(karbor)}


if __name__ == '__main__':
    json.dump(_installed_surface(), sys.stdout, indent=1, sort_keys=True)
