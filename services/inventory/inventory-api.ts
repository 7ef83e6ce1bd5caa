/**
 * The inventory HTTP API: `PUT /stock/{productId}` sets a product's available stock and price,
 * `GET /stock/{productId}` answers with it (and the units held for orders).
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { handleHttp } from '../shared/http-handler';
import { requestParser } from '../shared/http-request';
import { notFound, ok } from '../shared/http-response';
import { RouteHandler, routeRequests } from '../shared/http-router';
import { ProductId, ProductStockRequest } from './inventory';
import type { StockStore } from './stock-store';

const putStock = requestParser({ path: { productId: ProductId }, body: ProductStockRequest, message: 'the request body is not a valid stock level' });
const getStock = requestParser({ path: { productId: ProductId }, message: 'the product id is malformed' });

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
      const request = putStock(event);
      if (!request.ok) return request.response;
      const product = await store.setProduct(request.value.path.productId, request.value.body);
      logger.info('stock set', { productId: product.productId, available: product.available });
      return ok(product);
    },
    'GET /stock/{productId}': async (event) => {
      const request = getStock(event);
      if (!request.ok) return request.response;
      const { productId } = request.value.path;
      const product = await store.getProduct(productId);
      return product === undefined ? notFound(`there is no product ${productId}`) : ok(product);
    },
  });
  return handleHttp(route, { logger });
}
