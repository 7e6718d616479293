#!/usr/bin/env python3
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

"""Karbor's control path, measured side by side with the original Karbor.

Starts each deployment on a free port with a state directory of its own:

``karbor-all``
    ours on the embedded default (SQLite, inproc://, file-system bank),
    a karbor-all process per core;
``separate``
    ours as karbor-api (a worker process per core) and karbor-protection
    on MariaDB and RabbitMQ;
``original``
    Karbor 1.6.0 as karbor-api and karbor-protection on SQLite and
    RabbitMQ (its own exchange), from tools/bench/original/install, which
    this runs when the install is missing;

then, in each of ``--rounds`` rounds, measures every figure on each
deployment in turn, and prints the median of the rounds and each of ours
as a ratio to the original's:

- plan list of 100 plans, 1 and 10 clients (requests/s, wrk);
- plan create, 1 client (requests/s, wrk);
- a No-Op checkpoint of a 100-resource plan until it is available (s).

``--scale`` adds, on ours: a page of plans and of checkpoints with 100 and
with ``--scale-rows`` of them, a No-Op checkpoint of a tenth of
``--scale-resources`` resources and of all of them, and the rate of shows
of each, and karbor-protection's resident memory
before and as it makes ``--scale-checkpoints`` checkpoints, in four
batches. Figures only: nothing here passes or fails.

    python tools/bench/api_bench.py [--rounds 3] [--seconds 3]
        [--deployments karbor-all,separate,original] [--scale]

Run it with the Python of the test virtualenv (tools/run-tests builds it);
it needs wrk (``apt-get install wrk``), MariaDB and RabbitMQ.
"""

import argparse
import concurrent.futures
import json
import os
import pathlib
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid

import requests

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2]))

from karbor.tests.functional import fixtures  # noqa: E402

HERE = pathlib.Path(__file__).resolve().parent
NOOP = fixtures.NOOP_PROVIDER


def project_id(project):
    """The id of the benchmark's project named ``project``: plans are
    listed in one project and created in another, so the list always
    holds the same 100. The original's quotas want ids that look like
    Keystone's."""
    return uuid.uuid5(uuid.NAMESPACE_URL, 'karbor-bench/' + project).hex


def token(project):
    """noauth's token, "<user>:<project id>"."""
    return 'bench:%s' % project_id(project)


def _plan_body(resources):
    # With parameters: the original answered a plan without them 500.
    return {'plan': {'name': 'bench', 'provider_id': NOOP,
                     'resources': resources, 'parameters': {}}}


PROJECT_RESOURCE = [{'id': 'bench', 'type': 'OS::Keystone::Project',
                     'name': 'bench'}]


def _volumes(count):
    return [{'id': str(uuid.uuid4()), 'type': 'OS::Cinder::Volume',
             'name': 'volume-%d' % i} for i in range(count)]


class Deployment(object):
    """Processes serving the v1 API at ``url``, stopped by stop()."""

    def __init__(self, name, state):
        self.name = name
        self.state = state
        self.processes = []
        self.url = None

    def api(self, project):
        return '%s/v1/%s' % (self.url, project_id(project))

    def start(self, binaries, conf, bin_dir=fixtures.BIN):
        for binary in binaries:
            self.processes.append(fixtures.Process(
                binary, ['--config-file', str(conf)], str(self.state),
                bin_dir=bin_dir))
        # Until the worker answers through the API (the original's GET /
        # is a 500).
        deadline = time.monotonic() + 120
        while True:
            try:
                if requests.get(self.api('bench') + '/providers',
                                headers={'X-Auth-Token': token('bench')},
                                timeout=70).status_code == 200:
                    return
            except requests.ConnectionError:
                pass
            exited = [p for p in self.processes if p.popen.poll() is not None]
            if exited or time.monotonic() > deadline:
                self.stop()
                raise SystemExit('%s did not start: see %s'
                                 % (self.name, self.state))
            time.sleep(0.5)

    def protection_pids(self):
        """The processes that protect: karbor-protection, karbor-all, or
        karbor-all's peers when it runs several."""
        pid = self.processes[-1].popen.pid
        return fixtures.child_pids(pid) or [pid]

    def stop(self):
        for process in reversed(self.processes):
            process.stop()


def karbor_all(state, limits):
    deployment = Deployment('karbor-all', state)
    port = fixtures.free_port()
    deployment.url = 'http://127.0.0.1:%d' % port
    # A whole karbor-all process for each of the machine's cores.
    conf = fixtures.write_config(state / 'karbor.conf', dict(
        limits, DEFAULT=dict(limits['DEFAULT'], state_path=str(state),
                             osapi_karbor_listen_port=port,
                             osapi_karbor_workers=os.cpu_count())))
    deployment.start(['karbor-all'], conf)
    return deployment


