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

"""``openstack data protection ...`` run through cliff as OpenStackClient
runs it, with the commands of setup.cfg's entry points and a client
manager whose data_protection client talks to requests_mock."""

import configparser
import importlib
import os

from cliff import app
from cliff import commandmanager

from karborclient.tests.unit import fakes
from karborclient.v1 import client as v1_client

SETUP_CFG = os.path.join(os.path.dirname(__file__), '..', '..', '..', '..',
                         'setup.cfg')


def entry_points(group):
    """{name: 'module:Class'} of a group of setup.cfg's entry points."""
    config = configparser.ConfigParser()
    config.read(SETUP_CFG)
    points = {}
    for line in config['entry_points'][group].strip().splitlines():
        name, _equals, target = line.partition('=')
        points[name.strip()] = target.strip()
    return points


def load(target):
    module, _colon, name = target.partition(':')
    return getattr(importlib.import_module(module), name)


class ClientManager(object):
    def __init__(self):
        self.data_protection = v1_client.Client(endpoint=fakes.KARBOR_URL,
                                                token='admin:demo')


class OpenStack(app.App):
    """OpenStackClient's shape: the plugin's commands, named as OSC names
    them (underscores of the entry point's name become spaces)."""

    def __init__(self):
        manager = commandmanager.CommandManager('karborclient.tests.none')
        for name, target in entry_points(
                'openstack.data_protection.v1').items():
            manager.add_command(name.replace('_', ' '), load(target))
        super().__init__(description='openstack', version='0',
                         command_manager=manager, deferred_help=True)
        self.client_manager = ClientManager()
