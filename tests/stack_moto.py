#!/usr/bin/env python3
"""Deploy the stack into moto's AWS emulator on 127.0.0.1 and read back
what it made: the VPC and subnets, the security groups' rules, the
bucket's lifecycle, encryption and public access block, the IAM roles,
the Batch environments, queues and job definition, the log group.

Resource types moto's CloudFormation cannot create are taken out of the
template first (references to them become placeholder strings) and named
in the output: the rule checks (tests/stack_rules.py) cover them.

  stack_moto.py TEMPLATE [LOG]   lines "PASS ...", "FAIL ...", "NOTE ...";
                                 moto_server's output to LOG
Needs boto3 and moto (moto_server) in this interpreter; exit 3 when absent.
"""
import ast
import json
import os
import re
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
try:
    import boto3
    from moto.cloudformation.parsing import get_model_map
except ImportError as e:
    print('NOTE no moto/boto3 here: %s' % e)
    sys.exit(3)
import stack_rules  # noqa: E402  (the same template loader)

results = []


def check(cond, what):
    results.append(cond)
    print('%s %s' % ('PASS' if cond else 'FAIL', what))


def strip_unsupported(t):
    models = get_model_map()
    gone = {k: r['Type'] for k, r in t['Resources'].items()
            if r['Type'] not in models}
    # moto's CloudFormation makes container job definitions only: the
    # multi-node one is registered through the Batch API instead (run()).
    for k, r in t['Resources'].items():
        if r['Type'] == 'AWS::Batch::JobDefinition' and \
                r['Properties'].get('Type') == 'multinode':
            gone[k] = r['Type'] + ' (multinode: through the API instead)'

    def fix(v):
        if isinstance(v, dict):
            if v.get('Ref') in gone:
                return 'moto-unsupported-%s' % v['Ref']
            ga = v.get('Fn::GetAtt')
            if ga and ga[0] in gone:
                return 'moto-unsupported-%s-%s' % tuple(ga)
            return {k: fix(x) for k, x in v.items()}
        if isinstance(v, list):
            return [fix(x) for x in v]
        if isinstance(v, str):
            return re.sub(r'\$\{(\w+)(\.\w+)?\}',
                          lambda m: 'moto-unsupported-' + m.group(1)
                          if m.group(1) in gone else m.group(0), v)
        return v

    for k in gone:
        del t['Resources'][k]
    # moto requires a service role (AWS uses Batch's service-linked role
    # when none is given, as the stack does) and security groups on the
    # environment (the stack puts them on the launch template's EFA
    # interfaces, which AWS then requires): given for moto only.
    for r in list(t['Resources'].values()):
        if r['Type'] == 'AWS::Batch::ComputeEnvironment':
            r['Properties']['ComputeResources'].setdefault(
                'SecurityGroupIds', [{'Ref': g} for g in
                                     sorted(stack_rules.node_groups(t))])
            r['Properties'].setdefault(
                'ServiceRole', {'Fn::GetAtt': ['MotoBatchServiceRole', 'Arn']})
            t['Resources']['MotoBatchServiceRole'] = {
                'Type': 'AWS::IAM::Role', 'Properties': {
                    'AssumeRolePolicyDocument': {
                        'Version': '2012-10-17', 'Statement': [{
                            'Effect': 'Allow', 'Action': 'sts:AssumeRole',
                            'Principal': {'Service': 'batch.amazonaws.com'}}]}}}
    for r in t['Resources'].values():
        deps = r.get('DependsOn')
        if deps:
            r['DependsOn'] = [d for d in stack_rules.as_list(deps)
                              if d not in gone]
    t['Resources'] = fix(t['Resources'])
    t['Outputs'] = {k: o for k, o in t.get('Outputs', {}).items()
                    if json.dumps(fix(o)) == json.dumps(o)}
    return gone


def free_port():
    s = socket.socket()
    s.bind(('127.0.0.1', 0))
    port = s.getsockname()[1]
    s.close()
    return port


