import { SSMProvider } from '@aws-lambda-powertools/parameters/ssm';
import * as z from 'zod/mini';
import { ServiceConfig } from '../../runtime/service-config';
import { wholeNumberSetting } from '../../runtime/setting-schemas';
import { ParameterStoreServer, startParameterStoreServer } from '../support/parameter-store-server';

const PATH = '/shop/test/billing';
const Settings = z.object({
  retries: wholeNumberSetting({ min: 0, max: 10 }),
  currency: z.string().check(z.regex(/^[A-Z]{3}$/)),
});

describe('ServiceConfig', () => {
  let parameterStore: ParameterStoreServer;

  beforeAll(async () => {
    parameterStore = await startParameterStoreServer();
  });
  afterAll(async () => {
    await parameterStore.stop();
  });
  beforeEach(() => {
    parameterStore.put(`${PATH}/retries`, '3');
    parameterStore.put(`${PATH}/currency`, 'EUR');
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  const configAt = (path: string, maxAgeSeconds?: number) =>
    new ServiceConfig({ path, schema: Settings, maxAgeSeconds, provider: new SSMProvider({ awsSdkV3Client: parameterStore.client() }) });

  test("reads the parameters directly under the service's path as typed settings", async () => {
    parameterStore.put(`${PATH}/nested/retries`, '99');
    parameterStore.put('/shop/test/other/retries', '77');
    await expect(configAt(PATH).read()).resolves.toEqual({ retries: 3, currency: 'EUR' });
  });

  test('follows every page of a long path', async () => {
    for (let index = 0; index < 25; index += 1) parameterStore.put(`/shop/test/wide/flag${index}`, 'on');
    parameterStore.put('/shop/test/wide/retries', '5');
    parameterStore.put('/shop/test/wide/currency', 'USD');
    const before = parameterStore.getParametersByPathCalls;
    await expect(configAt('/shop/test/wide').read()).resolves.toEqual({ retries: 5, currency: 'USD' });
    expect(parameterStore.getParametersByPathCalls - before).toBe(3);
  });

  test('asks Parameter Store once per max-age window, and sees a changed value once the window has passed', async () => {
    // Only Date is faked: the SDK and the HTTP server keep their real timers.
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'clearImmediate', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'queueMicrotask', 'hrtime', 'performance'] });
    const start = Date.now();
    const config = configAt(PATH); // the default window: 60 seconds
    const before = parameterStore.getParametersByPathCalls;

    await expect(config.read()).resolves.toMatchObject({ retries: 3 });
    parameterStore.put(`${PATH}/retries`, '4');
    jest.setSystemTime(start + 59_000);
    await expect(config.read()).resolves.toMatchObject({ retries: 3 });
    expect(parameterStore.getParametersByPathCalls - before).toBe(1);

    jest.setSystemTime(start + 61_000);
    await expect(config.read()).resolves.toMatchObject({ retries: 4 });
    await expect(config.read()).resolves.toMatchObject({ retries: 4 });
    expect(parameterStore.getParametersByPathCalls - before).toBe(2);
  });

  test('asks every time when the max age is 0', async () => {
    const config = configAt(PATH, 0);
    const before = parameterStore.getParametersByPathCalls;
    await config.read();
    await config.read();
    expect(parameterStore.getParametersByPathCalls - before).toBe(2);
  });

  test('names the path and each setting that is missing or unusable', async () => {
    parameterStore.put(`${PATH}/retries`, 'many');
    await expect(configAt(PATH).read()).rejects.toThrow(
      'the settings under Parameter Store path /shop/test/billing are not usable: retries must be a number',
    );
    await expect(configAt('/shop/test/nothing-here').read()).rejects.toThrow(/retries is required; currency is required/);
  });
});
