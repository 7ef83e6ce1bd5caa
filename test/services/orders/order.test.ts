import * as z from 'zod';
import {
  CreateOrderRequest,
  MAX_LINES,
  type Order,
  type OrderEvent,
  OrderHistoryError,
  OrderSettings,
  OrderStateError,
  type OrderStatus,
  confirmOrder,
  foldOrder,
  isSnapshotVersion,
  orderRuleProblems,
  placeOrder,
  rejectOrder,
} from '../../../services/orders/order';
import { orders } from '../../../services/orders/service';
import { validate } from '../../../runtime/validation';

const settings: OrderSettings = { maxItemsPerOrder: 3, currency: 'EUR' };
const request: CreateOrderRequest = {
  customerId: 'customer-42',
  items: [
    { productId: 'espresso-beans', quantity: 2 },
    { productId: 'grinder', quantity: 1 },
  ],
};

describe('CreateOrderRequest', () => {
  test('accepts a well-formed request, with or without a note', () => {
    expect(validate(CreateOrderRequest, request)).toEqual({ ok: true, value: request });
    expect(validate(CreateOrderRequest, { ...request, note: 'ring twice' })).toEqual({ ok: true, value: { ...request, note: 'ring twice' } });
  });

  test.each([
    ['a missing customerId', { items: request.items }, [{ path: 'customerId', message: 'is required' }]],
    ['an empty customerId', { ...request, customerId: '' }, [{ path: 'customerId', message: 'must not be empty' }]],
    ['a quantity of 0', { ...request, items: [{ productId: 'grinder', quantity: 0 }] }, [{ path: 'items[0].quantity', message: 'must be greater than 0' }]],
    ['a fractional quantity', { ...request, items: [{ productId: 'grinder', quantity: 1.5 }] }, [{ path: 'items[0].quantity', message: 'must be an integer' }]],
    ['a quantity given as text', { ...request, items: [{ productId: 'grinder', quantity: '2' }] }, [{ path: 'items[0].quantity', message: 'must be a number' }]],
    ['no items', { ...request, items: [] }, [{ path: 'items', message: 'must have at least 1 entry' }]],
    ['an unknown top-level key', { ...request, coupon: 'FREE' }, [{ path: 'coupon', message: 'is not an allowed field' }]],
    ['an unknown key in a line', { ...request, items: [{ productId: 'grinder', quantity: 1, colour: 'red' }] }, [{ path: 'items[0].colour', message: 'is not an allowed field' }]],
    ['a body that is not an object', ['grinder'], [{ path: '', message: 'must be an object' }]],
  ])('refuses %s, naming the field', (_case, body, problems) => {
    expect(validate(CreateOrderRequest, body)).toEqual({ ok: false, problems });
  });

  test(`refuses more than ${MAX_LINES} lines whatever the settings say`, () => {
    const items = Array.from({ length: MAX_LINES + 1 }, (_, index) => ({ productId: `p-${index}`, quantity: 1 }));
    expect(validate(CreateOrderRequest, { ...request, items })).toEqual({
      ok: false,
      problems: [{ path: 'items', message: `must have at most ${MAX_LINES} entries` }],
    });
  });
});

