import { AppConfigProvider } from '@aws-lambda-powertools/parameters/appconfig';
import * as z from 'zod/mini';
import { FeatureFlags } from '../../runtime/feature-flags';
import { AppConfigDataServer, startAppConfigDataServer } from '../support/appconfig-data-server';

const Flags = z.strictObject({ productDetails: z.boolean() });

describe('FeatureFlags (Powertools AppConfig provider against a loopback AppConfig)', () => {
  let appConfig: AppConfigDataServer;
  beforeAll(async () => {
    appConfig = await startAppConfigDataServer({ 'bff-web': { productDetails: false }, broken: { productDetails: 'yes' } });
  });
  afterAll(async () => {
    await appConfig.stop();
  });

  const flagsOf = (profile: string, maxAgeSeconds = 60, warn = jest.fn()) => ({
    warn,
    flags: new FeatureFlags({
      application: 'shop-test',
      environment: 'test',
      profile,
      schema: Flags,
      defaults: { productDetails: true },
      logger: { warn },
      maxAgeSeconds,
      provider: new AppConfigProvider({ application: 'shop-test', environment: 'test', awsSdkV3Client: appConfig.client() }),
    }),
  });

  test('reads the deployed flags and fetches once per max age', async () => {
    const { flags } = flagsOf('bff-web');
    const before = appConfig.fetches;
    for (let read = 0; read < 5; read += 1) await expect(flags.read()).resolves.toEqual({ productDetails: false });
    expect(appConfig.fetches - before).toBe(1);
  });

  test('a document that breaks the schema is not used: the defaults stay, and the reason is logged', async () => {
    const { flags, warn } = flagsOf('broken');
    await expect(flags.read()).resolves.toEqual({ productDetails: true });
    expect(warn).toHaveBeenCalledWith('feature flags could not be read; serving the last good flags', { profile: 'broken', reason: 'productDetails must be true or false' });
  });

  test('an unreachable AppConfig serves the last good flags', async () => {
    const { flags, warn } = flagsOf('missing', 0);
    await expect(flags.read()).resolves.toEqual({ productDetails: true });
    expect(warn).toHaveBeenCalledWith('feature flags could not be read; serving the last good flags', expect.objectContaining({ profile: 'missing' }));
  });
});
