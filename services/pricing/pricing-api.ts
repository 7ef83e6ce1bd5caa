/**
 * The pricing HTTP API: `POST /pricing/quotes` prices lines, `GET /pricing/tax-rate` tells the
 * configured rate.
 *
 * Takes API Gateway proxy events, so it runs behind the container server (`server.ts`) and would
 * run on Lambda unchanged; the per-request frame (correlation id, child logger, 500 on the
 * unexpected) is the shared `handleContainerHttp`.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { handleContainerHttp, type RequestScope, type ProxyHandler } from 'msa-platform-blueprint/runtime/container';
import { ok, requestParser, routeRequests } from 'msa-platform-blueprint/runtime';
import { type PricingSettings, QuoteRequest, priceQuote } from './quote';

/** The routes, as the spec and the container server know them. */
export const PRICING_ROUTES = ['POST /pricing/quotes', 'GET /pricing/tax-rate'] as const;

const quoteRequest = requestParser({ body: QuoteRequest, message: 'the quote request is malformed' });
const taxRateRequest = requestParser({ message: 'the tax rate takes no input' });

/** What the API needs from the outside world. */
export interface PricingApiProps {
  /** The settings, read once at start (the pod's ConfigMap). */
  readonly settings: PricingSettings;
  readonly logger: Logger;
}

/** Builds the handler for the pricing API. Call once per process. */
export function createPricingApi(props: PricingApiProps): ProxyHandler {
  const { settings } = props;
  const route = routeRequests<RequestScope>({
    [PRICING_ROUTES[0]]: async (event) => {
      const request = quoteRequest(event);
      if (!request.ok) return request.response;
      return ok(priceQuote(request.value.body.items, settings));
    },
    [PRICING_ROUTES[1]]: async (event) => {
      const request = taxRateRequest(event);
      if (!request.ok) return request.response;
      return ok({ taxRatePercent: settings.taxRatePercent, currency: settings.currency });
    },
  });
  return handleContainerHttp(route, { logger: props.logger });
}
