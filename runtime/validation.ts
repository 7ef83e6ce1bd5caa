/**
 * Checking input against a zod schema and saying, field by field, what is wrong with it.
 *
 * Works with any zod 4 schema (classic or mini): it uses only `zod/v4/core`, which keeps
 * Lambda bundles small.
 */
import * as zod from 'zod/v4/core';

/** One thing wrong with a request, named by where it is. */
export interface FieldProblem {
  /**
   * Where the problem is: a path into the JSON body such as `items[0].quantity`,
   * or a name such as `body`, a header or a path parameter.
   */
  readonly path: string;
  /** What is wrong, in words a client developer can act on, e.g. `must be greater than 0`. */
  readonly message: string;
}

/** The outcome of a check: the value, or the problems found. */
export type Checked<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly problems: readonly FieldProblem[] };

/** Checks `input` against `schema`; returns the parsed value, or one problem per zod issue. */
export function validate<Schema extends zod.$ZodType>(schema: Schema, input: unknown): Checked<zod.output<Schema>> {
  // reportInput lets the messages tell a missing value from a wrong one; the input never reaches a response.
  const result = zod.safeParse(schema, input, { reportInput: true });
  return result.success
    ? { ok: true, value: result.data }
    : { ok: false, problems: problemsFromIssues(result.error.issues) };
}

/** Turns zod issues into field problems; an unknown key becomes one problem at that key's own path. */
export function problemsFromIssues(issues: readonly zod.$ZodIssue[]): FieldProblem[] {
  return issues.flatMap((issue): FieldProblem[] =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({ path: formatPath([...issue.path, key]), message: 'is not an allowed field' }))
      : [{ path: formatPath(issue.path), message: describeIssue(issue) }],
  );
}

/** Formats a path the way JavaScript would reach it: `['items', 0, 'quantity']` becomes `items[0].quantity`. */
export function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((text, segment) => {
    if (typeof segment === 'number') return `${text}[${segment}]`;
    const name = String(segment);
    return text === '' ? name : `${text}.${name}`;
  }, '');
}

const TYPE_NAMES: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  boolean: 'true or false',
  array: 'an array',
  object: 'an object',
  null: 'null',
};

/** Our own wording, so bundles need not load a zod locale and messages stay stable across zod releases. */
function describeIssue(issue: zod.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return issue.input === undefined ? 'is required' : `must be ${TYPE_NAMES[issue.expected] ?? issue.expected}`;
    case 'too_small':
      return describeBound(issue.origin, 'minimum', issue.minimum, issue.inclusive !== false);
    case 'too_big':
      return describeBound(issue.origin, 'maximum', issue.maximum, issue.inclusive !== false);
    case 'invalid_format':
      return issue.format === 'regex' ? `must match ${issue.pattern ?? 'the expected pattern'}` : `must be a valid ${issue.format}`;
    case 'invalid_value':
      return issue.input === undefined ? 'is required' : `must be one of ${issue.values.map((value) => JSON.stringify(value)).join(', ')}`;
    case 'not_multiple_of':
      return `must be a multiple of ${issue.divisor}`;
    default:
      return issue.message;
  }
}

function describeBound(origin: string, side: 'minimum' | 'maximum', bound: number | bigint, inclusive: boolean): string {
  const word = side === 'minimum' ? (inclusive ? 'at least' : 'greater than') : inclusive ? 'at most' : 'less than';
  switch (origin) {
    case 'string':
      return side === 'minimum' && Number(bound) === 1 ? 'must not be empty' : `must be ${word} ${bound} characters long`;
    case 'array':
    case 'set':
      return `must have ${word} ${bound} ${Number(bound) === 1 ? 'entry' : 'entries'}`;
    default:
      return `must be ${word} ${bound}`;
  }
}