def separate(state, limits, database):
    deployment = Deployment('separate', state)
    options, deployment.url = fixtures.separate_processes_options(
        state, database)
    options['DEFAULT'].update(limits['DEFAULT'])
    # One API process for each of the machine's cores, as an operator
    # would set it.
    options['DEFAULT']['osapi_karbor_workers'] = os.cpu_count()
    options.update({k: v for k, v in limits.items() if k != 'DEFAULT'})
    conf = fixtures.write_config(state / 'karbor.conf', options)
    fixtures.db_sync(str(conf))
    deployment.start(['karbor-api', 'karbor-protection'], conf)
    return deployment


def original(state, limits, vhost):
    install = pathlib.Path(subprocess.run(
        [str(HERE / 'original' / 'install')], check=True,
        stdout=subprocess.PIPE, text=True).stdout.split()[-1])
    source = install / 'karbor-1.6.0'
    deployment = Deployment('original', state)
    port = fixtures.free_port()
    deployment.url = 'http://127.0.0.1:%d' % port
    (state / 'providers.d').mkdir()
    fixtures.write_config(state / 'providers.d' / 'noop.conf', {
        'provider': {'name': 'No-Op Provider', 'id': NOOP,
                     'description': 'No-Op',
                     'plugin': 'karbor-noop-protection-plugin',
                     'bank': 'karbor-fs-bank-plugin', 'enabled': 'True'},
        'file_system_bank_plugin': {
            'file_system_bank_path': str(state / 'bank')}})
    conf = fixtures.write_config(state / 'karbor.conf', {
        'DEFAULT': dict(
            # A vhost of its own: its servers listen on fixed topics,
            # which are also ours.
            limits['DEFAULT'], auth_strategy='noauth', transport_url=vhost,
            api_paste_config=str(source / 'etc' / 'api-paste.ini'),
            osapi_karbor_listen='127.0.0.1', osapi_karbor_listen_port=port,
            osapi_karbor_workers=1,
            provider_config_dir=str(state / 'providers.d'),
            state_path=str(state), host='bench-original'),
        'database': {'connection': 'sqlite:///%s' % (state / 'karbor.sqlite')},
        'oslo_concurrency': {'lock_path': str(state / 'lock')},
    })
    bin_dir = str(install / 'venv' / 'bin')
    subprocess.run([os.path.join(bin_dir, 'karbor-manage'), '--config-file',
                    str(conf), 'db', 'sync'], check=True, capture_output=True)
    deployment.start(['karbor-api', 'karbor-protection'], conf,
                     bin_dir=bin_dir)
    return deployment


def wrk_rate(url, token, clients, seconds, body=None):
    """Requests per second that wrk sustains with ``clients``
    connections; a POST of ``body`` when given."""
    script = None
    if body is not None:
        script = tempfile.NamedTemporaryFile('w', suffix='.lua',
                                             delete=False)
        script.write('wrk.method = "POST"\nwrk.body = %s\n'
                     'wrk.headers["Content-Type"] = "application/json"\n'
                     % json.dumps(json.dumps(body)))
        script.close()
    # Each request on a connection of its own, as the karbor command
    # makes them: on a kept-alive connection the original's eventlet
    # server answers only after TCP's delayed acknowledgement (about 40
    # ms), which would flatter ours.
    command = ['wrk', '-t%d' % min(clients, 2), '-c%d' % clients,
               '-d%ds' % seconds, '-H', 'X-Auth-Token: %s' % token,
               '-H', 'Connection: close', url]
    if script is not None:
        command[1:1] = ['-s', script.name]
    output = subprocess.run(command, check=True, stdout=subprocess.PIPE,
                            text=True).stdout
    if script is not None:
        os.unlink(script.name)
    failed = re.search(r'Non-2xx or 3xx responses: (\d+)', output)
    if failed:
        raise SystemExit('%s answered %s non-2xx responses:\n%s' % (
            url, failed.group(1), output))
    return float(re.search(r'Requests/sec:\s+([\d.]+)', output).group(1))


