import { OutOfStockError, ProductStockRequest, UnknownProductError, mergeLines, reservationAmount } from '../../../services/inventory/inventory';
import { validate } from '../../../runtime/validation';

describe('inventory rules', () => {
  test('merges lines of the same product, keeping first-seen order', () => {
    expect(mergeLines([{ productId: 'a', quantity: 1 }, { productId: 'b', quantity: 2 }, { productId: 'a', quantity: 3 }])).toEqual([
      { productId: 'a', quantity: 4 },
      { productId: 'b', quantity: 2 },
    ]);
  });

  test('prices a reservation as quantity times unit price, summed', () => {
    expect(reservationAmount([{ productId: 'a', quantity: 2, unitPriceMinor: 450 }, { productId: 'b', quantity: 1, unitPriceMinor: 12_900 }])).toBe(13_800);
    expect(reservationAmount([])).toBe(0);
  });

  test('refusals carry the name the saga sees as the error and a message for the rejection reason', () => {
    const outOfStock = new OutOfStockError('grinder', 5, 1);
    expect(outOfStock.name).toBe('OutOfStock');
    expect(outOfStock.message).toBe('5 of grinder asked, 1 available');
    expect(new UnknownProductError('kettle')).toMatchObject({ name: 'UnknownProduct', message: 'there is no product kettle' });
  });

  test.each([
    [{ available: -1, unitPriceMinor: 100 }, 'available'],
    [{ available: 1.5, unitPriceMinor: 100 }, 'available'],
    [{ available: 3 }, 'unitPriceMinor'],
    [{ available: 3, unitPriceMinor: 100, colour: 'red' }, 'colour'],
  ])('refuses the stock level %j at %s', (body, field) => {
    const checked = validate(ProductStockRequest, body);
    expect(checked.ok).toBe(false);
    if (!checked.ok) expect(checked.problems.map((problem) => problem.path)).toContain(field);
  });
});
