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

"""The ``karbor`` command line: options, authentication and dispatch.

Two ways to reach Karbor:

* Keystone: the usual ``--os-*`` options / ``OS_*`` variables (any
  keystoneauth1 plugin, password by default); the endpoint comes from the
  service catalog under ``--service-type`` (``data-protect``).
* Direct: ``--os-auth-token`` with ``--karbor-url`` sends that token to that
  URL and never contacts Keystone, e.g. for the embedded default
  ``--os-auth-token admin:demo --karbor-url http://127.0.0.1:8799/v1/demo``.
"""

import argparse
import logging
import os
import signal
import sys
import traceback

from keystoneauth1 import exceptions as ks_exceptions
from keystoneauth1 import loading
from keystoneauth1 import token_endpoint
from oslo_utils import strutils

import karborclient
from karborclient import client
from karborclient import exceptions
from karborclient import formatting
from karborclient.v1 import client as v1_client
from karborclient.v1 import commands


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser whose usage errors are one line, like all errors."""

    def error(self, message):
        command = self.prog.partition(' ')[2]
        raise exceptions.CommandError(
            "%s (see 'karbor help%s')"
            % (message, ' ' + command if command else ''))


def _env(*names, default=None):
    for name in names:
        if os.environ.get(name):
            return os.environ[name]
    return default


def _env_flag(name):
    return strutils.bool_from_string(os.environ.get(name))


def _add_early_options(parser):
    """Options needed before the full parser can be built."""
    parser.add_argument('-d', '--debug', action='store_true',
                        default=_env_flag('KARBORCLIENT_DEBUG'),
                        help='Show HTTP traffic and tracebacks. '
                             'Defaults to env[KARBORCLIENT_DEBUG].')
    parser.add_argument('--os-auth-token', metavar='<token>',
                        default=_env('OS_AUTH_TOKEN'),
                        help='Token to send; with --karbor-url, Keystone is '
                             'not contacted. Defaults to env[OS_AUTH_TOKEN].')
    parser.add_argument('--karbor-url', metavar='<url>',
                        default=_env('KARBOR_URL'),
                        help='Karbor endpoint, e.g. '
                             'http://127.0.0.1:8799/v1/<project>. Defaults '
                             'to env[KARBOR_URL].')
    parser.add_argument('--os-no-client-auth', action='store_true',
                        default=_env_flag('OS_NO_CLIENT_AUTH'),
                        help='Do not contact Keystone: use --os-auth-token '
                             'and --karbor-url as given. Defaults to '
                             'env[OS_NO_CLIENT_AUTH].')


def _add_old_client_options(parser):
    """python-karborclient 2.1.0's other spellings of the session and
    project options, so that its command lines still run."""
    for flag, dest, instead in (('--cert-file', 'os_cert', '--os-cert'),
                                ('--key-file', 'os_key', '--os-key'),
                                ('--ca-file', 'os_cacert', '--os-cacert'),
                                ('--api-timeout', 'timeout', '--timeout')):
        # SUPPRESS: the default stays that of the option it stands for.
        parser.add_argument(flag, dest=dest, metavar='<value>',
                            default=argparse.SUPPRESS,
                            help='Deprecated: use %s.' % instead)
    for flag, dest in (('--os_tenant_id', 'os_project_id'),
                       ('--os_tenant_name', 'os_project_name')):
        parser.add_argument(flag, dest=dest, metavar='<value>',
                            default=argparse.SUPPRESS,
                            help=argparse.SUPPRESS)
    parser.add_argument('-v', '--verbose', action='store_true',
                        help='Accepted as python-karborclient 2.1.0 did; '
                             'see --debug for more output.')
    parser.add_argument('--include-password', action='store_true',
                        help='Accepted as python-karborclient 2.1.0 did; '
                             'Karbor reads only the token.')


def _early_options(argv):
    parser = _Parser(prog='karbor', add_help=False, allow_abbrev=False)
    _add_early_options(parser)
    return parser.parse_known_args(argv)[0]


def build_parser(argv):
    """Return the full parser and its subcommand parsers by name.

    Which auth plugin options it has depends on argv (and OS_AUTH_TYPE).
    """
    parser = _Parser(
        prog='karbor', allow_abbrev=False,
        description='Command-line interface to Karbor, the OpenStack data '
                    'protection service.',
        epilog="See 'karbor help <command>' for help on a command.")
    parser.add_argument('--version', action='version',
                        version='%(prog)s ' + karborclient.__version__)
    _add_early_options(parser)
    parser.add_argument('--service-type', '--os-service-type',
                        dest='service_type', metavar='<service-type>',
                        default=_env('OS_SERVICE_TYPE',
                                     default=v1_client.SERVICE_TYPE),
                        help='Service type of Karbor in the catalog. '
                             'Defaults to env[OS_SERVICE_TYPE] or '
                             'data-protect.')
    parser.add_argument('--os-interface', '--endpoint-type',
                        '--os-endpoint-type', dest='interface',
                        metavar='<interface>',
                        default=_env('OS_INTERFACE', 'OS_ENDPOINT_TYPE',
                                     default='public'),
                        help='Catalog interface: public, internal or admin. '
                             'Defaults to env[OS_INTERFACE] or public.')
    parser.add_argument('--os-region-name', metavar='<region>',
                        default=_env('OS_REGION_NAME'),
                        help='Region of the endpoint. Defaults to '
                             'env[OS_REGION_NAME].')
    parser.add_argument('--karbor-api-version', metavar='<version>',
                        default=_env('KARBOR_API_VERSION', default='1'),
                        help='Major version of the Karbor API: 1. Defaults '
                             'to env[KARBOR_API_VERSION] or 1.')
    loading.register_session_argparse_arguments(parser)
    _add_old_client_options(parser)
    early = _early_options(argv)
    # The old client took --os-auth-token without --karbor-url as a
    # Keystone token: then Keystone's token plugin is the default.
    use_keystone_token = early.os_auth_token and not (
        early.karbor_url or early.os_no_client_auth)
    loading.register_auth_argparse_arguments(
        parser, argv, default='token' if use_keystone_token else 'password')

    subparsers = parser.add_subparsers(dest='subcommand',
                                       metavar='<command>')
    for name, (func, specs) in sorted(commands.COMMANDS.items()):
        summary = func.__doc__.strip().splitlines()[0]
        subparser = subparsers.add_parser(name, help=summary,
                                          description=summary,
                                          allow_abbrev=False)
        for flags, options in specs:
            subparser.add_argument(*flags, **options)
        subparser.set_defaults(func=func)
    help_parser = subparsers.add_parser(
        'help', help='Show help on karbor or on one of its commands.')
    help_parser.add_argument('command', metavar='<command>', nargs='?')
    subparsers.add_parser(
        'bash-completion',
        help='Print every command and option, for shell completion.')
    return parser, subparsers.choices


def _show_help(parser, subparsers, topic):
    if topic is None:
        parser.print_help()
        return
    if topic not in subparsers:
        raise exceptions.CommandError(
            "'%s' is not a karbor command (see 'karbor help')" % topic)
    subparsers[topic].print_help()


def _print_completion_words(parser, subparsers):
    words = set(name for name in subparsers if name != 'bash-completion')
    for command_parser in subparsers.values():
        words.update(command_parser._option_string_actions)
    words.update(parser._option_string_actions)
    print(' '.join(sorted(words)))


def _auth(args):
    """The keystoneauth1 plugin for the options given."""
    if args.os_no_client_auth or (args.os_auth_token and args.karbor_url):
        if not (args.os_auth_token and args.karbor_url):
            raise exceptions.CommandError(
                '--os-no-client-auth needs both --os-auth-token (or '
                'OS_AUTH_TOKEN) and --karbor-url (or KARBOR_URL)')
        return token_endpoint.Token(args.karbor_url, args.os_auth_token)
    # Keystone's token plugin (see build_parser) reads --os-token.
    if getattr(args, 'os_token', '') is None:
        args.os_token = args.os_auth_token
    try:
        return loading.load_auth_from_argparse_arguments(args)
    except ks_exceptions.MissingRequiredOptions as error:
        raise exceptions.CommandError(
            '%s. Give Keystone credentials (--os-auth-url, --os-username, '
            '--os-password, --os-project-name... or OS_* variables), or '
            '--os-auth-token with --karbor-url to talk to Karbor directly'
            % str(error).rstrip('.'))


def make_client(args):
    session = loading.load_session_from_argparse_arguments(args,
                                                           auth=_auth(args))
    return client.Client(args.karbor_api_version, session=session,
                         endpoint=args.karbor_url,
                         service_type=args.service_type,
                         interface=args.interface,
                         region_name=args.os_region_name)


def _run(argv):
    parser, subparsers = build_parser(argv)
    args = parser.parse_args(argv)
    if args.subcommand in (None, 'help'):
        _show_help(parser, subparsers, getattr(args, 'command', None))
        return 0
    if args.subcommand == 'bash-completion':
        _print_completion_words(parser, subparsers)
        return 0
    return args.func(make_client(args), args) or 0


def _one_line(error):
    if isinstance(error, (exceptions.ClientException,
                          ks_exceptions.ClientException)):
        return str(error)
    # Anything else is unexpected: name it so a bug report says something.
    return '%s: %s' % (type(error).__name__, error)


def main(argv=None):
    """Run ``karbor`` with argv (default: sys.argv) and return its status.

    Without --debug every failure is one ``ERROR: ...`` line on stderr and
    status 1.
    """
    argv = sys.argv[1:] if argv is None else list(argv)
    try:
        debug = _early_options(argv).debug
    except exceptions.CommandError:
        debug = False
    logging.basicConfig(level=logging.WARNING if debug else logging.ERROR,
                        stream=sys.stderr)
    if debug:
        # The HTTP traffic, without every library's chatter.
        logging.getLogger('keystoneauth').setLevel(logging.DEBUG)
    try:
        return _run(argv)
    except SystemExit as exit:
        # --help and --version end this way.
        return exit.code
    except KeyboardInterrupt:
        formatting.print_error('interrupted')
        return 130
    except BrokenPipeError:
        # The reader went away (``karbor plan-list | head``): end as a
        # process that SIGPIPE stopped does, quietly, and without a second
        # error when Python flushes stdout at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 128 + signal.SIGPIPE
    except Exception as error:
        if debug:
            traceback.print_exc()
        formatting.print_error(_one_line(error))
        return 1


if __name__ == '__main__':
    sys.exit(main())