def checkpoint_seconds(deployment, resources, project='checkpoint'):
    """(seconds until a checkpoint of ``resources`` is available, its
    URL)."""
    headers = {'X-Auth-Token': token(project)}
    api = deployment.api(project)
    plan = _check(deployment, requests.post(
        api + '/plans', json=_plan_body(resources), headers=headers))
    started = time.monotonic()
    checkpoint = _check(deployment, requests.post(
        api + '/providers/%s/checkpoints' % NOOP,
        json={'checkpoint': {'plan_id': plan['plan']['id']}},
        headers=headers))
    url = api + '/providers/%s/checkpoints/%s' % (
        NOOP, checkpoint['checkpoint']['id'])
    delay = 0.005
    while True:
        status = requests.get(url, headers=headers).json()[
            'checkpoint']['status']
        if status == 'available':
            return time.monotonic() - started, url
        if status == 'error':
            raise SystemExit('%s: the checkpoint ended in error'
                             % deployment.name)
        time.sleep(delay)
        delay = min(delay * 2, 0.1)


def _check(deployment, response):
    if response.status_code != 200:
        raise SystemExit('%s: %s %s answered %d: %s' % (
            deployment.name, response.request.method, response.url,
            response.status_code, response.text))
    return response.json()


def _fill(deployment, project, count, create):
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        for response in pool.map(lambda _i: create(deployment, project),
                                 range(count)):
            _check(deployment, response)


def _create_plan(deployment, project):
    return requests.post(deployment.api(project) + '/plans',
                         json=_plan_body(PROJECT_RESOURCE),
                         headers={'X-Auth-Token': token(project)})


FIGURES = [
    # (name, unit, higher is better, measure(deployment, seconds))
    ('plan list of 100 plans, 1 client', 'req/s', True,
     lambda d, s: wrk_rate(d.api('bench') + '/plans', token('bench'), 1, s)),
    ('plan list of 100 plans, 10 clients', 'req/s', True,
     lambda d, s: wrk_rate(d.api('bench') + '/plans', token('bench'), 10, s)),
    ('plan create, 1 client', 'req/s', True,
     lambda d, s: wrk_rate(d.api('create') + '/plans', token('create'), 1, s,
                           body=_plan_body(PROJECT_RESOURCE))),
    ('No-Op checkpoint of 100 resources', 's', False,
     lambda d, s: checkpoint_seconds(d, _volumes(100))[0]),
]


def compare(deployments, rounds, seconds):
    samples = {(figure[0], d.name): [] for figure in FIGURES
               for d in deployments}
    for number in range(rounds):
        print('round %d of %d' % (number + 1, rounds), flush=True)
        for name, _unit, _higher, measure in FIGURES:
            for deployment in deployments:
                samples[name, deployment.name].append(
                    measure(deployment, seconds))
    names = [d.name for d in deployments]
    ours = [n for n in names if n != 'original']
    print()
    ratios = ['%s/original' % n for n in ours] if 'original' in names else []
    print('%-42s' % ('median of %d rounds' % rounds)
          + ''.join('%12s' % n for n in names)
          + ''.join('%22s' % r for r in ratios))
    for name, unit, higher, _measure in FIGURES:
        medians = {n: statistics.median(samples[name, n]) for n in names}
        line = '%-42s' % ('%s (%s)' % (name, unit)) + ''.join(
            '%12.2f' % medians[n] if unit == 's' else '%12.0f' % medians[n]
            for n in names)
        if 'original' in names:
            for n in ours:
                ratio = (medians[n] / medians['original'] if higher
                         else medians['original'] / medians[n])
                line += '%21.1fx' % ratio
        print(line)


def _create_checkpoint(deployment, project, plan_id):
    return requests.post(
        deployment.api(project) + '/providers/%s/checkpoints' % NOOP,
        json={'checkpoint': {'plan_id': plan_id}},
        headers={'X-Auth-Token': token(project)})


def _rss_mib(pids):
    """The resident memory of ``pids``, summed."""
    total = 0
    for pid in pids:
        with open('/proc/%d/status' % pid) as status:
            total += next(int(line.split()[1]) for line in status
                          if line.startswith('VmRSS:'))
    return total / 1024.0


def _wait_all_available(deployment, project, count):
    """Until ``count`` checkpoints of ``project`` are available."""
    api = deployment.api(project) + '/providers/%s/checkpoints' % NOOP
    headers = {'X-Auth-Token': token(project)}
    while True:
        started = time.monotonic()
        available, marker = 0, None
        while True:
            page = requests.get(api, headers=headers, params=dict(
                limit=1000, **({'marker': marker} if marker else {}))
            ).json()['checkpoints']
            available += sum(c['status'] == 'available' for c in page)
            if len(page) < 1000:
                break
            marker = page[-1]['id']
        if available >= count:
            return
        # Listing thousands of checkpoints costs the service what the
        # protects need: a fifth of the wait at most.
        time.sleep(max(1.0, 4 * (time.monotonic() - started)))


