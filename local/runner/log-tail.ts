/**
 * The last lines a service process wrote, kept for the dashboard: stdout and stderr read line by
 * line, JSON lines parsed (Powertools and the container runtime log JSON), others kept as text.
 */
import type { Readable } from 'node:stream';

/** One line a service wrote. */
export interface LogLine {
  readonly service: string;
  readonly at: string;
  readonly stream: 'stdout' | 'stderr';
  readonly text: string;
  /** The correlation id the line carries, if any. */
  readonly correlationId?: string;
}

/** Calls `onLine` with each complete, non-blank line `stream` writes. */
export function onLines(stream: NodeJS.ReadableStream, onLine: (text: string) => void): void {
  let pending = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    pending += chunk;
    const complete = pending.split('\n');
    pending = complete.pop() ?? '';
    for (const text of complete) if (text.trim() !== '') onLine(text);
  });
}

/** Lines by service, the newest `limit` of each. */
export class LogTail {
  readonly #lines = new Map<string, LogLine[]>();
  readonly #limit: number;
  readonly #listeners: ((line: LogLine) => void)[] = [];

  constructor(limit = 200) {
    this.#limit = limit;
  }

  /** Reads `stream` line by line into `service`'s tail. */
  follow(service: string, stream: Readable, name: 'stdout' | 'stderr'): void {
    onLines(stream, (text) => this.add(service, name, text));
  }

  add(service: string, stream: 'stdout' | 'stderr', text: string): void {
    let correlationId: string | undefined;
    try {
      const parsed = JSON.parse(text) as Record<string, unknown>;
      const found = parsed.correlationId ?? parsed.correlation_id ?? (parsed.correlationIds as Record<string, unknown> | undefined)?.correlationId;
      if (typeof found === 'string') correlationId = found;
    } catch {
      // not JSON: kept as text
    }
    const line: LogLine = { service, at: new Date().toISOString(), stream, text, ...(correlationId === undefined ? {} : { correlationId }) };
    const lines = this.#lines.get(service) ?? [];
    lines.push(line);
    if (lines.length > this.#limit) lines.splice(0, lines.length - this.#limit);
    this.#lines.set(service, lines);
    this.#listeners.forEach((listener) => listener(line));
  }

  /** The newest `count` lines of `service`. */
  last(service: string, count = 20): readonly LogLine[] {
    return (this.#lines.get(service) ?? []).slice(-count);
  }

  onLine(listener: (line: LogLine) => void): void {
    this.#listeners.push(listener);
  }
}
