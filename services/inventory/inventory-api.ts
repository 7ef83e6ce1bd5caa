/**
 * The inventory HTTP API: `PUT /stock/{productId}` sets a product's available stock and price,
 * `GET /stock/{productId}` answers with it (and the units held for orders).
 *
 * Stock writes are optimistic: `GET` answers with the stock's version as its `ETag`, and `PUT`
 * applies only with `If-Match` naming the version the writer read (or `If-None-Match: *` to create
 * a product). A write made on a stale read, e.g. after orders held some of the stock, is refused
 * with 412 naming the version and the stock now, so no hold is ever written over.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { handleHttp, headerValue, requestParser, badRequest, created, notFound, ok, preconditionFailed, preconditionRequired, withHeaders, RouteHandler, routeRequests, type Checked } from 'msa-platform-blueprint/runtime';
import { type Product, ProductId, ProductStockRequest, StaleStockError } from './inventory';
import type { StockPrecondition, StockStore } from './stock-store';

/** The header a write names the version it read in, and the one it creates with. */
export const IF_MATCH_HEADER = 'If-Match';
export const IF_NONE_MATCH_HEADER = 'If-None-Match';

/** What the API needs. */
export interface InventoryApiProps {
  readonly store: Pick<StockStore, 'setProduct' | 'getProduct'>;
  readonly logger: Logger;
}

const putStock = requestParser({ path: { productId: ProductId }, body: ProductStockRequest, message: 'the request is not a valid stock level' });
const getStock = requestParser({ path: { productId: ProductId }, message: 'the product id is malformed' });

/** The stock's entity tag: its version, quoted (a strong ETag). */
export function etagOf(product: Pick<Product, 'version'>): string {
  return `"${product.version}"`;
}

/** Builds the handler for the inventory API. Call once per container. */
export function createInventoryApi(props: InventoryApiProps): RouteHandler {
  const { store, logger } = props;
  const route = routeRequests({
    'PUT /stock/{productId}': async (event) => {
      const request = putStock(event);
      if (!request.ok) return request.response;
      const expected = stockPreconditionOf(event);
      if (expected === undefined) {
        return preconditionRequired('a stock write must say which version it replaces', [
          { path: IF_MATCH_HEADER, message: `header is required: send the ETag of the stock you read (${IF_MATCH_HEADER}: "3"), or ${IF_NONE_MATCH_HEADER}: * to create the product` },
        ]);
      }
      if (!expected.ok) return badRequest('the request is not a valid stock level', expected.problems);
      const productId = request.value.path.productId;
      try {
        const product = await store.setProduct(productId, request.value.body, expected.value);
        logger.info('stock set', { productId, available: product.available, version: product.version });
        const answer = 'absent' in expected.value ? created(product, `/stock/${productId}`) : ok(product);
        return withHeaders(answer, { etag: etagOf(product) });
      } catch (error) {
        if (!(error instanceof StaleStockError)) throw error;
        logger.warn('stale stock write refused', { productId, expectedVersion: error.expectedVersion, currentVersion: error.current?.version });
        const now = error.current === undefined ? 'absent' : etagOf(error.current);
        const refusal = preconditionFailed(error.message, [
          'absent' in expected.value
            ? { path: IF_NONE_MATCH_HEADER, message: `is *, but the product exists at ${now}` }
            : { path: IF_MATCH_HEADER, message: `is "${expected.value.version}", but the stock is ${error.current === undefined ? 'absent' : `at ${now}`} now` },
        ]);
        return error.current === undefined ? refusal : withHeaders(refusal, { etag: now });
      }
    },
    'GET /stock/{productId}': async (event) => {
      const request = getStock(event);
      if (!request.ok) return request.response;
      const product = await store.getProduct(request.value.path.productId);
      return product === undefined ? notFound(`there is no product ${request.value.path.productId}`) : withHeaders(ok(product), { etag: etagOf(product) });
    },
  });
  return handleHttp(route, { logger });
}

/** The precondition a write sends: `If-Match: "<version>"` or `If-None-Match: *`; `undefined` when it sends neither. */
function stockPreconditionOf(event: Pick<APIGatewayProxyEvent, 'headers'>): Checked<StockPrecondition> | undefined {
  const ifMatch = headerValue(event, IF_MATCH_HEADER)?.trim();
  const ifNoneMatch = headerValue(event, IF_NONE_MATCH_HEADER)?.trim();
  if (ifMatch !== undefined && ifNoneMatch !== undefined) {
    return { ok: false, problems: [{ path: IF_NONE_MATCH_HEADER, message: `must not be sent with ${IF_MATCH_HEADER}: send one of the two` }] };
  }
  if (ifNoneMatch !== undefined) {
    return ifNoneMatch === '*' ? { ok: true, value: { absent: true } } : { ok: false, problems: [{ path: IF_NONE_MATCH_HEADER, message: 'must be * (create the product only if there is none)' }] };
  }
  if (ifMatch === undefined) return undefined;
  const version = /^"(\d{1,15})"$/.exec(ifMatch);
  return version === null
    ? { ok: false, problems: [{ path: IF_MATCH_HEADER, message: 'must be the one ETag of the stock you read, such as "3" (a * would write over changes you have not seen)' }] }
    : { ok: true, value: { version: Number(version[1]) } };
}
