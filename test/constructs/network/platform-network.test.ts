import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { ConstructPropError } from '../../../constructs/model/errors';
import { PlatformNetwork } from '../../../constructs/network/platform-network';
import { logicalIds, newStack } from '../helpers';

describe('PlatformNetwork', () => {
  let template: Template;
  beforeAll(() => {
    const stack = newStack();
    new PlatformNetwork(stack, 'Net');
    template = Template.fromStack(stack);
  });

  test('logs all traffic to a CloudWatch Logs group', () => {
    const [logGroup] = logicalIds(template, 'AWS::Logs::LogGroup');
    template.resourceCountIs('AWS::EC2::FlowLog', 1);
    template.hasResourceProperties('AWS::EC2::FlowLog', {
      ResourceType: 'VPC',
      TrafficType: 'ALL',
      LogDestinationType: 'cloud-watch-logs',
      LogGroupName: { Ref: logGroup },
    });
  });

  test('the flow log group is KMS-encrypted and kept at least a year', () => {
    const [key] = logicalIds(template, 'AWS::KMS::Key');
    const groups = Object.values(template.findResources('AWS::Logs::LogGroup'));
    expect(groups).toHaveLength(1);
    expect(groups[0].Properties.KmsKeyId).toEqual({ 'Fn::GetAtt': [key, 'Arn'] });
    expect(groups[0].Properties.RetentionInDays).toBeGreaterThanOrEqual(365);
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
  });

  test('has gateway endpoints for S3 and DynamoDB', () => {
    const endpoints = Object.values(template.findResources('AWS::EC2::VPCEndpoint', { Properties: { VpcEndpointType: 'Gateway' } }));
    const services = endpoints.map((e) => JSON.stringify(e.Properties.ServiceName));
    expect(services).toHaveLength(2);
    expect(services.some((s) => /\.s3"/.test(s))).toBe(true);
    expect(services.some((s) => /\.dynamodb"/.test(s))).toBe(true);
  });

  test('public subnets never map public IPs on launch', () => {
    const publicSubnets = Object.values(
      template.findResources('AWS::EC2::Subnet', { Properties: { Tags: Match.arrayWith([{ Key: 'aws-cdk:subnet-type', Value: 'Public' }]) } }),
    );
    expect(publicSubnets).toHaveLength(2);
    for (const subnet of publicSubnets) expect(subnet.Properties.MapPublicIpOnLaunch).toBe(false);
  });

  test('has one NAT gateway by default across two AZs', () => {
    template.resourceCountIs('AWS::EC2::NatGateway', 1);
    template.resourceCountIs('AWS::EC2::Subnet', 6);
  });

  test('spans three AZs with a NAT gateway each in an env-agnostic stack', () => {
    const stack = newStack();
    new PlatformNetwork(stack, 'Net', { maxAzs: 3, natGateways: 3 });
    const ha = Template.fromStack(stack);
    ha.resourceCountIs('AWS::EC2::NatGateway', 3);
    ha.resourceCountIs('AWS::EC2::Subnet', 9);
    const azs = Object.values(ha.findResources('AWS::EC2::Subnet')).map((s) => JSON.stringify(s.Properties.AvailabilityZone));
    expect(new Set(azs).size).toBe(3);
  });

  test.each([
    [{ maxAzs: 1 }, 'maxAzs'],
    [{ maxAzs: 7 }, 'maxAzs'],
    [{ maxAzs: 2, natGateways: 3 }, 'natGateways'],
    [{ natGateways: 0 }, 'natGateways'],
  ])('rejects %o, naming the construct path and the prop', (props, prop) => {
    const stack = new Stack(undefined, 'Bad');
    let error: unknown;
    try {
      new PlatformNetwork(stack, 'Net', props);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConstructPropError);
    expect((error as Error).message).toMatch(new RegExp(`^Bad/Net: prop '${prop}'`));
  });
});

describe('PlatformNetwork with a NAT instance in place of the NAT gateway', () => {
  const reason = 'A development environment tolerates losing egress while the instance is replaced.';
  const stack = newStack();
  const network = new PlatformNetwork(stack, 'Network', { maxAzs: 2, natGateways: 1, natInstance: { instanceType: 't4g.nano', reason } });
  const template = Template.fromStack(stack);

  test('makes no NAT gateway and no Elastic IP, but one instance of the type in a public subnet that forwards traffic', () => {
    template.resourceCountIs('AWS::EC2::NatGateway', 0);
    template.resourceCountIs('AWS::EC2::EIP', 0);
    const [id] = logicalIds(template, 'AWS::EC2::Instance');
    const instance = template.findResources('AWS::EC2::Instance')[id].Properties;
    expect(instance).toMatchObject({ InstanceType: 't4g.nano', SourceDestCheck: false, Monitoring: true });
    const publicSubnets = network.vpc.publicSubnets.map((s) => stack.getLogicalId(s.node.defaultChild as never));
    expect(publicSubnets).toContainEqual(instance.NetworkInterfaces?.[0]?.SubnetId?.Ref ?? instance.SubnetId?.Ref);
    // Its security group admits the VPC's own traffic (and nothing from outside), which it forwards.
    const [group] = instance.NetworkInterfaces[0].GroupSet.map((g: { 'Fn::GetAtt': [string] }) => g['Fn::GetAtt'][0]);
    const ingress = template.findResources('AWS::EC2::SecurityGroup')[group].Properties.SecurityGroupIngress;
    expect(ingress).toEqual([{ CidrIp: '10.0.0.0/16', Description: 'egress of the VPC through the NAT instance', IpProtocol: '-1' }]);
    // Each private subnet's default route goes through the instance.
    const routes = Object.values(template.findResources('AWS::EC2::Route', { Properties: { DestinationCidrBlock: '0.0.0.0/0', InstanceId: { Ref: id } } }));
    expect(routes).toHaveLength(network.vpc.privateSubnets.length);
  });

  test('is hardened: IMDSv2 only and detailed monitoring through its launch template, an encrypted gp3 root volume, the Arm image for a Graviton type', () => {
    const [id] = logicalIds(template, 'AWS::EC2::Instance');
    const instance = template.findResources('AWS::EC2::Instance')[id].Properties;
    expect(instance.BlockDeviceMappings).toEqual([{ DeviceName: '/dev/xvda', Ebs: { Encrypted: true, VolumeType: 'gp3', VolumeSize: 8, DeleteOnTermination: true } }]);
    const [templateId] = logicalIds(template, 'AWS::EC2::LaunchTemplate');
    expect(instance.LaunchTemplate).toEqual({ LaunchTemplateId: { Ref: templateId }, Version: { 'Fn::GetAtt': [templateId, 'LatestVersionNumber'] } });
    template.hasResourceProperties('AWS::EC2::LaunchTemplate', { LaunchTemplateData: { MetadataOptions: { HttpTokens: 'required' }, Monitoring: { Enabled: true } } });
    expect(JSON.stringify(template.toJSON().Parameters ?? {})).toMatch(/al2023-ami-kernel-[0-9.]+-arm64/);
  });

  test('an x86 type runs the x86 image', () => {
    const other = newStack();
    new PlatformNetwork(other, 'Network', { natInstance: { instanceType: 't3.nano', reason } });
    expect(JSON.stringify(Template.fromStack(other).toJSON().Parameters ?? {})).toMatch(/al2023-ami-kernel-[0-9.]+-x86_64/);
  });

  test.each([
    ['natInstance.instanceType', { instanceType: 'nano', reason }],
    ['natInstance.reason', { instanceType: 't4g.nano', reason: 'cheap' }],
  ])('refuses a bad %s', (field, natInstance) => {
    expect(() => new PlatformNetwork(newStack(), 'Network', { natInstance })).toThrow(new RegExp(field.replace('.', '\\.')));
  });
});
