#!/usr/bin/python3
"""The project's own rules over the CloudFormation stack
(batch/aws/stack/hpcprobe-stack.yaml), which cfn-lint does not know:

  efa_sg_self      the EFA nodes' security group allows all traffic from
                   itself AND to itself (ingress and egress rules)
  efa_devices      the job definition passes one uverbs device per EFA
                   interface of the launch template, under the same condition
  fsx_ports        FSx's group lets in TCP 988 and 1018-1023 from the nodes
                   and from itself
  placement_group  the multi-node environment launches into a cluster
                   placement group
  no_spot_mnp      the multi-node queue holds On-Demand environments only;
                   a Spot one sits in a single-node queue
  bucket           every bucket: versioned, encrypted, public access
                   blocked, lifecycle to IA then Glacier, incomplete
                   multipart uploads aborted, noncurrent versions expired
  iam_least        no Allow of action "*" on resource "*"; resource "*" only
                   for actions that have no resource type
  tagged           every resource that takes tags has Project, CostCenter
                   and Environment (the launch template's instances,
                   volumes and interfaces too)
  same_as_files    the job definition, dashboard and alarms are those of
                   batch/aws/ (job-definition.json, cloudwatch-*.json)

  stack_rules.py TEMPLATE [AWS_DIR]   one line per rule, exit 1 on a failure
Reads YAML (PyYAML) or JSON.  Whether a type takes tags comes from
cfn-lint's resource schemas when cfn-lint is importable, else from the
list below (said in the output).
"""
import json
import os
import re
import sys

import yaml

TAG_KEYS = ('Project', 'CostCenter', 'Environment')
# Actions without a resource type: "*" is their only resource.
NO_RESOURCE_TYPE = {'cloudwatch:PutMetricData', 'ecr:GetAuthorizationToken'}
TAGGABLE_FALLBACK = {
    'AWS::EC2::VPC', 'AWS::EC2::InternetGateway', 'AWS::EC2::Subnet',
    'AWS::EC2::EIP', 'AWS::EC2::NatGateway', 'AWS::EC2::RouteTable',
    'AWS::EC2::SecurityGroup', 'AWS::EC2::PlacementGroup',
    'AWS::EC2::LaunchTemplate', 'AWS::IAM::Role', 'AWS::Batch::JobQueue',
    'AWS::Batch::ComputeEnvironment', 'AWS::Batch::JobDefinition',
    'AWS::ECR::Repository', 'AWS::S3::Bucket', 'AWS::FSx::FileSystem',
    'AWS::FSx::DataRepositoryAssociation', 'AWS::Logs::LogGroup',
    'AWS::SNS::Topic', 'AWS::CloudWatch::Alarm', 'AWS::EC2::VPCEndpoint',
}


class Loader(yaml.SafeLoader):
    """CloudFormation's short forms as their long ones."""


def _tag(loader, suffix, node):
    if isinstance(node, yaml.ScalarNode):
        v = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        v = loader.construct_sequence(node, deep=True)
    else:
        v = loader.construct_mapping(node, deep=True)
    if suffix == 'Ref':
        return {'Ref': v}
    if suffix == 'Condition':
        return {'Condition': v}
    if suffix == 'GetAtt' and isinstance(v, str):
        v = v.split('.', 1)
    return {'Fn::' + suffix: v}


Loader.add_multi_constructor('!', _tag)


def load(path):
    with open(path, encoding='utf-8') as f:
        text = f.read()
    if path.endswith('.json'):
        return json.loads(text)
    return yaml.load(text, Loader=Loader)


def ref(v):
    return v.get('Ref') if isinstance(v, dict) else None


def as_list(v):
    return v if isinstance(v, list) else [v]


def resources(t, kind):
    return {k: r for k, r in t['Resources'].items() if r['Type'] == kind}


def props(r):
    return r.get('Properties', {})


def choices(v):
    """The values an Fn::If may take (both branches), else v."""
    if isinstance(v, dict) and 'Fn::If' in v:
        return choices(v['Fn::If'][1]) + choices(v['Fn::If'][2])
    if isinstance(v, dict) and ref(v) == 'AWS::NoValue':
        return []
    return [v]


