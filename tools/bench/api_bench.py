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

"""Benchmark karbor-all: API requests/s and a 100-resource No-Op checkpoint.

Starts karbor-all on a free port with a fresh state directory (or uses
--url), then prints requests per second of plan list, plan show and plan
create with 1 client and with 10 concurrent clients, and the seconds a
No-Op checkpoint of a plan with 100 resources takes to become available.
Figures only: nothing here passes or fails.

    python tools/bench/api_bench.py [--seconds 5] [--url http://HOST:PORT]
"""

import argparse
import concurrent.futures
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid

import requests

NOOP = 'b766f37c-d011-4026-8228-28730d734a3f'
TOKEN = {'X-Auth-Token': 'bench:bench'}


def _free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def start_karbor_all(state):
    port = _free_port()
    conf = os.path.join(state, 'karbor.conf')
    with open(conf, 'w') as f:
        # Limits raised for the large plans of --checkpoint-resources.
        f.write('[DEFAULT]\nstate_path = %s\nosapi_karbor_listen_port = %d\n'
                'max_plan_resources = 10000\n'
                '[oslo_middleware]\nmax_request_body_size = 16777216\n'
                % (state, port))
    binary = os.path.join(os.path.dirname(sys.executable), 'karbor-all')
    log = open(os.path.join(state, 'karbor-all.log'), 'w')
    process = subprocess.Popen([binary, '--config-file', conf], stdout=log,
                               stderr=subprocess.STDOUT)
    url = 'http://127.0.0.1:%d' % port
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            requests.get(url + '/', timeout=1)
            return process, url
        except requests.ConnectionError:
            time.sleep(0.2)
    process.kill()
    sys.exit('karbor-all did not start; see %s' % log.name)


def _plan_body(resources):
    return {'plan': {'name': 'bench-%s' % uuid.uuid4().hex[:6],
                     'provider_id': NOOP, 'resources': resources}}


def _project_resource():
    return [{'id': 'bench', 'type': 'OS::Keystone::Project',
             'name': 'bench'}]


def rate(call, clients, seconds):
    """Requests per second that ``clients`` threads sustain."""
    stop = time.monotonic() + seconds
    counts = [0] * clients
    errors = []

    def worker(index):
        session = requests.Session()
        session.headers.update(TOKEN)
        while time.monotonic() < stop:
            response = call(session)
            if response.status_code != 200:
                errors.append(response.text)
                return
            counts[index] += 1

    started = time.monotonic()
    threads = [threading.Thread(target=worker, args=(i,))
               for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        sys.exit('benchmark request failed: %s' % errors[0])
    return sum(counts) / (time.monotonic() - started)


def checkpoint_seconds(api, resources):
    plan = requests.post(api + '/plans', json=_plan_body(resources),
                         headers=TOKEN).json()['plan']
    started = time.monotonic()
    checkpoint = requests.post(
        api + '/providers/%s/checkpoints' % NOOP,
        json={'checkpoint': {'plan_id': plan['id']}},
        headers=TOKEN).json()['checkpoint']
    url = api + '/providers/%s/checkpoints/%s' % (NOOP, checkpoint['id'])
    delay = 0.01
    while True:
        status = requests.get(url, headers=TOKEN).json()[
            'checkpoint']['status']
        if status == 'available':
            return time.monotonic() - started
        if status == 'error':
            sys.exit('the checkpoint ended in error')
        time.sleep(delay)
        delay = min(delay * 2, 0.2)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--seconds', type=float, default=5.0,
                        help='how long each rate is measured')
    parser.add_argument('--plans', type=int, default=200,
                        help='plans in the project while listing')
    parser.add_argument('--url', help='a running karbor-all (noauth)')
    parser.add_argument('--checkpoint-resources', default='100',
                        help='sizes of the No-Op plans to checkpoint, '
                             'comma-separated (e.g. 300,1000,3000)')
    args = parser.parse_args()

    state = tempfile.mkdtemp(prefix='karbor-bench-')
    process = None
    url = args.url
    if url is None:
        process, url = start_karbor_all(state)
    api = url + '/v1/bench'
    try:
        with concurrent.futures.ThreadPoolExecutor(10) as pool:
            list(pool.map(lambda _i: requests.post(
                api + '/plans', json=_plan_body(_project_resource()),
                headers=TOKEN), range(args.plans)))
        plan_id = requests.get(api + '/plans?limit=1', headers=TOKEN).json()[
            'plans'][0]['id']

        calls = [
            ('plan list (limit=50)',
             lambda s: s.get(api + '/plans?limit=50')),
            ('plan show', lambda s: s.get(api + '/plans/' + plan_id)),
            ('plan create', lambda s: s.post(
                api + '/plans', json=_plan_body(_project_resource()))),
        ]
        print('karbor-all at %s, %d plans in the project, %.0f s per figure'
              % (url, args.plans, args.seconds))
        print('%-22s %14s %16s' % ('request', '1 client', '10 clients'))
        for name, call in calls:
            one = rate(call, 1, args.seconds)
            ten = rate(call, 10, args.seconds)
            print('%-22s %11.1f/s %13.1f/s' % (name, one, ten))

        for size in map(int, args.checkpoint_resources.split(',')):
            resources = [{'id': str(uuid.uuid4()),
                          'type': 'OS::Cinder::Volume',
                          'name': 'volume-%d' % i} for i in range(size)]
            seconds = checkpoint_seconds(api, resources)
            print('No-Op checkpoint of a %d-resource plan: available after '
                  '%.2f s (%.1f ms a resource)'
                  % (size, seconds, seconds * 1000 / size))
    finally:
        if process is not None:
            process.send_signal(signal.SIGINT)
            process.wait(timeout=30)
        shutil.rmtree(state, ignore_errors=True)


if __name__ == '__main__':
    main()
