/**
 * Raw HTTP/1.1 over a TCP socket on loopback: sends bytes exactly as given (so a test can send what
 * no HTTP client would: malformed request lines, headers or chunked bodies) and reads the one
 * response back, or says how the connection ended without one.
 */
import * as net from 'node:net';

/** What came back on one connection. */
export interface RawReply {
  /** The status, when a whole response head arrived. */
  readonly status?: number;
  /** Header names in lower case. */
  readonly headers: Readonly<Record<string, string>>;
  /** The body, de-chunked. */
  readonly body: string;
  /** How the connection failed, e.g. `ECONNRESET` or `ECONNREFUSED`, when it did. */
  readonly error?: string;
}

/** Sends `request` on a fresh connection to 127.0.0.1:`port` and resolves with the first response (or the failure). */
export function sendRaw(port: number, request: string | Buffer, timeoutMs = 5000): Promise<RawReply> {
  // A response to HEAD has a head only, whatever its content-length says.
  const headOnly = Buffer.from(request).subarray(0, 5).toString('latin1') === 'HEAD ';
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let settled = false;
    const settle = (error?: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ ...parseResponse(Buffer.concat(chunks)), ...(error === undefined ? {} : { error }) });
    };
    const timer = setTimeout(() => settle('timeout'), timeoutMs);
    socket.on('connect', () => socket.write(request));
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      if (isComplete(Buffer.concat(chunks), headOnly)) settle();
    });
    socket.on('error', (error: NodeJS.ErrnoException) => settle(error.code ?? error.message));
    socket.on('end', () => settle());
    socket.on('close', () => settle());
  });
}

function splitHead(data: Buffer): { head: string; rest: Buffer } | undefined {
  const end = data.indexOf('\r\n\r\n');
  return end < 0 ? undefined : { head: data.subarray(0, end).toString('latin1'), rest: data.subarray(end + 4) };
}

function headersOf(head: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of head.split('\r\n').slice(1)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return headers;
}

/** The body of a chunked message, or `undefined` while its last chunk has not arrived. */
function dechunk(data: Buffer): Buffer | undefined {
  const parts: Buffer[] = [];
  let offset = 0;
  for (;;) {
    const lineEnd = data.indexOf('\r\n', offset);
    if (lineEnd < 0) return undefined;
    const size = parseInt(data.subarray(offset, lineEnd).toString('latin1'), 16);
    if (Number.isNaN(size)) return Buffer.concat(parts);
    if (size === 0) return Buffer.concat(parts);
    if (data.length < lineEnd + 2 + size + 2) return undefined;
    parts.push(data.subarray(lineEnd + 2, lineEnd + 2 + size));
    offset = lineEnd + 2 + size + 2;
  }
}

function isComplete(data: Buffer, headOnly: boolean): boolean {
  const split = splitHead(data);
  if (split === undefined) return false;
  if (headOnly) return true;
  const headers = headersOf(split.head);
  if (headers['transfer-encoding']?.toLowerCase() === 'chunked') return dechunk(split.rest) !== undefined;
  if (headers['content-length'] !== undefined) return split.rest.length >= Number(headers['content-length']);
  return false;
}

function parseResponse(data: Buffer): Omit<RawReply, 'error'> {
  const split = splitHead(data);
  if (split === undefined) return { headers: {}, body: '' };
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(split.head)?.[1]);
  const headers = headersOf(split.head);
  const chunked = headers['transfer-encoding']?.toLowerCase() === 'chunked';
  const body = chunked ? (dechunk(split.rest) ?? split.rest) : split.rest.subarray(0, headers['content-length'] === undefined ? undefined : Number(headers['content-length']));
  return { ...(Number.isNaN(status) ? {} : { status }), headers, body: body.toString('utf8') };
}

/** Whether a reply is a client error in the platform's shape: a 4xx, JSON, with `error.code` and `error.message`. */
export function isJsonClientError(reply: RawReply, method = 'GET'): boolean {
  if (reply.status === undefined || reply.status < 400 || reply.status > 499) return false;
  if (!reply.headers['content-type']?.startsWith('application/json')) return false;
  // A response to HEAD has no body by definition.
  if (method.toUpperCase() === 'HEAD') return true;
  try {
    const body = JSON.parse(reply.body) as { error?: { code?: unknown; message?: unknown } };
    return typeof body.error?.code === 'string' && typeof body.error.message === 'string';
  } catch {
    return false;
  }
}
