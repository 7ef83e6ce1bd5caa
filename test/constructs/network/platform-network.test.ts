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