describe('the gateway model of CreateOrderRequest', () => {
  const DRAFT_4_KEYWORDS = new Set([
    '$schema', 'id', '$ref', 'title', 'description', 'default', 'multipleOf', 'maximum', 'exclusiveMaximum', 'minimum',
    'exclusiveMinimum', 'maxLength', 'minLength', 'pattern', 'additionalItems', 'items', 'maxItems', 'minItems',
    'uniqueItems', 'maxProperties', 'minProperties', 'required', 'additionalProperties', 'definitions', 'properties',
    'patternProperties', 'dependencies', 'enum', 'type', 'format', 'allOf', 'anyOf', 'oneOf', 'not',
  ]);
  const NAME_MAPS = new Set(['properties', 'definitions', 'patternProperties']);

  /** Every keyword outside draft 4, and every draft-6+ numeric exclusive bound, by JSON pointer. */
  function notDraft4(schema: unknown, pointer = ''): string[] {
    if (Array.isArray(schema)) return schema.flatMap((entry, index) => notDraft4(entry, `${pointer}/${index}`));
    if (typeof schema !== 'object' || schema === null) return [];
    return Object.entries(schema).flatMap(([key, value]) => {
      const here = `${pointer}/${key}`;
      if (!DRAFT_4_KEYWORDS.has(key)) return [here];
      if ((key === 'exclusiveMinimum' || key === 'exclusiveMaximum') && typeof value !== 'boolean') return [here];
      if (NAME_MAPS.has(key)) return Object.entries(value as object).flatMap(([name, sub]) => notDraft4(sub, `${here}/${name}`));
      return typeof value === 'object' ? notDraft4(value, here) : [];
    });
  }

  const model = orders.routes?.find((route) => route.route === 'POST /orders')?.requestBodySchema;

  test('is what the spec gives the gateway, and uses draft-4 keywords only', () => {
    expect(model).toEqual(z.toJSONSchema(CreateOrderRequest, { target: 'draft-4' }));
    expect(model?.$schema).toBe('http://json-schema.org/draft-04/schema#');
    expect(notDraft4(model)).toEqual([]);
  });

  test('refuses unknown keys, requires customerId and items, and keeps quantities above 0 as the handler does', () => {
    expect(model).toMatchObject({
      type: 'object',
      required: ['customerId', 'items'],
      additionalProperties: false,
      properties: {
        items: {
          type: 'array',
          minItems: 1,
          maxItems: MAX_LINES,
          items: {
            additionalProperties: false,
            required: ['productId', 'quantity'],
            properties: { quantity: { type: 'integer', minimum: 0, exclusiveMinimum: true } },
          },
        },
      },
    });
  });
});

describe('orderRuleProblems', () => {
  test('lets an order with as many lines as maxItemsPerOrder through', () => {
    const items = Array.from({ length: 3 }, (_, index) => ({ productId: `p-${index}`, quantity: 1 }));
    expect(orderRuleProblems({ ...request, items }, settings)).toEqual([]);
  });

  test('names items when an order has more lines than maxItemsPerOrder', () => {
    const items = Array.from({ length: 4 }, (_, index) => ({ productId: `p-${index}`, quantity: 1 }));
    expect(orderRuleProblems({ ...request, items }, settings)).toEqual([
      { path: 'items', message: 'must have at most 3 entries (maxItemsPerOrder); this order has 4' },
    ]);
  });
});

describe('placeOrder', () => {
  const at = new Date('2025-11-24T17:00:00.000Z');

  test('is the OrderPlaced event of the requested lines, at the given time, in the configured currency', () => {
    expect(placeOrder(request, settings, { at })).toEqual({
      type: 'OrderPlaced',
      at: '2025-11-24T17:00:00.000Z',
      customerId: 'customer-42',
      items: request.items,
      currency: 'EUR',
    });
  });

  test('keeps a note, and has no note key at all without one', () => {
    expect(placeOrder({ ...request, note: 'ring twice' }, settings, { at })).toMatchObject({ note: 'ring twice' });
    expect(Object.keys(placeOrder(request, settings, { at }))).not.toContain('note');
  });
});

describe('folding order events', () => {
  const id = '6f1c2a0e-5b7d-4c1e-9a3f-2d8e7b6c5a41';
  const placed: OrderEvent = { type: 'OrderPlaced', at: '2025-11-24T17:00:00.000Z', customerId: 'customer-42', items: request.items, currency: 'EUR' };
  const confirmed: OrderEvent = { type: 'OrderConfirmed', at: '2025-11-24T17:00:02.000Z' };
  const rejected: OrderEvent = { type: 'OrderRejected', at: '2025-11-24T17:00:03.000Z', reason: 'OutOfStock: 5 of grinder asked, 1 available' };

  test('OrderPlaced makes a PLACED order at version 1 with its total quantity', () => {
    expect(foldOrder(id, [{ version: 1, event: placed }])).toEqual({
      id,
      customerId: 'customer-42',
      items: request.items,
      status: 'PLACED',
      currency: 'EUR',
      totalQuantity: 3,
      createdAt: placed.at,
      updatedAt: placed.at,
      version: 1,
    });
  });

  test('OrderConfirmed and OrderRejected move the status, the time and the version; a rejection keeps its reason', () => {
    expect(foldOrder(id, [{ version: 1, event: placed }, { version: 2, event: confirmed }])).toMatchObject({ status: 'CONFIRMED', updatedAt: confirmed.at, version: 2, createdAt: placed.at });
    expect(foldOrder(id, [{ version: 1, event: placed }, { version: 2, event: rejected }])).toMatchObject({ status: 'REJECTED', rejectionReason: 'OutOfStock: 5 of grinder asked, 1 available', version: 2 });
  });

  test('no events fold to no order', () => {
    expect(foldOrder(id, [])).toBeUndefined();
  });

  test('folding onto a snapshot gives the same order as folding the whole history', () => {
    const history = [{ version: 1, event: placed }, { version: 2, event: confirmed }];
    const snapshot = foldOrder(id, history.slice(0, 1));
    expect(foldOrder(id, history.slice(1), snapshot)).toEqual(foldOrder(id, history));
  });

  test.each([
    ['a history that does not start with OrderPlaced', [{ version: 1, event: confirmed }], /starts with OrderConfirmed/],
    ['an order placed twice', [{ version: 1, event: placed }, { version: 2, event: placed }], /placed twice/],
    ['a gap in the versions', [{ version: 1, event: placed }, { version: 3, event: confirmed }], /version 3 does not follow version 1/],
  ])('refuses %s', (_case, events, message) => {
    expect(() => foldOrder(id, events)).toThrow(OrderHistoryError);
    expect(() => foldOrder(id, events)).toThrow(message);
  });
});

