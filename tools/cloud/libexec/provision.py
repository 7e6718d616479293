"""Keystone contents of the karbor cloud: projects, users, roles, the service catalog.

Run by tools/cloud/up with the cloud venv once Keystone answers; idempotent (finds before it
creates, PUTs role grants, replaces endpoints whose URL changed). Admin itself, the roles
admin/member/reader and the identity endpoints come from `keystone-manage bootstrap`.

It also writes the networks that the Neutron stand-in (lib/karbor_cloud_fake_neutron.py) shows,
as devstack creates them: `private` with `private-subnet` in project demo, the external `public`.

Env: KS_URL, KARBOR_CLOUD_NETWORKS (the networks file), and the *_PORT variables of
libexec/common.sh.
"""
import json
import os
import sys
import uuid

from keystoneauth1 import session
from keystoneauth1.identity import v3
from keystoneclient.v3 import client

ENV = os.environ
HOST = '127.0.0.1'
REGION = 'RegionOne'

# user -> (project, roles); every password is the user's name
PEOPLE = {
    'demo': ('demo', ('member', 'reader')),
    'alt': ('alt', ('member', 'reader')),      # a second project, for isolation tests
}
SERVICE_USERS = ('swift', 'glance', 'cinder', 'nova', 'placement', 'neutron', 'karbor')
SERVICE_ROLES = ('admin', 'service')


def url(port_var, path=''):
    return 'http://%s:%s%s' % (HOST, ENV[port_var], path)


def same_everywhere(u):
    return {'public': u, 'internal': u, 'admin': u}


# (type, name, description, {interface: url}); identity comes from bootstrap
CATALOG = [
    ('object-store', 'swift', 'Swift object storage', {
        'public': url('PROXY_PORT', '/v1/AUTH_%(project_id)s'),
        'internal': url('PROXY_PORT', '/v1/AUTH_%(project_id)s'),
        'admin': url('PROXY_PORT', '/v1')}),
    ('image', 'glance', 'Glance image service', same_everywhere(url('GLANCE_PORT'))),
    # Cinder under both types, as devstack registers it: clients differ in which they ask for
    ('volumev3', 'cinderv3', 'Cinder block storage (v3)',
     same_everywhere(url('CINDER_PORT', '/v3/%(project_id)s'))),
    ('block-storage', 'cinder', 'Cinder block storage',
     same_everywhere(url('CINDER_PORT', '/v3/%(project_id)s'))),
    ('compute', 'nova', 'Nova compute', same_everywhere(url('NOVA_PORT', '/v2.1'))),
    ('placement', 'placement', 'Placement', same_everywhere(url('PLACEMENT_PORT'))),
    ('network', 'neutron', 'Neutron stand-in (tools/cloud/lib)',
     same_everywhere(url('NEUTRON_PORT'))),
    # Karbor itself (libexec/karbor.sh): karbor-api under uWSGI
    ('data-protect', 'karbor', 'Karbor data protection',
     same_everywhere(url('KARBOR_PORT', '/v1/%(project_id)s'))),
]


def network(name, project_id, cidr, external=False):
    """A network and its one subnet as Neutron shows them; ids derived from the names, so they
    stay the same across runs."""
    net_id = str(uuid.uuid5(uuid.NAMESPACE_URL, 'karbor-cloud/network/' + name))
    subnet_id = str(uuid.uuid5(uuid.NAMESPACE_URL, 'karbor-cloud/subnet/' + name))
    prefix = cidr.rsplit('.', 1)[0]
    owner = {'tenant_id': project_id, 'project_id': project_id}
    return ({'id': net_id, 'name': name, 'status': 'ACTIVE', 'admin_state_up': True,
             'shared': False, 'router:external': external, 'subnets': [subnet_id], 'mtu': 1450,
             'description': '', 'availability_zones': ['nova'], 'port_security_enabled': True,
             'tags': [], **owner},
            {'id': subnet_id, 'name': name + '-subnet', 'network_id': net_id, 'ip_version': 4,
             'cidr': cidr, 'gateway_ip': prefix + '.1', 'enable_dhcp': not external,
             'allocation_pools': [{'start': prefix + '.2', 'end': prefix + '.62'}],
             'dns_nameservers': [], 'host_routes': [], 'description': '', 'tags': [], **owner})


def write_networks(path, demo_project, admin_project):
    private, private_subnet = network('private', demo_project.id, '10.0.0.0/26')
    public, public_subnet = network('public', admin_project.id, '172.24.4.0/24', external=True)
    with open(path + '.tmp', 'w') as f:
        json.dump({'networks': [private, public], 'subnets': [private_subnet, public_subnet]},
                  f, indent=1)
    os.replace(path + '.tmp', path)


def main():
    auth = v3.Password(auth_url=ENV['KS_URL'] + '/v3', username='admin', password='admin',
                       project_name='admin', user_domain_id='default',
                       project_domain_id='default')
    ks = client.Client(session=session.Session(auth=auth))

    def first(manager, **filters):
        found = manager.list(**filters)
        return found[0] if found else None

    def role(name):
        return first(ks.roles, name=name) or ks.roles.create(name=name)

    def project(name, description):
        return (first(ks.projects, name=name, domain='default')
                or ks.projects.create(name=name, domain='default', description=description))

    def user(name, default_project):
        # An existing user keeps its password: setting it again costs a bcrypt hash (~0.7 s
        # per user here) on every up.
        return (first(ks.users, name=name, domain='default')
                or ks.users.create(name=name, password=name, domain='default',
                                   default_project=default_project))

    roles = {name: role(name) for name in ('admin', 'member', 'reader', 'service',
                                           'ResellerAdmin')}
    projects = {}
    for name, (project_name, role_names) in PEOPLE.items():
        p = projects[project_name] = project(project_name, 'karbor cloud: %s' % name)
        u = user(name, p)
        for r in role_names:
            ks.roles.grant(roles[r], user=u, project=p)
    write_networks(ENV['KARBOR_CLOUD_NETWORKS'], projects['demo'],
                   first(ks.projects, name='admin', domain='default'))
    service = project('service', 'karbor cloud: service users')
    for name in SERVICE_USERS:
        u = user(name, service)
        for r in SERVICE_ROLES:
            ks.roles.grant(roles[r], user=u, project=service)

    for stype, name, description, urls in CATALOG:
        svc = first(ks.services, type=stype) or ks.services.create(
            name=name, type=stype, description=description)
        missing = dict(urls)
        for ep in ks.endpoints.list(service=svc):
            if missing.get(ep.interface) == ep.url and ep.region_id == REGION:
                del missing[ep.interface]
            else:
                ks.endpoints.delete(ep)
        for interface, u in missing.items():
            ks.endpoints.create(service=svc, url=u, interface=interface, region=REGION)
    print('[cloud] keystone: projects demo, alt, service; users admin, demo, alt, %s; '
          '%d catalog services besides identity; networks private (demo) and public'
          % (', '.join(SERVICE_USERS), len(CATALOG)))


if __name__ == '__main__':
    sys.exit(main())