def sg_rules(t, sg, way):
    """(protocol, from, to, peer group) of sg's rules, inline and apart."""
    out = []
    key = 'SecurityGroupIngress' if way == 'in' else 'SecurityGroupEgress'
    peer = 'SourceSecurityGroupId' if way == 'in' else \
        'DestinationSecurityGroupId'
    kind = 'AWS::EC2::' + key
    rules = [(r, sg) for r in props(t['Resources'][sg]).get(key, [])]
    rules += [(props(r), ref(props(r).get('GroupId')))
              for r in resources(t, kind).values()]
    for r, owner in rules:
        if owner != sg:
            continue
        proto = str(r.get('IpProtocol'))
        lo = r.get('FromPort', 0 if proto == '-1' else None)
        hi = r.get('ToPort', 65535 if proto == '-1' else None)
        out.append((proto, lo, hi, ref(r.get(peer)) or r.get('CidrIp')))
    return out


def node_groups(t):
    groups = set()
    for lt in resources(t, 'AWS::EC2::LaunchTemplate').values():
        data = props(lt).get('LaunchTemplateData', {})
        for ni in data.get('NetworkInterfaces', []):
            for n in choices(ni):
                if n.get('InterfaceType') == 'efa':
                    groups.update(ref(g) for g in n.get('Groups', []))
    return groups


def rule_efa_sg_self(t, _):
    groups = node_groups(t)
    if not groups:
        return 'no EFA interface in a launch template'
    for g in sorted(groups):
        for way in ('in', 'out'):
            if not any(p == '-1' and peer == g
                       for p, _, _, peer in sg_rules(t, g, way)):
                return '%s has no all-traffic %s rule %s itself' % (
                    g, 'ingress' if way == 'in' else 'egress',
                    'from' if way == 'in' else 'to')
    return None


def covers(rules, peer, lo, hi):
    return any(p in ('tcp', '6', '-1') and q == peer and
               a is not None and a <= lo and hi <= b
               for p, a, b, q in rules)


def conditional(items):
    """(condition or None, item) of a list whose items may be Fn::If
    with AWS::NoValue on the false branch."""
    for x in items:
        if isinstance(x, dict) and 'Fn::If' in x:
            yield x['Fn::If'][0], x['Fn::If'][1]
        else:
            yield None, x


def rule_efa_devices(t, _):
    cards = set()
    for lt in resources(t, 'AWS::EC2::LaunchTemplate').values():
        data = props(lt).get('LaunchTemplateData', {})
        for cond, ni in conditional(data.get('NetworkInterfaces', [])):
            if ni.get('InterfaceType') == 'efa':
                cards.add((cond, ni.get('NetworkCardIndex', 0)))
    for name, jd in resources(t, 'AWS::Batch::JobDefinition').items():
        for nr in props(jd).get('NodeProperties', {}).get(
                'NodeRangeProperties', []):
            devs = nr['Container'].get('LinuxParameters', {}).get(
                'Devices', [])
            got = {(cond, int(d['ContainerPath'].rsplit('uverbs', 1)[1]))
                   for cond, d in conditional(devs)
                   if 'uverbs' in d.get('ContainerPath', '')}
            if got != cards:
                return '%s passes uverbs devices %s for EFA interfaces %s' % (
                    name, sorted(got, key=str), sorted(cards, key=str))
    return None


def holds(t, cond, params):
    """A template condition (or condition name) evaluated for the given
    parameter values: Fn::Equals, Fn::Not, Fn::Or, Fn::And, Condition."""
    if isinstance(cond, str):
        return holds(t, t['Conditions'][cond], params)
    if 'Condition' in cond:
        return holds(t, cond['Condition'], params)
    if 'Fn::Not' in cond:
        return not holds(t, cond['Fn::Not'][0], params)
    if 'Fn::Or' in cond:
        return any(holds(t, c, params) for c in cond['Fn::Or'])
    if 'Fn::And' in cond:
        return all(holds(t, c, params) for c in cond['Fn::And'])
    a, b = (str(params.get(ref(x), x)) if ref(x) else str(x)
            for x in cond['Fn::Equals'])
    return a == b