describe('order decisions', () => {
  const at = new Date('2025-11-24T17:00:05.000Z');
  const order = (status: OrderStatus): Order => ({
    id: 'o-1', customerId: 'c-1', items: request.items, status, currency: 'EUR', totalQuantity: 3, createdAt: '2025-11-24T17:00:00.000Z', updatedAt: '2025-11-24T17:00:00.000Z', version: 1,
  });

  test('a placed order is confirmed, or rejected with the reason', () => {
    expect(confirmOrder(order('PLACED'), at)).toEqual([{ type: 'OrderConfirmed', at: at.toISOString() }]);
    expect(rejectOrder(order('PLACED'), 'PaymentDeclined: above the limit', at)).toEqual([{ type: 'OrderRejected', at: at.toISOString(), reason: 'PaymentDeclined: above the limit' }]);
  });

  test('repeating a decision appends nothing (a retried saga action)', () => {
    expect(confirmOrder(order('CONFIRMED'), at)).toEqual([]);
    expect(rejectOrder(order('REJECTED'), 'again', at)).toEqual([]);
  });

  test('a confirmed order cannot be rejected, nor a rejected one confirmed', () => {
    expect(() => rejectOrder(order('CONFIRMED'), 'late', at)).toThrow(OrderStateError);
    expect(() => confirmOrder(order('REJECTED'), at)).toThrow('order o-1 is REJECTED and cannot be confirmed');
  });
});

describe('snapshots', () => {
  test.each([
    [10, 10, true],
    [20, 10, true],
    [9, 10, false],
    [11, 10, false],
    [0, 10, false],
    [3, 3, true],
  ])('version %i with a snapshot every %i events: %s', (version, every, expected) => {
    expect(isSnapshotVersion(version, every)).toBe(expected);
  });
});

describe('OrderSettings', () => {
  test('turns the stored strings into typed settings and ignores other parameters', () => {
    expect(validate(OrderSettings, { maxItemsPerOrder: '20', currency: 'EUR', featureFlag: 'on' })).toEqual({
      ok: true,
      value: { maxItemsPerOrder: 20, currency: 'EUR' },
    });
  });

  test.each([
    [{ maxItemsPerOrder: 'twenty', currency: 'EUR' }, 'maxItemsPerOrder'],
    [{ maxItemsPerOrder: '2.5', currency: 'EUR' }, 'maxItemsPerOrder'],
    [{ maxItemsPerOrder: '0', currency: 'EUR' }, 'maxItemsPerOrder'],
    [{ maxItemsPerOrder: String(MAX_LINES + 1), currency: 'EUR' }, 'maxItemsPerOrder'],
    [{ maxItemsPerOrder: '20', currency: 'euro' }, 'currency'],
    [{ maxItemsPerOrder: '20' }, 'currency'],
  ])('refuses %j at %s', (stored, field) => {
    const checked = validate(OrderSettings, stored);
    expect(checked.ok).toBe(false);
    expect(!checked.ok && checked.problems.map((problem) => problem.path)).toEqual([field]);
  });
});
