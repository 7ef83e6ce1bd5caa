import { MAX_LINES, QuoteRequest, priceQuote, settingsFromEnvironment } from '../../../services/pricing/quote';
import { validate } from '../../../runtime/validation';

const settings = { taxRatePercent: 19, currency: 'EUR' };

describe('priceQuote', () => {
  test('sums the lines and adds the tax, rounded half up to the cent', () => {
    expect(priceQuote([{ sku: 'a', unitPriceCents: 1050, quantity: 2 }, { sku: 'b', unitPriceCents: 1, quantity: 5 }], settings)).toEqual({
      currency: 'EUR',
      lines: 2,
      subtotalCents: 2105,
      taxCents: 400, // 399.95 rounds up
      totalCents: 2505,
    });
  });

  test('a zero tax rate leaves the total at the subtotal', () => {
    expect(priceQuote([{ sku: 'a', unitPriceCents: 999, quantity: 1 }], { taxRatePercent: 0, currency: 'USD' })).toMatchObject({ taxCents: 0, totalCents: 999, currency: 'USD' });
  });
});

describe('QuoteRequest', () => {
  test('accepts well-formed lines', () => {
    expect(validate(QuoteRequest, { items: [{ sku: 'SKU-1', unitPriceCents: 0, quantity: 1 }] })).toEqual({ ok: true, value: { items: [{ sku: 'SKU-1', unitPriceCents: 0, quantity: 1 }] } });
  });

  test.each([
    ['no items field', {}, ['items']],
    ['no items', { items: [] }, ['items']],
    ['too many items', { items: Array.from({ length: MAX_LINES + 1 }, () => ({ sku: 'a', unitPriceCents: 1, quantity: 1 })) }, ['items']],
    [
      'bad fields in one line',
      { items: [{ sku: 'ok', unitPriceCents: 1, quantity: 1 }, { sku: 'no spaces', unitPriceCents: 1.5, quantity: 0 }] },
      ['items[1].sku', 'items[1].unitPriceCents', 'items[1].quantity'],
    ],
    ['a price that is not whole cents', { items: [{ sku: 'a', unitPriceCents: 100_000_001, quantity: 1 }] }, ['items[0].unitPriceCents']],
    ['a quantity that is text', { items: [{ sku: 'a', unitPriceCents: 1, quantity: '2' }] }, ['items[0].quantity']],
  ])('rejects %s, naming each bad field', (_label, body, paths) => {
    const checked = validate(QuoteRequest, body);
    expect(checked.ok).toBe(false);
    if (!checked.ok) expect(checked.problems.map((p) => p.path)).toEqual(paths);
  });
});

describe('settingsFromEnvironment', () => {
  test('reads the ConfigMap keys the chart exposes as CONFIG_<key>', () => {
    expect(settingsFromEnvironment({ CONFIG_taxRatePercent: '7.5', CONFIG_currency: 'CHF' })).toEqual({ taxRatePercent: 7.5, currency: 'CHF' });
  });

  test.each([
    [{ CONFIG_currency: 'EUR' }, 'the pricing settings are invalid: CONFIG_taxRatePercent is required'],
    [{ CONFIG_taxRatePercent: '101', CONFIG_currency: 'EUR' }, 'the pricing settings are invalid: CONFIG_taxRatePercent must be at most 100'],
    [{ CONFIG_taxRatePercent: '', CONFIG_currency: 'EUR' }, /CONFIG_taxRatePercent must match/],
    [{ CONFIG_taxRatePercent: '19', CONFIG_currency: 'euro' }, /^the pricing settings are invalid: CONFIG_currency must match/],
    [{}, 'the pricing settings are invalid: CONFIG_taxRatePercent is required; CONFIG_currency is required'],
  ])('fails at start-up on missing or bad settings, naming each variable: %p', (env, message) => {
    expect(() => settingsFromEnvironment(env)).toThrow(message);
  });
});
