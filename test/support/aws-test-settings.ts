/** Region and dummy credentials for SDK clients that talk to local stand-ins (dynalite, the fake Parameter Store). */
export const TEST_REGION = 'eu-west-1';

export const TEST_CREDENTIALS = { accessKeyId: 'test-access-key', secretAccessKey: 'test-secret-key' } as const;

/** SDK client settings for a local endpoint. */
export function localClientConfig(endpoint: string) {
  return { endpoint, region: TEST_REGION, credentials: TEST_CREDENTIALS };
}