def rule_efa_per_card(t, _):
    """For every NetworkCards the template allows, exactly that many EFA
    interfaces, one on each card 0..N-1."""
    allowed = t['Parameters']['NetworkCards']['AllowedValues']
    for lt in resources(t, 'AWS::EC2::LaunchTemplate').values():
        data = props(lt).get('LaunchTemplateData', {})
        for n in allowed:
            cards = sorted(ni.get('NetworkCardIndex', 0)
                           for cond, ni in conditional(
                               data.get('NetworkInterfaces', []))
                           if ni.get('InterfaceType') == 'efa' and
                           (cond is None or
                            holds(t, cond, {'NetworkCards': n})))
            if cards != list(range(int(n))):
                return 'NetworkCards %s gives EFA interfaces on cards %s' % (
                    n, cards)
    return None


def rule_fsx_ports(t, _):
    fss = resources(t, 'AWS::FSx::FileSystem')
    if not fss:
        return 'no FSx file system'
    nodes = node_groups(t)
    for name, fs in fss.items():
        for g in (ref(x) for x in props(fs).get('SecurityGroupIds', [])):
            rules = sg_rules(t, g, 'in')
            for peer in sorted(nodes) + [g]:
                for lo, hi in ((988, 988), (1018, 1023)):
                    if not covers(rules, peer, lo, hi):
                        return '%s: group %s lets no TCP %d-%d in from %s' % (
                            name, g, lo, hi, peer)
    return None


def mnp_queue(t):
    q = t.get('Outputs', {}).get('JobQueueArn', {}).get('Value')
    return ref(q)


def queue_envs(t, q):
    return [ref(o['ComputeEnvironment'])
            for o in props(t['Resources'][q]).get('ComputeEnvironmentOrder',
                                                  [])]


def rule_placement_group(t, _):
    q = mnp_queue(t)
    if not q:
        return 'no multi-node queue (Outputs.JobQueueArn)'
    for ce in queue_envs(t, q):
        pg = props(t['Resources'][ce]).get('ComputeResources', {}).get(
            'PlacementGroup')
        names = [ref(v) for v in choices(pg) if ref(v)]
        if not names:
            return '%s launches into no placement group' % ce
        for n in names:
            r = t['Resources'].get(n)
            if not r or r['Type'] != 'AWS::EC2::PlacementGroup' or \
                    props(r).get('Strategy') != 'cluster':
                return '%s: %s is not a cluster placement group' % (ce, n)
    return None


def rule_no_spot_mnp(t, _):
    q = mnp_queue(t)
    if not q:
        return 'no multi-node queue (Outputs.JobQueueArn)'
    for ce in queue_envs(t, q):
        kind = props(t['Resources'][ce]).get('ComputeResources', {}).get(
            'Type')
        if kind != 'EC2':
            return 'the multi-node queue %s holds %s, of type %s' % (
                q, ce, kind)
    for name, r in resources(t, 'AWS::Batch::JobQueue').items():
        for ce in queue_envs(t, name):
            kind = props(t['Resources'][ce]).get('ComputeResources',
                                                 {}).get('Type')
            qn = json.dumps(props(r).get('JobQueueName', ''))
            if kind in ('SPOT', 'FARGATE_SPOT') and 'single-node' not in qn:
                return 'queue %s holds Spot %s but is not a single-node ' \
                    'queue' % (name, ce)
    return None


