import { matchesPattern, unsupportedFilter } from '../../local/aws/event-pattern';
import { transformInput, type EventEnvelope } from '../../local/aws/event-bus';

const envelope: EventEnvelope = {
  version: '0',
  id: 'e-1',
  'detail-type': 'OrderPlaced',
  source: 'orders',
  account: '000000000000',
  time: '2026-01-01T00:00:00Z',
  region: 'eu-west-1',
  resources: [],
  detail: { orderId: 'o-1', items: [{ productId: 'p-1' }], customer: { tier: 'gold' } },
};

describe('matching event patterns', () => {
  test('a field matches when its value is among the listed ones', () => {
    expect(matchesPattern({ 'detail-type': ['OrderPlaced', 'OrderConfirmed'] }, envelope)).toBe(true);
    expect(matchesPattern({ 'detail-type': ['OrderConfirmed'] }, envelope)).toBe(false);
  });

  test('every field of the pattern must match, nested objects included', () => {
    expect(matchesPattern({ source: ['orders'], detail: { customer: { tier: ['gold'] } } }, envelope)).toBe(true);
    expect(matchesPattern({ source: ['orders'], detail: { customer: { tier: ['silver'] } } }, envelope)).toBe(false);
    expect(matchesPattern({ detail: { missing: ['x'] } }, envelope)).toBe(false);
  });

  test('content filters: prefix, suffix, anything-but, exists, equals-ignore-case', () => {
    expect(matchesPattern({ 'detail-type': [{ prefix: 'Order' }] }, envelope)).toBe(true);
    expect(matchesPattern({ 'detail-type': [{ suffix: 'Placed' }] }, envelope)).toBe(true);
    expect(matchesPattern({ source: [{ 'anything-but': ['orders'] }] }, envelope)).toBe(false);
    expect(matchesPattern({ source: [{ 'anything-but': 'payments' }] }, envelope)).toBe(true);
    expect(matchesPattern({ detail: { orderId: [{ exists: true }] } }, envelope)).toBe(true);
    expect(matchesPattern({ detail: { note: [{ exists: false }] } }, envelope)).toBe(true);
    expect(matchesPattern({ detail: { note: [{ exists: true }] } }, envelope)).toBe(false);
    expect(matchesPattern({ 'detail-type': [{ 'equals-ignore-case': 'orderplaced' }] }, envelope)).toBe(true);
  });

  test('a filter the bus cannot match is named rather than matched wrongly', () => {
    expect(unsupportedFilter({ detail: { amount: [{ numeric: ['>', 10] }] } })).toBe("detail.amount: the filter 'numeric'");
    expect(unsupportedFilter({ source: 'orders' })).toBe('source: a bare value (a pattern field takes a list)');
    expect(unsupportedFilter({ 'detail-type': ['OrderPlaced', { prefix: 'Order' }] })).toBeUndefined();
  });
});

describe('input transformers', () => {
  test("the saga trigger's template puts the event's detail into the execution's input", () => {
    expect(transformInput({ detail: '$.detail' }, '{"detail":<detail>,"results":{}}', envelope)).toEqual({ detail: envelope.detail, results: {} });
  });

  test('a path to a nested value, and the whole event', () => {
    expect(transformInput({ tier: '$.detail.customer.tier' }, '{"tier":<tier>}', envelope)).toEqual({ tier: 'gold' });
    expect(transformInput({}, '<aws.events.event>', envelope)).toEqual(envelope);
  });
});
