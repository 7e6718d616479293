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

"""Real Karbor processes and the real ``karbor`` CLI, for functional tests."""

import contextlib
import json
import os
import socket
import subprocess
import sys
import time
import uuid

import pymysql
import requests

BIN = os.path.dirname(sys.executable)
NOOP_PROVIDER = 'b766f37c-d011-4026-8228-28730d734a3f'
INFRA_PROVIDER = 'cf56bd3e-97a7-4078-b6d5-f36246333fd9'
# Statuses after which a checkpoint or restore will not change by itself.
FAILED = ('error', 'error-deleting', 'fail')
# The machine's MariaDB and RabbitMQ, for Karbor as separate processes.
MYSQL = {'host': '127.0.0.1', 'user': 'root', 'password': ''}
RABBIT = 'rabbit://guest:guest@127.0.0.1:5672/'


def karborclient_2_1_0():
    """The ``karbor`` command of python-karborclient 2.1.0, the original's
    last client, installed into a virtualenv of its own (cached beside the
    test virtualenv)."""
    cache = os.environ.get('KARBOR_CACHE',
                           os.path.expanduser('~/.cache/karbor'))
    venv = os.path.join(cache, 'python-karborclient-2.1.0')
    if not os.path.exists(os.path.join(venv, '.complete')):
        subprocess.run([sys.executable, '-m', 'venv', '--clear', venv],
                       check=True)
        subprocess.run([os.path.join(venv, 'bin', 'pip'), 'install', '-q',
                        'python-karborclient==2.1.0'], check=True)
        open(os.path.join(venv, '.complete'), 'w').close()
    return os.path.join(venv, 'bin', 'karbor')


def separate_processes_options(state, database, transport_url=RABBIT):
    """The karbor.conf options of karbor-api and the workers as separate
    processes (noauth) on MariaDB ``database`` and ``transport_url``, and
    the API's URL. RPC topics and the host are of this run only, so that
    a concurrent run on the same RabbitMQ never serves our calls; callers
    add their own options before writing them (write_config)."""
    port = free_port()
    run = uuid.uuid4().hex[:8]
    options = {
        'DEFAULT': {
            'state_path': str(state),
            'auth_strategy': 'noauth',
            'transport_url': transport_url,
            'osapi_karbor_listen': '127.0.0.1',
            'osapi_karbor_listen_port': port,
            'protection_topic': 'karbor-protection-%s' % run,
            'operationengine_topic': 'karbor-operationengine-%s' % run,
            'host': 'ft-%s' % run,
        },
        'database': {'connection': 'mysql+pymysql://root@127.0.0.1/%s'
                                   '?charset=utf8mb4' % database},
    }
    return options, 'http://127.0.0.1:%s' % port


@contextlib.contextmanager
def scratch_database():
    """A MariaDB database of its own, dropped after the block."""
    name = 'karbor_ft_%s' % uuid.uuid4().hex[:8]
    admin = pymysql.connect(**MYSQL)
    with admin.cursor() as cursor:
        cursor.execute('CREATE DATABASE %s CHARACTER SET utf8mb4' % name)
    try:
        yield name
    finally:
        with admin.cursor() as cursor:
            cursor.execute('DROP DATABASE %s' % name)
        admin.close()


@contextlib.contextmanager
def scratch_vhost(prefix='karbor_ft'):
    """The URL of a RabbitMQ vhost of its own, deleted after the block."""
    name = '%s_%s' % (prefix, uuid.uuid4().hex[:8])
    rabbitmqctl('add_vhost', name)
    try:
        rabbitmqctl('set_permissions', '-p', name, 'guest', '.*', '.*', '.*')
        yield RABBIT + name
    finally:
        rabbitmqctl('delete_vhost', name)


def rabbitmqctl(*args):
    return subprocess.run(['rabbitmqctl'] + list(args), check=True,
                          capture_output=True, text=True, timeout=120).stdout


def db_sync(conf):
    subprocess.run([os.path.join(BIN, 'karbor-manage'), '--config-file',
                    conf, 'db', 'sync'], check=True, capture_output=True)


def wait_for_service(database, host, process, timeout=60):
    """Until ``process`` serves its RPC topic: it reports to the services
    table once its RPC server runs, and a call sent before would wait for
    the RPC timeout."""
    deadline = time.monotonic() + timeout
    connection = pymysql.connect(database=database, autocommit=True,
                                 **MYSQL)
    try:
        while True:
            with connection.cursor() as cursor:
                cursor.execute('SELECT COUNT(*) FROM services WHERE '
                               'host = %s AND `binary` = %s',
                               (host, process.name))
                if cursor.fetchone()[0]:
                    return
            assert process.popen.poll() is None, process.log()
            assert time.monotonic() < deadline, process.log()
            time.sleep(0.2)
    finally:
        connection.close()


