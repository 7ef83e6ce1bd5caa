/**
 * Reading the local platform from an assembly: intrinsic functions resolved across stacks, and a
 * catalog the local platform cannot run refused with every service and field named.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ServiceSpec } from '../../constructs/model/service-spec';
import { CloudAssembly, nameInArn } from '../../local/assembly/cloud-assembly';
import { readPlatformModel } from '../../local/assembly/platform-model';

/** Writes an assembly of `templates` (by stack name) to a new directory. */
function writeAssembly(templates: Record<string, unknown>): string {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'local-assembly-'));
  const artifacts: Record<string, unknown> = {};
  for (const [stackName, template] of Object.entries(templates)) {
    fs.writeFileSync(path.join(directory, `${stackName}.template.json`), JSON.stringify(template));
    artifacts[stackName] = { type: 'aws:cloudformation:stack', properties: { templateFile: `${stackName}.template.json` } };
  }
  fs.writeFileSync(path.join(directory, 'manifest.json'), JSON.stringify({ version: '1', artifacts }));
  return directory;
}

describe('resolving intrinsic functions', () => {
  const assembly = CloudAssembly.read(
    writeAssembly({
      shared: {
        Resources: { Bus: { Type: 'AWS::Events::EventBus', Properties: { Name: 'shop-dev-events' } } },
        Outputs: { BusName: { Value: { Ref: 'Bus' }, Export: { Name: 'shared:BusName' } } },
      },
      orders: {
        Resources: {
          Table: { Type: 'AWS::DynamoDB::Table', Properties: {} },
          Fn: { Type: 'AWS::Lambda::Function', Properties: { FunctionName: 'shop-dev-orders' } },
          Live: { Type: 'AWS::Lambda::Alias', Properties: { FunctionName: { Ref: 'Fn' }, Name: 'live' } },
          Queue: { Type: 'AWS::SQS::Queue', Properties: {} },
        },
      },
    }),
  );

  test('Ref gives a resource the name the stand-ins know it by: its own name, or its stack and logical id', () => {
    expect(assembly.resolve('orders', { Ref: 'Table' })).toBe('orders-Table');
    expect(assembly.resolve('orders', { Ref: 'Fn' })).toBe('shop-dev-orders');
    expect(assembly.resolve('orders', { Ref: 'Live' })).toBe('arn:aws:lambda:eu-west-1:000000000000:function:shop-dev-orders:live');
  });

  test('an imported value is resolved in the stack that exports it', () => {
    expect(assembly.resolve('orders', { 'Fn::ImportValue': 'shared:BusName' })).toBe('shop-dev-events');
  });

  test('Join, Sub, Select, Split and GetAtt', () => {
    expect(assembly.resolve('orders', { 'Fn::Join': ['/', ['a', { Ref: 'AWS::Region' }]] })).toBe('a/eu-west-1');
    expect(assembly.resolve('orders', { 'Fn::Sub': '${AWS::AccountId}-${Table}' })).toBe('000000000000-orders-Table');
    expect(assembly.resolve('orders', { 'Fn::Select': [1, { 'Fn::Split': [':', 'a:b:c'] }] })).toBe('b');
    expect(nameInArn(assembly.resolve('orders', { 'Fn::GetAtt': ['Queue', 'Arn'] }))).toBe('orders-Queue');
    expect(nameInArn(assembly.resolve('orders', { 'Fn::GetAtt': ['Table', 'StreamArn'] }))).toBe('orders-Table');
  });

  test('an import nothing exports fails naming it and the importing stack', () => {
    expect(() => assembly.resolve('orders', { 'Fn::ImportValue': 'nowhere' })).toThrow('the assembly exports no value named nowhere (imported by orders)');
  });

  test('a directory without a manifest is refused', () => {
    expect(() => CloudAssembly.read(os.tmpdir())).toThrow(`no cloud assembly in ${os.tmpdir()}: manifest.json is missing`);
  });
});

describe('a catalog the local platform cannot run', () => {
  test('fails naming each service and the field at fault', () => {
    const noBundle = fs.mkdtempSync(path.join(os.tmpdir(), 'dockerfile-'));
    fs.writeFileSync(path.join(noBundle, 'Dockerfile'), 'FROM node:24\nCMD ["node", "server.js"]\n');
    const container = { port: 8080, cpu: 256, memoryMiB: 512, healthCheckPath: '/health', drainSeconds: 5 };
    const services = [
      { name: 'web', description: 'w', runtime: 'fargate', scaling: { min: 1, max: 2 }, container: { ...container, dockerfileDirectory: noBundle } },
      { name: 'quotes', description: 'q', runtime: 'kubernetes', scaling: { min: 1, max: 2 }, container: { ...container, dockerfileDirectory: noBundle } },
    ] as unknown as ServiceSpec[];
    const assemblyDir = writeAssembly({
      'shop-dev-service-web': {
        Resources: { Task: { Type: 'AWS::ECS::TaskDefinition', Properties: { ContainerDefinitions: [{ Name: 'app', PortMappings: [{ ContainerPort: 8080 }], Environment: [{ Name: 'PORT', Value: '8080' }] }] } } },
      },
    });
    let message = '';
    try {
      readPlatformModel(assemblyDir, services);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain(`service 'web' (container.dockerfileDirectory): ${path.join(noBundle, 'Dockerfile')} does not bundle its server with \`npm run bundle:container -- <entry>\``);
    expect(message).toContain("service 'quotes' (kubernetes): the assembly holds no container definition for it");
  });
});
