import * as z from 'zod/mini';
import { formatPath, validate } from '../../runtime/validation';

describe('formatPath', () => {
  test('writes array indexes in brackets and keys with dots', () => {
    expect(formatPath(['items', 0, 'quantity'])).toBe('items[0].quantity');
    expect(formatPath([0, 'name'])).toBe('[0].name');
    expect(formatPath([])).toBe('');
  });
});

describe('validate', () => {
  const Shipment = z.strictObject({
    address: z.strictObject({ city: z.string().check(z.maxLength(5)), postcode: z.string().check(z.regex(/^\d{4}$/)) }),
    parcels: z.array(z.number().check(z.maximum(30, { error: 'ignored' }))),
    mode: z.enum(['air', 'sea']),
    contact: z.email(),
  });
  const good = { address: { city: 'Ghent', postcode: '9000' }, parcels: [12], mode: 'air', contact: 'ops@example.com' };

  test('gives back the parsed value when the input fits', () => {
    expect(validate(Shipment, good)).toEqual({ ok: true, value: good });
  });

  test('names every field at fault, however deep, with a message of our own', () => {
    const checked = validate(Shipment, {
      address: { city: 'Antwerpen', postcode: 'B-2000', country: 'BE' },
      parcels: [12, 31],
      mode: 'rail',
      contact: 'nobody',
    });
    expect(checked).toEqual({
      ok: false,
      problems: expect.arrayContaining([
        { path: 'address.city', message: 'must be at most 5 characters long' },
        { path: 'address.postcode', message: 'must match /^\\d{4}$/' },
        { path: 'address.country', message: 'is not an allowed field' },
        { path: 'parcels[1]', message: 'must be at most 30' },
        { path: 'mode', message: 'must be one of "air", "sea"' },
        { path: 'contact', message: 'must be a valid email' },
      ]),
    });
    expect(!checked.ok && checked.problems).toHaveLength(6);
  });

  test('tells a missing field from one of the wrong type', () => {
    expect(validate(Shipment, { ...good, mode: undefined, parcels: 'two' })).toEqual({
      ok: false,
      problems: [
        { path: 'parcels', message: 'must be an array' },
        { path: 'mode', message: 'is required' },
      ],
    });
  });
});
