/**
 * Captures what is written to stdout and stderr (Powertools Logger writes JSON lines there, warnings
 * and errors to stderr; Metrics writes EMF to stdout), so tests can assert on logs and metrics and
 * keep the test output quiet.
 */

/** A capture in progress. */
export interface CapturedOutput {
  /** Every line written to either stream since the capture started or was last cleared, parsed as JSON where it is JSON. */
  records(): Record<string, unknown>[];
  clear(): void;
  /** Puts the real streams back. */
  restore(): void;
}

export function captureOutput(): CapturedOutput {
  let written = '';
  const capture = (chunk: string | Uint8Array) => {
    written += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    return true;
  };
  const spies = [jest.spyOn(process.stdout, 'write').mockImplementation(capture), jest.spyOn(process.stderr, 'write').mockImplementation(capture)];
  return {
    records: () =>
      written
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => {
          try {
            return JSON.parse(line) as Record<string, unknown>;
          } catch {
            return { text: line };
          }
        }),
    clear: () => {
      written = '';
    },
    restore: () => spies.forEach((spy) => spy.mockRestore()),
  };
}
