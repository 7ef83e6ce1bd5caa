/**
 * Page cursors: where the next page starts, handed to the client as an opaque token and checked on
 * the way back in. A token carries only the values of the position, in a fixed order, against a
 * schema of the service's own, never attribute names: the store rebuilds the key from them and from
 * what the request itself says (e.g. the customer in the path), so a cursor can neither put a key
 * of the client's choosing before the database nor reach another customer's items.
 */
import type * as zod from 'zod/v4/core';
import { validate } from './validation';

/** Turns positions into cursors and back. */
export interface PageCursor<Position> {
  /** The cursor of a position. */
  encode(position: Position): string;
  /** The position a cursor holds, or `undefined` when it is not one `encode` could have made. */
  decode(cursor: string): Position | undefined;
}

/** Longest cursor accepted; the services' positions encode to well under this. */
const MAX_CURSOR_LENGTH = 512;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

/** Cursors of positions that fit `schema` (e.g. `z.tuple([z.iso.datetime(), z.uuid()])`). */
export function pageCursor<Schema extends zod.$ZodType>(schema: Schema): PageCursor<zod.output<Schema>> {
  return {
    encode: (position) => Buffer.from(JSON.stringify(position), 'utf8').toString('base64url'),
    decode: (cursor) => {
      if (cursor.length > MAX_CURSOR_LENGTH || !BASE64URL.test(cursor)) return undefined;
      let position: unknown;
      try {
        position = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
      } catch {
        return undefined;
      }
      const checked = validate(schema, position);
      return checked.ok ? checked.value : undefined;
    },
  };
}
