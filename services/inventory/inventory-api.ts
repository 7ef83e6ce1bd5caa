/**
 * The inventory HTTP API: `PUT /stock/{productId}` sets a product's available stock and price,
 * `GET /stock/{productId}` answers with it (and the units held for orders).
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import * as z from 'zod/mini';
import { handleHttp } from '../shared/http-handler';
import { parseJsonBody } from '../shared/http-request';
import { badRequest, notFound, ok } from '../shared/http-response';
import { RouteHandler, routeRequests } from '../shared/http-router';
import { validate } from '../shared/validation';
import { ProductId, ProductStockRequest } from './inventory';
import type { StockStore } from './stock-store';

const ProductPathParameters = z.object({ productId: ProductId });

/** What the API needs. */
export interface InventoryApiProps {
  readonly store: Pick<StockStore, 'setProduct' | 'getProduct'>;
  readonly logger: Logger;
}

/** Builds the handler for the inventory API. Call once per container. */
export function createInventoryApi(props: InventoryApiProps): RouteHandler {
  const { store, logger } = props;
  const route = routeRequests({
    'PUT /stock/{productId}': async (event) => {
      const parameters = validate(ProductPathParameters, event.pathParameters ?? {});
      if (!parameters.ok) return badRequest('the product id is malformed', parameters.problems);
      const body = parseJsonBody(event, ProductStockRequest);
      if (!body.ok) return badRequest('the request body is not a valid stock level', body.problems);
      const product = await store.setProduct(parameters.value.productId, body.value);
      logger.info('stock set', { productId: product.productId, available: product.available });
      return ok(product);
    },
    'GET /stock/{productId}': async (event) => {
      const parameters = validate(ProductPathParameters, event.pathParameters ?? {});
      if (!parameters.ok) return badRequest('the product id is malformed', parameters.problems);
      const product = await store.getProduct(parameters.value.productId);
      return product === undefined ? notFound(`there is no product ${parameters.value.productId}`) : ok(product);
    },
  });
  return handleHttp(route, { logger });
}
