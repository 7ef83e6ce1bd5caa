import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

const SCRIPTS = path.join(__dirname, '../../pipelines/scripts');

function run(script: string, env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('bash', [path.join(SCRIPTS, script)], { env: { PATH: process.env.PATH!, ...env }, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe('check-edge.sh, against a local edge', () => {
  let server: Server;
  let url: string;
  let reply: { status: number; body: string };
  const paths: string[] = [];
  beforeAll(async () => {
    server = createServer((request, response) => {
      paths.push(request.url!);
      response.writeHead(reply.status, { 'content-type': 'application/json' });
      response.end(reply.body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/dev/`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const check = () => run('check-edge.sh', { EDGE_URL: url, CHECK_PATH: 'orders/pipeline-check', CHECK_ATTEMPTS: '2', CHECK_INTERVAL_SECONDS: '0' });

  test('passes on 401 with a JSON message, calling the route under the stage', async () => {
    reply = { status: 401, body: '{"message":"Unauthorized"}' };
    const result = await check();
    expect(result).toMatchObject({ code: 0, stdout: expect.stringContaining('401 with a JSON message') });
    expect(paths.at(-1)).toBe('/dev/orders/pipeline-check');
  });

  test('fails when the edge lets the call through without a token', async () => {
    reply = { status: 200, body: '{"id":"x"}' };
    const result = await check();
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/expected 401 .* got 200/);
  });

  test('fails on a 401 whose body is not the gateway\'s JSON error', async () => {
    reply = { status: 401, body: '<html>denied</html>' };
    const result = await check();
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/expected a JSON body with a message/);
  });
});

describe('push-image.sh, with stand-ins for the aws and docker CLIs', () => {
  let bin: string;
  let log: string;
  beforeEach(() => {
    bin = fs.mkdtempSync(path.join(os.tmpdir(), 'push-image-'));
    log = path.join(bin, 'calls.log');
    // Each stand-in records its arguments; `aws` answers from the environment the test sets.
    const stub = (name: string, body: string) => fs.writeFileSync(path.join(bin, name), `#!/usr/bin/env bash\necho "${name} $*" >> "${log}"\n${body}\n`, { mode: 0o755 });
    stub('aws', [
      'case "$1 $2" in',
      '  "sts get-caller-identity") echo 123456789012 ;;',
      '  "ecr describe-images") [ "$STUB_IMAGE_EXISTS" = yes ] || exit 254 ;;',
      '  "ecr get-login-password") echo secret ;;',
      '  "ecr describe-image-scan-findings") echo "$STUB_SCAN" ;;',
      'esac',
    ].join('\n'));
    stub('docker', '[ "$1" = login ] && cat > /dev/null; exit 0');
  });
  afterEach(() => fs.rmSync(bin, { recursive: true, force: true }));
  const push = (env: Record<string, string>) =>
    run('push-image.sh', { PATH: `${bin}:${process.env.PATH}`, AWS_REGION: 'eu-west-1', REPOSITORY_NAME: 'shop/dev/catalog', IMAGE_TAG: 'abc123', STUB_SCAN: 'None\tNone', ...env });
  const calls = () => fs.readFileSync(log, 'utf8').trim().split('\n');
  const registry = '123456789012.dkr.ecr.eu-west-1.amazonaws.com';

  test('builds for arm64 from the Dockerfile, pushes under the tag, and waits for a clean scan', async () => {
    const result = await push({ DOCKERFILE: 'services/catalog/Dockerfile', BUILD_CONTEXT: '.' });
    expect(result.code).toBe(0);
    expect(calls()).toEqual(expect.arrayContaining([
      `docker build --platform linux/arm64 --file ./services/catalog/Dockerfile --tag ${registry}/shop/dev/catalog:abc123 .`,
      `docker push ${registry}/shop/dev/catalog:abc123`,
      'aws ecr wait image-scan-complete --repository-name shop/dev/catalog --image-id imageTag=abc123',
    ]));
  });

  test('promotes: pulls the earlier stage\'s image under the same tag and pushes it unchanged', async () => {
    const result = await push({ REPOSITORY_NAME: 'shop/prod/catalog', SOURCE_REPOSITORY: 'shop/dev/catalog' });
    expect(result.code).toBe(0);
    const made = calls();
    expect(made).toEqual(expect.arrayContaining([
      `docker pull --platform linux/arm64 ${registry}/shop/dev/catalog:abc123`,
      `docker tag ${registry}/shop/dev/catalog:abc123 ${registry}/shop/prod/catalog:abc123`,
      `docker push ${registry}/shop/prod/catalog:abc123`,
    ]));
    expect(made.some((call) => call.startsWith('docker build'))).toBe(false);
  });

  test('does not push a tag that exists (tags are immutable), but still checks its scan', async () => {
    const result = await push({ DOCKERFILE: 'Dockerfile', BUILD_CONTEXT: '.', STUB_IMAGE_EXISTS: 'yes' });
    expect(result.code).toBe(0);
    expect(calls().filter((call) => call.startsWith('docker'))).toEqual([]);
    expect(calls()).toContain('aws ecr describe-image-scan-findings --repository-name shop/dev/catalog --image-id imageTag=abc123 --query [imageScanFindings.findingSeverityCounts.CRITICAL, imageScanFindings.findingSeverityCounts.HIGH] --output text');
  });

  test('fails on critical or high scan findings', async () => {
    const result = await push({ DOCKERFILE: 'Dockerfile', BUILD_CONTEXT: '.', STUB_SCAN: '1\tNone' });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/refusing .*shop\/dev\/catalog:abc123/);
  });
});