def rule_bucket(t, _):
    buckets = resources(t, 'AWS::S3::Bucket')
    if not buckets:
        return 'no bucket'
    for name, b in buckets.items():
        p = props(b)
        pab = p.get('PublicAccessBlockConfiguration', {})
        if not all(pab.get(k) is True for k in (
                'BlockPublicAcls', 'BlockPublicPolicy', 'IgnorePublicAcls',
                'RestrictPublicBuckets')):
            return '%s: public access not blocked' % name
        if not p.get('BucketEncryption'):
            return '%s: not encrypted' % name
        if p.get('VersioningConfiguration', {}).get('Status') != 'Enabled':
            return '%s: not versioned' % name
        rules = [r for r in p.get('LifecycleConfiguration', {}).get(
            'Rules', []) if r.get('Status') == 'Enabled']
        to = [tr.get('StorageClass') for r in rules
              for tr in r.get('Transitions', [])]
        if 'STANDARD_IA' not in to:
            return '%s: no transition to STANDARD_IA' % name
        if not set(to) & {'GLACIER', 'DEEP_ARCHIVE', 'GLACIER_IR'}:
            return '%s: no transition to Glacier' % name
        if not any(r.get('AbortIncompleteMultipartUpload') for r in rules):
            return '%s: incomplete multipart uploads never aborted' % name
        if not any(r.get('NoncurrentVersionExpiration') for r in rules):
            return '%s: noncurrent versions never expire' % name
    return None


def statements(t):
    for name, r in t['Resources'].items():
        p = props(r)
        docs = [pol.get('PolicyDocument', {}) for pol in p.get('Policies', [])]
        if 'PolicyDocument' in p:
            docs.append(p['PolicyDocument'])
        for d in docs:
            for s in as_list(d.get('Statement', [])):
                yield name, s


def rule_iam_least(t, _):
    for name, s in statements(t):
        if s.get('Effect') != 'Allow':
            continue
        actions = as_list(s.get('Action', []))
        res = as_list(s.get('Resource', []))
        if '*' in res:
            if any(a in ('*', '*:*') for a in actions):
                return '%s: action * on resource *' % name
            wide = [a for a in actions if a not in NO_RESOURCE_TYPE]
            if wide:
                return '%s: %s on resource * (it has a resource type)' % (
                    name, ', '.join(map(str, wide)))
        if any(isinstance(a, str) and a.endswith(':*') for a in actions):
            return '%s: every action of a service (%s)' % (name, actions)
    return None


def taggable():
    try:
        from cfnlint.schema import PROVIDER_SCHEMA_MANAGER as m
    except ImportError:
        return (lambda kind: kind in TAGGABLE_FALLBACK), 'the built-in list'

    def f(kind):
        try:
            s = m.get_resource_schema('us-east-1', kind).schema
        except Exception:  # an unknown type: cfn-lint says so
            return kind in TAGGABLE_FALLBACK
        pp = s.get('properties', {})
        return 'Tags' in pp or 'TagSpecifications' in pp
    return f, "cfn-lint's resource schemas"


def tag_keys(tags):
    if isinstance(tags, dict):
        return set(tags)
    return {x.get('Key') for x in tags or [] if isinstance(x, dict)}


def rule_tagged(t, _):
    f, _src = taggable()
    for name, r in t['Resources'].items():
        if not f(r['Type']):
            continue
        p = props(r)
        if r['Type'] == 'AWS::EC2::LaunchTemplate':
            specs = {s['ResourceType']: tag_keys(s.get('Tags'))
                     for s in p.get('LaunchTemplateData', {}).get(
                         'TagSpecifications', [])}
            specs.update({s['ResourceType']: tag_keys(s.get('Tags'))
                          for s in p.get('TagSpecifications', [])})
            for kind in ('launch-template', 'instance', 'volume',
                         'network-interface'):
                if not set(TAG_KEYS) <= specs.get(kind, set()):
                    return '%s: its %s resources are not tagged %s' % (
                        name, kind, '/'.join(TAG_KEYS))
            continue
        if not set(TAG_KEYS) <= tag_keys(p.get('Tags')):
            return '%s (%s) lacks tags %s' % (
                name, r['Type'], '/'.join(sorted(set(TAG_KEYS) -
                                                 tag_keys(p.get('Tags')))))
        cr = p.get('ComputeResources')
        if cr and not set(TAG_KEYS) <= tag_keys(cr.get('Tags')):
            return '%s: its instances are not tagged' % name
    return None