def main():
    t = stack_rules.load(sys.argv[1])
    jobdefs = [r for r in t['Resources'].values()
               if r['Type'] == 'AWS::Batch::JobDefinition']
    gone = strip_unsupported(t)
    port = free_port()
    log = open(sys.argv[2] if len(sys.argv) > 2 else os.devnull, 'w')
    server = subprocess.Popen(['moto_server', '-H', '127.0.0.1', '-p',
                               str(port)], stdout=log, stderr=log)
    try:
        return run(t, gone, jobdefs, 'http://127.0.0.1:%d' % port)
    except Exception as e:  # moto's own failures: say which, not a trace
        print('FAIL the emulator: %s' % str(e)[:300])
        return 1
    finally:
        server.terminate()
        server.wait()


def put_bucket_config(s3, bucket, r):
    """moto's CloudFormation applies a bucket's encryption and tags only:
    the template's lifecycle, versioning and public access block go
    through the S3 API (which checks them), to be read back."""
    p = r['Properties']
    rules = []
    for x in p['LifecycleConfiguration']['Rules']:
        prefix = x.get('Prefix', '')
        rule = {'ID': x['Id'], 'Status': x['Status'],
                'Filter': {'Prefix': prefix if isinstance(prefix, str)
                           else 'results/'}}
        if 'Transitions' in x:
            rule['Transitions'] = [{'Days': tr['TransitionInDays'],
                                    'StorageClass': tr['StorageClass']}
                                   for tr in x['Transitions']]
        if 'AbortIncompleteMultipartUpload' in x:
            rule['AbortIncompleteMultipartUpload'] = \
                x['AbortIncompleteMultipartUpload']
        if 'NoncurrentVersionExpiration' in x:
            rule['NoncurrentVersionExpiration'] = {
                'NoncurrentDays': x['NoncurrentVersionExpiration'][
                    'NoncurrentDays']}
        rules.append(rule)
    s3.put_bucket_lifecycle_configuration(
        Bucket=bucket, LifecycleConfiguration={'Rules': rules})
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={
        'Status': p['VersioningConfiguration']['Status']})
    s3.put_public_access_block(
        Bucket=bucket,
        PublicAccessBlockConfiguration=p['PublicAccessBlockConfiguration'])
    print('NOTE moto\'s CloudFormation applies a bucket\'s encryption and '
          'tags only: its lifecycle, versioning and public access block '
          'were put through the S3 API')


def register(batch, jd, phys, iam):
    """The stack's multi-node job definition through the Batch API, its
    references filled with what the stack made."""
    p = stack_rules.lower_keys(stack_rules.without_optional(jd['Properties']))
    c = p['nodeProperties']['nodeRangeProperties'][0]['container']
    c['image'] = '123456789012.dkr.ecr.us-east-1.amazonaws.com/hpcprobe:latest'
    c['jobRoleArn'] = iam.get_role(RoleName=phys['JobRole'])['Role']['Arn']
    c['executionRoleArn'] = iam.get_role(
        RoleName=phys['ExecutionRole'])['Role']['Arn']
    c['environment'] = [
        dict(e, value=e['value'] if isinstance(e['value'], str) else
             '--emf --emf-namespace hpcprobe') for e in c['environment']]
    c['logConfiguration']['options'] = {
        'awslogs-group': phys['LogGroup'], 'awslogs-region': 'us-east-1',
        'awslogs-stream-prefix': 'hpcprobe'}
    # CloudFormation's capitalised keys inside maps stay as given.
    for u in c['ulimits']:
        u['softLimit'], u['hardLimit'] = u['softLimit'], u['hardLimit']
    batch.register_job_definition(
        jobDefinitionName='hpcprobe-mnp-efa', type='multinode',
        nodeProperties=p['nodeProperties'], propagateTags=p['propagateTags'],
        platformCapabilities=p['platformCapabilities'],
        retryStrategy=p['retryStrategy'], timeout=p['timeout'],
        tags={'Project': 'hpcprobe', 'CostCenter': 'hpc-benchmarks',
              'Environment': 'dev'})


