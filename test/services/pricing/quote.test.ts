import { MAX_LINES, parseQuoteRequest, priceQuote, settingsFromEnvironment } from '../../../services/pricing/quote';

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

describe('parseQuoteRequest', () => {
  test('accepts well-formed lines', () => {
    expect(parseQuoteRequest({ items: [{ sku: 'SKU-1', unitPriceCents: 0, quantity: 1 }] })).toEqual({ lines: [{ sku: 'SKU-1', unitPriceCents: 0, quantity: 1 }] });
  });

  test.each([
    ['no body', null, ['items: must be a list of 1 to 100 lines']],
    ['no items', { items: [] }, ['items: must be a list of 1 to 100 lines']],
    ['too many items', { items: Array.from({ length: MAX_LINES + 1 }, () => ({ sku: 'a', unitPriceCents: 1, quantity: 1 })) }, ['items: must be a list of 1 to 100 lines']],
    [
      'bad fields in one line',
      { items: [{ sku: 'ok', unitPriceCents: 1, quantity: 1 }, { sku: 'no spaces', unitPriceCents: 1.5, quantity: 0 }] },
      ['items[1].sku: must be 1 to 64 letters, digits or hyphens', 'items[1].unitPriceCents: must be whole cents from 0 to 100000000', 'items[1].quantity: must be a whole number from 1 to 10000'],
    ],
  ])('rejects %s, naming each bad field', (_label, body, problems) => {
    expect(parseQuoteRequest(body)).toEqual({ problems });
  });
});

describe('settingsFromEnvironment', () => {
  test('reads the ConfigMap keys the chart exposes as CONFIG_<key>', () => {
    expect(settingsFromEnvironment({ CONFIG_taxRatePercent: '7.5', CONFIG_currency: 'CHF' })).toEqual({ taxRatePercent: 7.5, currency: 'CHF' });
  });

  test.each([
    [{ CONFIG_currency: 'EUR' }, /CONFIG_taxRatePercent is 'undefined'/],
    [{ CONFIG_taxRatePercent: '101', CONFIG_currency: 'EUR' }, /CONFIG_taxRatePercent is '101'/],
    [{ CONFIG_taxRatePercent: '19', CONFIG_currency: 'euro' }, /CONFIG_currency is 'euro'/],
  ])('fails at start-up on missing or bad settings: %p', (env, message) => {
    expect(() => settingsFromEnvironment(env)).toThrow(message);
  });
});
