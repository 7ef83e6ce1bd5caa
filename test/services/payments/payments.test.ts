import { type Charge, PaymentDeclinedError, PaymentSettings, decideCharge, isRefundable } from '../../../services/payments/payments';
import { validate } from '../../../runtime/validation';

const at = new Date('2025-11-24T17:00:01.000Z');
const request = { orderId: 'o-1', customerId: 'c-1', amountMinor: 13_800, currency: 'EUR' };

describe('payment rules', () => {
  test('a charge within the limit is taken', () => {
    expect(decideCharge(request, { maxChargeMinor: 13_800 }, at)).toEqual({ ...request, status: 'CHARGED', chargedAt: '2025-11-24T17:00:01.000Z' });
  });

  test.each([
    [{ ...request, amountMinor: 13_801 }, /above the limit of 13800 per charge/],
    [{ ...request, amountMinor: 0 }, /is not a positive whole number/],
    [{ ...request, amountMinor: 12.5 }, /is not a positive whole number/],
  ])('declines %j', (charge, message) => {
    expect(() => decideCharge(charge, { maxChargeMinor: 13_800 }, at)).toThrow(PaymentDeclinedError);
    expect(() => decideCharge(charge, { maxChargeMinor: 13_800 }, at)).toThrow(message);
  });

  test('a decline is named PaymentDeclined, the error the saga sees', () => {
    expect(new PaymentDeclinedError('no').name).toBe('PaymentDeclined');
  });

  test('only a taken charge is refundable', () => {
    const charge: Charge = { ...request, status: 'CHARGED', chargedAt: at.toISOString() };
    expect(isRefundable(charge)).toBe(true);
    expect(isRefundable({ ...charge, status: 'REFUNDED' })).toBe(false);
    expect(isRefundable(undefined)).toBe(false);
  });

  test('reads maxChargeMinor from its stored string', () => {
    expect(validate(PaymentSettings, { maxChargeMinor: '100000' })).toEqual({ ok: true, value: { maxChargeMinor: 100_000 } });
    expect(validate(PaymentSettings, { maxChargeMinor: 'lots' }).ok).toBe(false);
  });
});