def scale(deployment, seconds, rows, resources, checkpoints):
    print('\n%s at scale' % deployment.name, flush=True)
    plan_id = _create_plan(deployment, 'memory').json()['plan']['id']
    # In four batches, each until available: whether memory grows with the
    # checkpoints made, or stays once warm.
    sizes = ['%.0f MiB' % _rss_mib(deployment.protection_pids())]
    made = 0
    while made < checkpoints:
        batch = min(max(1, checkpoints // 4), checkpoints - made)
        _fill(deployment, 'memory', batch,
              lambda d, p: _create_checkpoint(d, p, plan_id))
        made += batch
        _wait_all_available(deployment, 'memory', made)
        sizes.append('%.0f MiB after %d' % (
            _rss_mib(deployment.protection_pids()), made))
    print('  resident memory of the %d protecting processes: %s '
          'checkpoints' % (len(deployment.protection_pids()),
                           ', '.join(sizes)), flush=True)
    for count in (100, rows):
        project = 'plans%d' % count
        _fill(deployment, project, count, _create_plan)
        rate = wrk_rate(deployment.api(project) + '/plans?limit=50',
                        token(project), 1, seconds)
        print('  a page of 50 plans among %6d: %8.0f req/s'
              % (count, rate), flush=True)
    for count in (100, rows):
        project = 'checkpoints%d' % count
        plan = _create_plan(deployment, project).json()['plan']['id']
        _fill(deployment, project, count,
              lambda d, p: _create_checkpoint(d, p, plan))
        _wait_all_available(deployment, project, count)
        rate = wrk_rate(
            deployment.api(project) + '/providers/%s/checkpoints?limit=50'
            % NOOP, token(project), 1, seconds)
        print('  a page of 50 checkpoints among %6d: %8.0f req/s'
              % (count, rate), flush=True)
    for size in (resources // 10, resources):
        took, url = checkpoint_seconds(deployment, _volumes(size), 'large')
        print('  a No-Op checkpoint of %5d resources: %6.2f s '
              '(%.2f ms a resource)' % (size, took, took * 1000 / size),
              flush=True)
        rate = wrk_rate(url, token('large'), 1, seconds)
        print('  a show of that checkpoint: %8.0f req/s' % rate, flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--rounds', type=int, default=3)
    parser.add_argument('--seconds', type=int, default=3,
                        help='how long each rate is measured')
    parser.add_argument('--deployments', default='karbor-all,separate,'
                        'original')
    parser.add_argument('--scale', action='store_true')
    parser.add_argument('--scale-rows', type=int, default=10000)
    parser.add_argument('--scale-resources', type=int, default=3000)
    parser.add_argument('--scale-checkpoints', type=int, default=1000)
    args = parser.parse_args()
    if shutil.which('wrk') is None:
        raise SystemExit('wrk is needed: apt-get install wrk')
    chosen = args.deployments.split(',')
    # Room for the benchmark's plans, checkpoints and largest plan.
    limits = {'DEFAULT': {'quota_plans': -1, 'quota_checkpoints': -1,
                          'max_plan_resources': max(args.scale_resources,
                                                    100)},
              'oslo_middleware': {'max_request_body_size': 16 << 20}}
    root = pathlib.Path(tempfile.mkdtemp(prefix='karbor-bench-'))
    deployments = []
    try:
        with fixtures.scratch_database() as database, \
                fixtures.scratch_vhost('karbor_bench') as vhost:
            for name in chosen:
                state = root / name
                state.mkdir()
                if name == 'karbor-all':
                    deployments.append(karbor_all(state, limits))
                elif name == 'separate':
                    deployments.append(separate(state, limits, database))
                elif name == 'original':
                    deployments.append(original(state, limits, vhost))
                else:
                    raise SystemExit('unknown deployment %s' % name)
                _fill(deployments[-1], 'bench', 100, _create_plan)
            compare(deployments, args.rounds, args.seconds)
            if args.scale:
                for deployment in deployments:
                    if deployment.name != 'original':
                        scale(deployment, args.seconds, args.scale_rows,
                              args.scale_resources, args.scale_checkpoints)
            for deployment in deployments:
                deployment.stop()
            deployments = []
    except BaseException:
        print('the deployments\' logs are kept in %s' % root)
        raise
    finally:
        for deployment in deployments:
            deployment.stop()
    shutil.rmtree(root, ignore_errors=True)


if __name__ == '__main__':
    main()
