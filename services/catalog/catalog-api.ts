/**
 * The catalog HTTP API: `GET /products` (paged) and `GET /products/{id}`.
 *
 * Takes API Gateway proxy events, so it runs behind the container server (`server.ts`) and would
 * run on Lambda unchanged. Each request logs through a child logger carrying its correlation id,
 * so concurrent requests in one process never mix their keys.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import * as z from 'zod/mini';
import { callContextOf, runWithCallContext, traceIdOf } from '../shared/call-context';
import { CORRELATION_ID_HEADER } from '../shared/http-request';
import { badRequest, notFound, ok, serverError, withHeaders } from '../shared/http-response';
import { routeRequests } from '../shared/http-router';
import { validate } from '../shared/validation';
import { CatalogSettings, ListQuery, ProductId } from './product';
import { BadCursorError, type ProductStore } from './product-store';

/** The routes, as the spec and the container server know them. */
export const CATALOG_ROUTES = ['GET /products', 'GET /products/{id}'] as const;

/** What the API needs from the outside world. */
export interface CatalogApiProps {
  readonly store: Pick<ProductStore, 'get' | 'list'>;
  /** Current settings; the server keeps them fresh from Parameter Store. */
  readonly settings: { current(): Promise<CatalogSettings> };
  readonly logger: Logger;
  /**
   * Emits `ProductPagesServed` and `ProductsNotFound` (EMF on stdout, which CloudWatch turns into metrics).
   * @default - no metrics
   */
  readonly metrics?: Metrics;
}

const ProductPathParameters = z.object({ id: ProductId });

/** The per-request context the routes get: a logger with the request's correlation id. */
interface RequestScope {
  readonly log: Logger;
}

/** Builds the handler for the catalog API. Call once per process. */
export function createCatalogApi(props: CatalogApiProps): (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult> {
  const { store, settings } = props;

  const route = routeRequests<RequestScope>({
    [CATALOG_ROUTES[0]]: async (event) => {
      const query = validate(ListQuery, event.queryStringParameters ?? {});
      if (!query.ok) return badRequest('the query is malformed', query.problems);
      const current = await settings.current();
      const limit = query.value.limit ?? current.defaultPageSize;
      if (limit < 1 || limit > current.maxPageSize) {
        return badRequest('the query is malformed', [{ path: 'limit', message: `must be from 1 to ${current.maxPageSize}` }]);
      }
      try {
        const page = await store.list(limit, query.value.cursor);
        props.metrics?.addMetric('ProductPagesServed', MetricUnit.Count, 1);
        return ok(page);
      } catch (error) {
        if (error instanceof BadCursorError) return badRequest('the query is malformed', [{ path: 'cursor', message: error.message }]);
        throw error;
      }
    },
    [CATALOG_ROUTES[1]]: async (event) => {
      const parameters = validate(ProductPathParameters, event.pathParameters ?? {});
      if (!parameters.ok) return badRequest('the product id is malformed', parameters.problems);
      const product = await store.get(parameters.value.id);
      if (product === undefined) {
        props.metrics?.addMetric('ProductsNotFound', MetricUnit.Count, 1);
        return notFound(`there is no product ${parameters.value.id}`);
      }
      return ok(product);
    },
  });

  return async (event) => {
    const call = callContextOf(event);
    const correlationId = call.correlationId;
    const log = props.logger.createChild();
    log.setCorrelationId(correlationId);
    const traceId = traceIdOf(call);
    log.appendKeys({ method: event.httpMethod, path: event.path, ...(traceId ? { xray_trace_id: traceId } : {}) });
    const started = performance.now();
    let response: APIGatewayProxyResult;
    try {
      // Calls made while answering carry the correlation id and trace on (downstreamHeaders()).
      response = await runWithCallContext(call, () => route(event, { log }));
    } catch (error) {
      log.error('request failed', error as Error);
      response = serverError();
    }
    log.info('request answered', { statusCode: response.statusCode, durationMs: Math.round(performance.now() - started) });
    if (props.metrics?.hasStoredMetrics()) props.metrics.publishStoredMetrics();
    return withHeaders(response, { [CORRELATION_ID_HEADER]: correlationId });
  };
}