def run(t, gone, jobdefs, ep):
    kw = dict(endpoint_url=ep, region_name='us-east-1',
              aws_access_key_id='testing', aws_secret_access_key='testing')
    for _ in range(100):
        try:
            socket.create_connection(('127.0.0.1', int(ep.rsplit(':', 1)[1])),
                                     0.2).close()
            break
        except OSError:
            time.sleep(0.1)
    cf = boto3.client('cloudformation', **kw)
    cf.create_stack(StackName='hpcprobe', TemplateBody=json.dumps(t),
                    Capabilities=['CAPABILITY_NAMED_IAM'],
                    Parameters=[{'ParameterKey': 'EnableSpot',
                                 'ParameterValue': 'true'}])
    for _ in range(120):
        st = cf.describe_stacks(StackName='hpcprobe')['Stacks'][0]
        if not st['StackStatus'].endswith('IN_PROGRESS'):
            break
        time.sleep(0.5)
    check(st['StackStatus'] == 'CREATE_COMPLETE',
          'the stack is created: %s %s' % (st['StackStatus'],
                                           st.get('StackStatusReason', '')))
    phys = {r['LogicalResourceId']: r.get('PhysicalResourceId')
            for r in cf.list_stack_resources(StackName='hpcprobe')
            ['StackResourceSummaries']}
    print('NOTE for moto only: a Batch service role and the environments\' '
          'security groups added')
    print('NOTE moto cannot create %s (covered by the rule checks)' %
          ', '.join('%s (%s)' % (k, v) for k, v in sorted(gone.items())))

    ec2 = boto3.client('ec2', **kw)
    vpc = ec2.describe_vpcs(VpcIds=[phys['Vpc']])['Vpcs'][0]
    check(vpc['CidrBlock'] == '10.42.0.0/16', 'VPC 10.42.0.0/16')
    subnets = ec2.describe_subnets(
        SubnetIds=[phys['PrivateSubnet'], phys['PublicSubnet']])['Subnets']
    zones = {s['AvailabilityZone'] for s in subnets}
    check(len(subnets) == 2 and len(zones) == 1,
          'two subnets, one Availability Zone (%s)' % ', '.join(zones))
    efa = phys['EfaSecurityGroup']
    fsx = phys['FsxSecurityGroup']
    groups = {g['GroupId']: g for g in ec2.describe_security_groups(
        GroupIds=[efa, fsx])['SecurityGroups']}

    def pairs(perm):
        return {p['GroupId'] for p in perm.get('UserIdGroupPairs', [])}

    check(any(p['IpProtocol'] == '-1' and efa in pairs(p)
              for p in groups[efa]['IpPermissions']),
          'EFA group: all traffic in from itself')
    if 'EfaEgressSelf' in gone:
        print('NOTE the EFA group\'s egress to itself '
              '(AWS::EC2::SecurityGroupEgress) is checked by the rules only')
    for lo, hi in ((988, 988), (1018, 1023)):
        for peer, who in ((efa, 'the nodes'), (fsx, 'itself')):
            check(any(p['IpProtocol'] == 'tcp' and p.get('FromPort') == lo and
                      p.get('ToPort') == hi and peer in pairs(p)
                      for p in groups[fsx]['IpPermissions']),
                  'FSx group: TCP %d-%d in from %s' % (lo, hi, who))

    s3 = boto3.client('s3', **kw)
    bucket = phys['ResultsBucket']
    put_bucket_config(s3, bucket, t['Resources']['ResultsBucket'])
    rules = s3.get_bucket_lifecycle_configuration(Bucket=bucket)['Rules']
    classes = {tr['StorageClass'] for r in rules
               for tr in r.get('Transitions', [])}
    check({'STANDARD_IA', 'GLACIER'} <= classes,
          'bucket lifecycle: to STANDARD_IA, then GLACIER')
    check(any('AbortIncompleteMultipartUpload' in r for r in rules) and
          any('NoncurrentVersionExpiration' in r for r in rules),
          'bucket lifecycle: incomplete uploads aborted, noncurrent '
          'versions expired')
    pab = s3.get_public_access_block(Bucket=bucket)[
        'PublicAccessBlockConfiguration']
    check(all(pab.values()) and len(pab) == 4, 'bucket: public access '
          'blocked (all four)')
    enc = s3.get_bucket_encryption(Bucket=bucket)[
        'ServerSideEncryptionConfiguration']['Rules'][0]
    check(enc['ApplyServerSideEncryptionByDefault']['SSEAlgorithm'] ==
          'AES256', 'bucket: encrypted')
    check(s3.get_bucket_versioning(Bucket=bucket).get('Status') == 'Enabled',
          'bucket: versioned')

    iam = boto3.client('iam', **kw)
    job = iam.get_role(RoleName=phys['JobRole'])['Role']
    pol = iam.get_role_policy(RoleName=phys['JobRole'],
                              PolicyName='results-metrics-logs')[
        'PolicyDocument']
    if isinstance(pol, str):   # moto keeps the document as Python text
        pol = ast.literal_eval(pol)
    stmts = {s['Sid']: s for s in pol['Statement']}
    check('ecs-tasks.amazonaws.com' in json.dumps(
        job['AssumeRolePolicyDocument']) and
        stmts['ResultsUnderThePrefix']['Resource'].endswith(
            ':%s/results/*' % bucket),
        'job role: for ECS tasks, objects under results/ of the bucket only')
    check(stmts['MetricsInTheNamespace']['Condition']['StringEquals'][
        'cloudwatch:namespace'] == 'hpcprobe',
        'job role: PutMetricData in the hpcprobe namespace only')
    check(iam.get_role(RoleName=phys['ExecutionRole'])['Role']['RoleName'],
          'execution role')
    role = iam.get_role(RoleName=phys['InstanceRole'])['Role']
    prof = iam.get_instance_profile(
        InstanceProfileName=phys['InstanceProfile'])['InstanceProfile']
    check('ec2.amazonaws.com' in json.dumps(role['AssumeRolePolicyDocument'])
          and [r['RoleName'] for r in prof['Roles']] == [role['RoleName']],
          'instance role for EC2, in the instance profile')
    if not iam.list_attached_role_policies(
            RoleName=role['RoleName'])['AttachedPolicies']:
        print('NOTE moto attaches no managed policy from CloudFormation: '
              'the instance role\'s managed ECS policy is not read back')

    batch = boto3.client('batch', **kw)
    ces = {c['computeEnvironmentName']: c for c in
           batch.describe_compute_environments()['computeEnvironments']}
    od, sp = ces.get('hpcprobe-ondemand'), ces.get('hpcprobe-spot-single-node')
    check(od and od['computeResources']['type'] == 'EC2' and
          od['computeResources']['instanceTypes'] == ['c5n.18xlarge'],
          'On-Demand environment of c5n.18xlarge')
    check(sp and sp['computeResources']['type'] == 'SPOT',
          'Spot environment (EnableSpot=true)')
    queues = {q['jobQueueName']: q for q in
              batch.describe_job_queues()['jobQueues']}
    mnp = queues.get('hpcprobe-mnp')
    check(mnp and [c['computeEnvironment'] for c in
                   mnp['computeEnvironmentOrder']] ==
          [od['computeEnvironmentArn']],
          'the multi-node queue holds the On-Demand environment only')
    check('hpcprobe-spot-single-node' in queues, 'the single-node Spot queue')
    for j in jobdefs:
        register(batch, j, phys, iam)
    jd = batch.describe_job_definitions(jobDefinitionName='hpcprobe-mnp-efa')[
        'jobDefinitions']
    check(jd and jd[0]['type'] == 'multinode' and jd[0].get('propagateTags')
          and jd[0].get('tags', {}).get('Project') == 'hpcprobe',
          'multi-node job definition registered, tags propagated')

    logs = boto3.client('logs', **kw)
    lg = logs.describe_log_groups(logGroupNamePrefix='/aws/batch/hpcprobe')[
        'logGroups']
    check(lg and lg[0].get('retentionInDays') == 30,
          'log group with 30 days retention')
    return 0 if all(results) else 1


if __name__ == '__main__':
    sys.exit(main())
