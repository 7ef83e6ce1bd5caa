import { numberFromEnv, requiredEnv } from '../../runtime/environment';

describe('environment', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  test('requiredEnv gives the value, and names a variable that is missing or empty', () => {
    process.env.SOME_TABLE = 'orders-table';
    expect(requiredEnv('SOME_TABLE')).toBe('orders-table');
    delete process.env.SOME_TABLE;
    expect(() => requiredEnv('SOME_TABLE')).toThrow('environment variable SOME_TABLE is not set');
    process.env.SOME_TABLE = ' ';
    expect(() => requiredEnv('SOME_TABLE')).toThrow('environment variable SOME_TABLE is not set');
  });

  test('numberFromEnv reads a number, falls back when unset, and names a variable that is not a number', () => {
    process.env.SOME_SECONDS = '30';
    expect(numberFromEnv('SOME_SECONDS', 60)).toBe(30);
    delete process.env.SOME_SECONDS;
    expect(numberFromEnv('SOME_SECONDS', 60)).toBe(60);
    process.env.SOME_SECONDS = 'soon';
    expect(() => numberFromEnv('SOME_SECONDS', 60)).toThrow("environment variable SOME_SECONDS is 'soon'");
    process.env.SOME_SECONDS = '-1';
    expect(() => numberFromEnv('SOME_SECONDS', 60)).toThrow("environment variable SOME_SECONDS is '-1'");
  });
});
