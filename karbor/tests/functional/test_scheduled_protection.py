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

"""Scheduled protection for real: a crontab trigger firing every minute
(min_interval lowered to 60 s) drives a protect and a retention_protect
for a few minutes, on karbor-all restarted mid-way (a fire time passes
while it is down) and on separate processes with two operation engines
on MariaDB and RabbitMQ, one of them killed mid-way. Each fire time is
run exactly once, none is missed, and retention keeps the newest two.

Both deployments are driven at once, so the minutes they wait are shared.
"""

import datetime
import signal
import time

import requests

from karbor.tests.functional import fixtures

# The options that let a trigger fire every minute, with a window that
# outlasts a restart.
SCHEDULING = {'min_interval': 60, 'min_window_time': 10,
              'max_window_time': 50, 'trigger_poll_interval': 2}
RUNS = 4
MAX_BACKUPS = 2


class Schedule(object):
    """A protect and a retention_protect of two plans on one trigger, as a
    user of the CLI makes them."""

    def __init__(self, url):
        self.url = url
        self.cli = fixtures.Cli(url, 'demo', 'demo')
        plans = [self.cli.table(
            'plan-create', name, fixtures.NOOP_PROVIDER,
            'demo=OS::Keystone::Project=demo')['id']
            for name in ('nightly', 'kept')]
        trigger = self.cli.table(
            'trigger-create', 'every minute', 'time',
            'format=crontab,pattern=* * * * *,window=45')
        self.protect = self.cli.table(
            'scheduledoperation-create', 'protect', 'protect',
            trigger['id'], 'plan_id=%s,provider_id=%s' % (
                plans[0], fixtures.NOOP_PROVIDER))['id']
        self.retention = self.cli.table(
            'scheduledoperation-create', 'keep two', 'retention_protect',
            trigger['id'], 'plan_id=%s,provider_id=%s,max_backups=%d' % (
                plans[1], fixtures.NOOP_PROVIDER, MAX_BACKUPS))['id']
        self.plans = plans

    def _get(self, path, **query):
        response = requests.get('%s/v1/demo/%s' % (self.url, path),
                                params=query, timeout=10,
                                headers={'X-Auth-Token': 'demo:demo'})
        assert response.status_code == 200, response.text
        return response.json()

    def runs(self, operation_id):
        """The operation's logs, oldest fire time first."""
        logs = self._get('operation_logs',
                         scheduled_operation_id=operation_id)
        return sorted(logs['operation_logs'],
                      key=lambda log: log['extra_info']['scheduled_at'])

    def checkpoints(self, plan_id):
        return self._get('providers/%s/checkpoints' % fixtures.NOOP_PROVIDER,
                         plan_id=plan_id)['checkpoints']

    def wait_for_runs(self, count, timeout):
        """Until both operations have run ``count`` times (the two runs of
        a fire time are logged one after the other)."""
        deadline = time.monotonic() + timeout
        for operation_id in (self.protect, self.retention):
            while len(self.runs(operation_id)) < count:
                assert time.monotonic() < deadline, self.runs(operation_id)
                time.sleep(1)


def _next_minute_passed():
    """Sleep until 5 s after the next minute starts."""
    now = datetime.datetime.utcnow()
    time.sleep(65 - now.second - now.microsecond / 1e6)


def _check(schedule):
    for operation_id in (schedule.protect, schedule.retention):
        runs = schedule.runs(operation_id)
        fire_times = [datetime.datetime.strptime(
            log['extra_info']['scheduled_at'], '%Y-%m-%dT%H:%M:%S')
            for log in runs]
        # Once each, and none missed: one run per minute, in a row.
        assert [t - fire_times[0] for t in fire_times] == [
            datetime.timedelta(minutes=n) for n in range(len(runs))], runs
        assert len(runs) >= RUNS
        for log in runs:
            assert log['extra_info']['created_by'] == 'operation-engine'
    protected = schedule.checkpoints(schedule.plans[0])
    assert len(protected) == len(schedule.runs(schedule.protect))
    # Retention: once the last run's checkpoint is available, only the
    # newest two are.
    deadline = time.monotonic() + 60
    while True:
        kept = schedule.checkpoints(schedule.plans[1])
        available = [c for c in kept if c['status'] == 'available']
        if len(available) == MAX_BACKUPS or time.monotonic() > deadline:
            break
        time.sleep(1)
    assert len(available) == MAX_BACKUPS, kept
    newest = sorted(schedule.runs(schedule.retention),
                    key=lambda log: log['started_at'])[-MAX_BACKUPS:]
    assert {c['id'] for c in available} == {
        log['checkpoint_id'] for log in newest}


def _karbor_all(state):
    port = fixtures.free_port()
    conf = fixtures.write_config(str(state / 'karbor.conf'), {
        'DEFAULT': dict(SCHEDULING, state_path=str(state),
                        osapi_karbor_listen_port=port)})
    url = 'http://127.0.0.1:%s' % port

    def start():
        process = fixtures.Process('karbor-all', ['--config-file', conf],
                                   str(state))
        fixtures.wait_for_api(url + '/', process)
        return process
    return url, start


def _separate(state, database):
    options, url = fixtures.separate_processes_options(state, database)
    options['DEFAULT'].update(SCHEDULING, operation_takeover_timeout=30,
                              operation_heartbeat_interval=5)
    # Without Keystone, the engines reach the API at its address.
    options['karbor_client'] = {
        'karbor_endpoint': url + '/v1/%(project_id)s'}
    conf = fixtures.write_config(str(state / 'karbor.conf'), options)
    fixtures.db_sync(conf)
    args = ['--config-file', conf]
    processes = [fixtures.Process(name, args, str(state))
                 for name in ('karbor-protection', 'karbor-api')]
    for n in (1, 2):
        engine_state = state / ('engine-%d' % n)
        engine_state.mkdir()
        engine_conf = fixtures.write_config(
            str(engine_state / 'engine.conf'),
            {'DEFAULT': {'host': '%s-engine-%d' % (
                options['DEFAULT']['host'], n)}})
        processes.append(fixtures.Process(
            'karbor-operationengine', args + ['--config-file', engine_conf],
            str(engine_state)))
    fixtures.wait_for_service(database, options['DEFAULT']['host'],
                              processes[0])
    fixtures.wait_for_api(url + '/', processes[1])
    return url, processes


def test_each_fire_time_runs_once_across_restarts_and_two_engines(
        tmp_path_factory, database):
    embedded_url, start_embedded = _karbor_all(
        tmp_path_factory.mktemp('embedded'))
    embedded = [start_embedded()]
    separate_url, processes = _separate(
        tmp_path_factory.mktemp('separate'), database)
    try:
        schedules = [Schedule(embedded_url), Schedule(separate_url)]
        for schedule in schedules:
            schedule.wait_for_runs(2, timeout=150)

        # karbor-all stops across a fire time and starts again; one of
        # the two engines dies without a word.
        embedded.pop().stop()
        processes[2].popen.send_signal(signal.SIGKILL)
        _next_minute_passed()
        embedded.append(start_embedded())

        # Time passes for both at once.
        for schedule in schedules:
            schedule.wait_for_runs(RUNS, timeout=200)
        for schedule in schedules:
            _check(schedule)
    finally:
        for process in embedded + processes:
            process.stop()
