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

"""Triggers of scheduled operations and the [DEFAULT] options they read."""

from oslo_config import cfg

from karbor.i18n import _

time_trigger_opts = [
    cfg.IntOpt('min_interval', default=3600, min=1,
               help=_('The shortest interval, in seconds, between two fire '
                      'times of a time trigger; a trigger whose pattern '
                      'fires more often is refused. Keep it at least twice '
                      'max_window_time, so that one run\'s window closes '
                      'before the next fire time.')),
    cfg.IntOpt('min_window_time', default=900, min=0,
               help=_('The shortest window, in seconds, a time trigger may '
                      'have: the time after a fire time within which a run '
                      'that has not started yet, for instance because no '
                      'operation engine was up, still starts.')),
    cfg.IntOpt('max_window_time', default=1800, min=0,
               help=_('The longest window, in seconds, a time trigger may '
                      'have (see min_window_time).')),
    cfg.IntOpt('trigger_poll_interval', default=15, min=1,
               help=_('Seconds between two looks for time triggers that '
                      'are due.')),
    cfg.StrOpt('time_format', default='calendar',
               choices=[('crontab', _('Five-field cron patterns, in '
                                      'UTC.')),
                        ('calendar', _('iCalendar events with an RRULE '
                                       '(RFC 5545).'))],
               help=_('The time format of a time trigger created without '
                      'one.')),
    cfg.StrOpt('scheduling_strategy', default='multi_node',
               help=_('How time triggers are scheduled: "multi_node" lets '
                      'several operation engines share the triggers, each '
                      'due run taken by one of them.')),
]

cfg.CONF.register_opts(time_trigger_opts)
