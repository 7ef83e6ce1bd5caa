/** Region and dummy credentials for SDK clients that talk to local stand-ins (dynalite, the fake Parameter Store). */
export const TEST_REGION = 'eu-west-1';

export const TEST_CREDENTIALS = { accessKeyId: 'test-access-key', secretAccessKey: 'test-secret-key' } as const;

/** SDK client settings for a local endpoint. */
export function localClientConfig(endpoint: string) {
  return { endpoint, region: TEST_REGION, credentials: TEST_CREDENTIALS };
}

/**
 * The environment of a Lambda container whose SDK clients reach local stand-ins through the standard
 * `AWS_ENDPOINT_URL_<SERVICE>` variables, with dummy credentials; merge the service's own variables over it.
 */
export function localLambdaEnvironment(serviceName: string, endpoints: { readonly dynamodb?: string; readonly ssm?: string; readonly eventBridge?: string }): Record<string, string> {
  return {
    POWERTOOLS_SERVICE_NAME: serviceName,
    POWERTOOLS_METRICS_NAMESPACE: 'shop',
    POWERTOOLS_LOG_LEVEL: 'INFO',
    AWS_LAMBDA_FUNCTION_NAME: `shop-dev-${serviceName}`,
    AWS_REGION: TEST_REGION,
    AWS_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: TEST_CREDENTIALS.secretAccessKey,
    ...(endpoints.dynamodb ? { AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb } : {}),
    ...(endpoints.ssm ? { AWS_ENDPOINT_URL_SSM: endpoints.ssm } : {}),
    ...(endpoints.eventBridge ? { AWS_ENDPOINT_URL_EVENTBRIDGE: endpoints.eventBridge } : {}),
  };
}