def without_optional(v):
    """v as the default parameters make it: list items that an Fn::If
    leaves out (AWS::NoValue on one branch, as the extra EFA devices) are
    dropped."""
    if isinstance(v, dict):
        return {k: without_optional(x) for k, x in v.items()}
    if isinstance(v, list):
        return [without_optional(x) for x in v
                if not (isinstance(x, dict) and 'Fn::If' in x and
                        ref(x['Fn::If'][2]) == 'AWS::NoValue')]
    return v


def lower_keys(v):
    """CloudFormation spells the job definition's keys capitalised."""
    if isinstance(v, dict):
        return {k[:1].lower() + k[1:]: lower_keys(x) for k, x in v.items()}
    if isinstance(v, list):
        return [lower_keys(x) for x in v]
    return v


def rule_same_as_files(t, aws_dir):
    jd = json.load(open(os.path.join(aws_dir, 'job-definition.json')))
    mine = [r for r in resources(t, 'AWS::Batch::JobDefinition').values()]
    if len(mine) != 1:
        return 'not one job definition'
    c = lower_keys(without_optional(props(mine[0])))['nodeProperties']
    want = jd['nodeProperties']
    fc, wc = (x['nodeRangeProperties'][0]['container'] for x in (c, want))
    for key in ('resourceRequirements', 'linuxParameters', 'ulimits',
                'mountPoints', 'volumes', 'command', 'privileged', 'user'):
        if fc.get(key) != wc.get(key):
            return 'job definition %s differs from job-definition.json' % key
    env = lambda e: {x['name']: x['value'] for x in e}  # noqa: E731
    fe, we = env(fc['environment']), env(wc['environment'])
    for k, v in we.items():
        if k != 'HPCPROBE_ARGS' and fe.get(k) != v:
            return 'job definition variable %s differs' % k
    if c['numNodes'] != want['numNodes'] or \
            c['mainNode'] != want['mainNode']:
        return 'job definition node counts differ'
    for d in resources(t, 'AWS::CloudWatch::Dashboard').values():
        body = props(d)['DashboardBody']['Fn::Sub'][0]
        with open(os.path.join(aws_dir, 'cloudwatch-dashboard.json')) as f:
            if json.loads(body) != json.loads(f.read()):
                return 'the dashboard differs from cloudwatch-dashboard.json'
    with open(os.path.join(aws_dir, 'cloudwatch-alarms.json')) as f:
        text = re.sub(r':\s*\$\{(\w+)\}', r': "${\1}"', f.read())
    alarms = {a['MetricName']: a for a in json.loads(text)}
    mine = {props(a)['MetricName']: props(a)
            for a in resources(t, 'AWS::CloudWatch::Alarm').values()}
    if set(alarms) != set(mine):
        return 'alarms %s, the file has %s' % (sorted(mine), sorted(alarms))
    for m, a in alarms.items():
        for k in ('Statistic', 'Period', 'EvaluationPeriods',
                  'DatapointsToAlarm', 'ComparisonOperator', 'Unit',
                  'TreatMissingData'):
            if mine[m].get(k) != a.get(k):
                return 'alarm %s: %s differs' % (m, k)
        if [d['Name'] for d in mine[m]['Dimensions']] != \
                [d['Name'] for d in a['Dimensions']]:
            return 'alarm %s: dimensions differ' % m
    return None


RULES = [
    ('efa_sg_self', rule_efa_sg_self),
    ('efa_devices', rule_efa_devices),
    ('efa_per_card', rule_efa_per_card),
    ('fsx_ports', rule_fsx_ports),
    ('placement_group', rule_placement_group),
    ('no_spot_mnp', rule_no_spot_mnp),
    ('bucket', rule_bucket),
    ('iam_least', rule_iam_least),
    ('tagged', rule_tagged),
    ('same_as_files', rule_same_as_files),
]


def main():
    path = sys.argv[1]
    aws_dir = sys.argv[2] if len(sys.argv) > 2 else \
        os.path.join(os.path.dirname(os.path.abspath(path)), '..')
    t = load(path)
    failed = 0
    for name, fn in RULES:
        why = fn(t, aws_dir)
        print('%s %s%s' % ('FAIL' if why else 'ok', name,
                           ': ' + why if why else ''))
        failed += bool(why)
    print('# taggable types from %s' % taggable()[1])
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
