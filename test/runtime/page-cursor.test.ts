import * as z from 'zod/mini';
import { pageCursor } from '../../runtime/page-cursor';

describe('pageCursor', () => {
  const cursor = pageCursor(z.tuple([z.string().check(z.regex(/^[a-z]+$/)), z.int()]));

  test('gives back the position it encoded', () => {
    expect(cursor.decode(cursor.encode(['kettle', 3]))).toEqual(['kettle', 3]);
  });

  test.each([
    ['not base64url', 'a+b/c='],
    ['not JSON', Buffer.from('{"').toString('base64url')],
    ['an object of keys the client chose', Buffer.from(JSON.stringify({ id: 'kettle' })).toString('base64url')],
    ['a position of the wrong kind', Buffer.from(JSON.stringify(['Kettle!', 3])).toString('base64url')],
    ['a position with more than it holds', Buffer.from(JSON.stringify(['kettle', 3, 'x'])).toString('base64url')],
    ['too long', 'a'.repeat(513)],
  ])('takes nothing from a cursor that is %s', (_case, text) => {
    expect(cursor.decode(text)).toBeUndefined();
  });
});