def free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def port_open(port):
    with socket.socket() as sock:
        return sock.connect_ex(('127.0.0.1', port)) == 0


def child_pids(pid):
    """The child processes of ``pid``, whichever of its threads forked
    them."""
    children = []
    for task in os.listdir('/proc/%d/task' % pid):
        with open('/proc/%d/task/%s/children' % (pid, task)) as listed:
            children.extend(int(child) for child in listed.read().split())
    return sorted(children)


def write_config(path, sections):
    """An ini file; a list value repeats its option (plugin = ...)."""
    with open(path, 'w') as conf:
        for section, options in sections.items():
            conf.write('[%s]\n' % section)
            for name, value in options.items():
                for one in value if isinstance(value, list) else [value]:
                    conf.write('%s = %s\n' % (name, one))
            conf.write('\n')
    return path


class Process(object):
    """A karbor-* command of ``bin_dir`` running in the background, its log
    in a file; ``wrapper`` is a command that runs it (e.g. in a
    namespace)."""

    def __init__(self, name, args, log_dir, env=None, wrapper=(),
                 bin_dir=BIN):
        self.name = name
        self.log_path = os.path.join(log_dir, '%s.log' % name)
        self._log = open(self.log_path, 'w')
        self.popen = subprocess.Popen(
            list(wrapper) + [os.path.join(bin_dir, name)] + list(args),
            stdout=self._log, stderr=subprocess.STDOUT,
            env=dict(os.environ, **(env or {})))

    def log(self):
        with open(self.log_path) as log:
            return log.read()

    def stop(self):
        if self.popen.poll() is None:
            self.popen.terminate()
            try:
                self.popen.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait()
        self._log.close()


def wait_for_api(url, process, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.popen.poll() is not None:
            raise AssertionError('%s exited with %s:\n%s' % (
                process.name, process.popen.returncode, process.log()))
        try:
            if requests.get(url, timeout=2).status_code == 200:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.2)
    raise AssertionError('%s did not answer on %s:\n%s' % (
        process.name, url, process.log()))


class Cli(object):
    """Runs ``karbor`` the way a user does on the embedded default."""

    def __init__(self, url, user, project):
        self.env = dict(os.environ, OS_AUTH_TOKEN='%s:%s' % (user, project),
                        KARBOR_URL='%s/v1/%s' % (url, project))
        for name in ('OS_AUTH_URL', 'OS_USERNAME', 'OS_PASSWORD',
                     'OS_PROJECT_NAME', 'OS_CLOUD'):
            self.env.pop(name, None)
        self.project = project

    def command(self, args):
        return [os.path.join(BIN, 'karbor')] + list(args)

    def run(self, *args, check=True):
        result = subprocess.run(self.command(args), env=self.env,
                                capture_output=True, text=True, timeout=300)
        if check and result.returncode != 0:
            raise AssertionError('karbor %s failed (%s): %s%s' % (
                ' '.join(args), result.returncode, result.stdout,
                result.stderr))
        return result

    def table(self, *args):
        """A Property/Value table as a dict (multi-line values joined)."""
        return parse_property_table(self.run(*args).stdout)

    def wait_for(self, status, *args, timeout=120):
        """Show until ``status``; a failed status ends the wait at once."""
        deadline = time.monotonic() + timeout
        while True:
            shown = self.table(*args)
            if shown['status'] == status:
                return shown
            if shown['status'] in FAILED or time.monotonic() > deadline:
                raise AssertionError('%s, not %s: %s' % (
                    shown['status'], status, shown))
            time.sleep(0.2)


def parse_property_table(text):
    """Read a prettytable Property | Value table back into a dict."""
    rows = {}
    key = None
    for line in text.splitlines():
        if not line.startswith('|'):
            continue
        cells = [cell.strip() for cell in line.strip('|').split('|', 1)]
        if len(cells) != 2 or cells == ['Property', 'Value']:
            continue
        if cells[0]:
            key = cells[0]
            rows[key] = cells[1]
        elif key is not None:
            rows[key] += '\n' + cells[1]
    return rows


def parse_list_table(text):
    """Read a prettytable list back into a list of dicts."""
    lines = [line for line in text.splitlines() if line.startswith('|')]
    if not lines:
        return []
    header = [cell.strip() for cell in lines[0].strip('|').split('|')]
    return [dict(zip(header, (cell.strip()
                              for cell in line.strip('|').split('|'))))
            for line in lines[1:]]


def loads(value):
    return json.loads(value)
