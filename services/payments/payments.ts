/**
 * Payments: the rules a charge must keep, and its states. Plain TypeScript without AWS.
 */
import * as z from 'zod/mini';
import { wholeNumberSetting, BusinessRuleError } from 'msa-platform-blueprint/runtime';

/** The actions payments performs in a saga: take the payment, and give it back. */
export const PAYMENT_SAGA_ACTIONS = ['chargePayment', 'refundPayment'] as const;

/** The service's settings, as Parameter Store holds them and as the rules use them. */
export const PaymentSettings = z.object({
  /** Highest amount one charge may take, in minor units; larger charges are declined. */
  maxChargeMinor: wholeNumberSetting({ min: 1, max: 100_000_000 }),
});
export type PaymentSettings = z.infer<typeof PaymentSettings>;

/** A charge's state: taken, or given back. */
export type ChargeStatus = 'CHARGED' | 'REFUNDED';

/** A charge for an order. */
export interface Charge {
  readonly orderId: string;
  readonly customerId: string;
  readonly amountMinor: number;
  readonly currency: string;
  readonly status: ChargeStatus;
  readonly chargedAt: string;
  readonly refundedAt?: string;
}

/** The payment was refused; the saga compensates and rejects the order with this reason. */
export class PaymentDeclinedError extends BusinessRuleError {
  constructor(message: string) {
    super('PaymentDeclined', message);
  }
}

/** The charge for an order, or the refusal. */
export function decideCharge(request: { orderId: string; customerId: string; amountMinor: number; currency: string }, settings: PaymentSettings, at: Date): Charge {
  if (!Number.isInteger(request.amountMinor) || request.amountMinor <= 0) {
    throw new PaymentDeclinedError(`the amount ${request.amountMinor} is not a positive whole number of minor units`);
  }
  if (request.amountMinor > settings.maxChargeMinor) {
    throw new PaymentDeclinedError(`${request.amountMinor} ${request.currency} (minor units) is above the limit of ${settings.maxChargeMinor} per charge`);
  }
  return { ...request, status: 'CHARGED', chargedAt: at.toISOString() };
}

/** Whether a refund has something to undo: only a taken charge is refunded, once. */
export function isRefundable(charge: Charge | undefined): charge is Charge {
  return charge !== undefined && charge.status === 'CHARGED';
}
