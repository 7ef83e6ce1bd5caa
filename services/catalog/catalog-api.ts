/**
 * The catalog HTTP API: `GET /products` (paged) and `GET /products/{id}`.
 *
 * Takes API Gateway proxy events, so it runs behind the container server (`server.ts`) and would
 * run on Lambda unchanged. The per-request frame (correlation id, child logger, 500 on the
 * unexpected) is the shared `handleContainerHttp`.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import { handleContainerHttp, type RequestScope, type ProxyHandler } from 'msa-platform-blueprint/runtime/container';
import { badRequest, notFound, ok, requestParser, routeRequests } from 'msa-platform-blueprint/runtime';
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

const listRequest = requestParser({ query: ListQuery, message: 'the query is malformed' });
const getRequest = requestParser({ path: { id: ProductId }, message: 'the product id is malformed' });

/** Builds the handler for the catalog API. Call once per process. */
export function createCatalogApi(props: CatalogApiProps): ProxyHandler {
  const { store, settings } = props;

  const route = routeRequests<RequestScope>({
    [CATALOG_ROUTES[0]]: async (event) => {
      const request = listRequest(event);
      if (!request.ok) return request.response;
      const query = request.value.query;
      const current = await settings.current();
      const limit = query.limit ?? current.defaultPageSize;
      if (limit < 1 || limit > current.maxPageSize) {
        return badRequest('the query is malformed', [{ path: 'limit', message: `must be from 1 to ${current.maxPageSize}` }]);
      }
      try {
        const page = await store.list(limit, query.cursor);
        props.metrics?.addMetric('ProductPagesServed', MetricUnit.Count, 1);
        return ok(page);
      } catch (error) {
        if (error instanceof BadCursorError) return badRequest('the query is malformed', [{ path: 'cursor', message: error.message }]);
        throw error;
      }
    },
    [CATALOG_ROUTES[1]]: async (event) => {
      const request = getRequest(event);
      if (!request.ok) return request.response;
      const { id } = request.value.path;
      const product = await store.get(id);
      if (product === undefined) {
        props.metrics?.addMetric('ProductsNotFound', MetricUnit.Count, 1);
        return notFound(`there is no product ${id}`);
      }
      return ok(product);
    },
  });

  return handleContainerHttp(route, { logger: props.logger, metrics: props.metrics });
}
