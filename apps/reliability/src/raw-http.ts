import net from 'node:net'

/** One HTTP/1.1 response as read off the socket. */
export interface RawResponse {
  readonly status: number
  readonly statusText: string
  /** Header names lowercased; a repeated header keeps every value, joined with `, ` (set-cookie: `\n`). */
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
  /** Bytes of the whole response (head and body). */
  readonly bytes: number
}

/** What came back: a response, or nothing (the server closed the connection or never answered). */
export type RawResult =
  | { readonly kind: 'response'; readonly response: RawResponse; readonly closed: boolean }
  | { readonly kind: 'closed'; readonly received: string }
  | { readonly kind: 'timeout'; readonly received: string }

/**
 * Sends `request` (bytes exactly as given: malformed framing, duplicate headers, raw CR/LF) to a
 * listening server and reads the first response. The socket is never reused; `timeoutMs` bounds
 * the wait. For the requests `inject()` cannot make because it builds a well-formed request.
 */
export function rawRequest(
  port: number,
  request: string | Buffer | readonly (string | Buffer)[],
  options: { host?: string; timeoutMs?: number; pauseMs?: number } = {},
): Promise<RawResult> {
  const { host = '127.0.0.1', timeoutMs = 5000, pauseMs = 0 } = options
  return new Promise((resolve) => {
    const socket = net.connect(port, host)
    const chunks: Buffer[] = []
    let settled = false
    const finish = (result: RawResult): void => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      socket.destroy()
      resolve(result)
    }
    const timer = setTimeout(() => {
      const received = Buffer.concat(chunks)
      const parsed = parseResponse(received)
      finish(
        parsed === undefined
          ? { kind: 'timeout', received: received.toString('latin1') }
          : { kind: 'response', response: parsed, closed: false },
      )
    }, timeoutMs)
    socket.on('error', () => {
      const received = Buffer.concat(chunks)
      const parsed = parseResponse(received)
      finish(
        parsed === undefined
          ? { kind: 'closed', received: received.toString('latin1') }
          : { kind: 'response', response: parsed, closed: true },
      )
    })
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk)
      const parsed = parseResponse(Buffer.concat(chunks), true)
      if (parsed !== undefined) finish({ kind: 'response', response: parsed, closed: false })
    })
    socket.on('close', () => {
      const received = Buffer.concat(chunks)
      const parsed = parseResponse(received)
      finish(
        parsed === undefined
          ? { kind: 'closed', received: received.toString('latin1') }
          : { kind: 'response', response: parsed, closed: true },
      )
    })
    socket.on('connect', () => {
      const parts = typeof request === 'string' || Buffer.isBuffer(request) ? [request] : request
      void writeParts(socket, parts, pauseMs)
    })
  })
}

async function writeParts(socket: net.Socket, parts: readonly (string | Buffer)[], pauseMs: number): Promise<void> {
  for (const [index, part] of parts.entries()) {
    if (socket.destroyed) return
    if (index > 0 && pauseMs > 0) await new Promise((resolve) => setTimeout(resolve, pauseMs))
    if (socket.destroyed) return
    socket.write(typeof part === 'string' ? Buffer.from(part, 'latin1') : part)
  }
}

/**
 * The first response in `data`, or `undefined` when it is not complete. With `strict`, a response
 * without framing (no length, not chunked) is complete only when the connection closes.
 */
export function parseResponse(data: Buffer, strict = false): RawResponse | undefined {
  const headEnd = data.indexOf('\r\n\r\n')
  if (headEnd === -1) return undefined
  const lines = data.subarray(0, headEnd).toString('latin1').split('\r\n')
  const match = /^HTTP\/1\.[01] (\d{3})(?: (.*))?$/.exec(lines[0] ?? '')
  if (match === null) return undefined
  const headers: Record<string, string> = {}
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':')
    if (colon === -1) continue
    const name = line.slice(0, colon).trim().toLowerCase()
    const value = line.slice(colon + 1).trim()
    headers[name] =
      headers[name] === undefined ? value : `${headers[name]}${name === 'set-cookie' ? '\n' : ', '}${value}`
  }
  const status = Number(match[1])
  const rest = data.subarray(headEnd + 4)
  let body: Buffer | undefined
  if (status === 204 || status === 304 || (status >= 100 && status < 200)) {
    body = Buffer.alloc(0)
  } else if (headers['content-length'] !== undefined) {
    const length = Number(headers['content-length'])
    if (rest.length < length) return undefined
    body = rest.subarray(0, length)
  } else if (/\bchunked\b/i.test(headers['transfer-encoding'] ?? '')) {
    body = dechunk(rest)
    if (body === undefined) return undefined
  } else if (strict) {
    return undefined
  } else {
    body = rest
  }
  return {
    status,
    statusText: match[2] ?? '',
    headers,
    body: body.toString('utf8'),
    bytes: headEnd + 4 + body.length,
  }
}

function dechunk(data: Buffer): Buffer | undefined {
  const parts: Buffer[] = []
  let at = 0
  for (;;) {
    const lineEnd = data.indexOf('\r\n', at)
    if (lineEnd === -1) return undefined
    const size = Number.parseInt(data.subarray(at, lineEnd).toString('latin1'), 16)
    if (Number.isNaN(size)) return undefined
    if (size === 0) return Buffer.concat(parts)
    const start = lineEnd + 2
    if (data.length < start + size + 2) return undefined
    parts.push(data.subarray(start, start + size))
    at = start + size + 2
  }
}

/** A request head (and optional body) as raw bytes; `headers` are written as given, in order. */
export function rawHead(
  method: string,
  target: string,
  headers: readonly (readonly [string, string])[],
  body?: string | Buffer,
): Buffer {
  const head = `${method} ${target} HTTP/1.1\r\n${headers.map(([name, value]) => `${name}: ${value}\r\n`).join('')}\r\n`
  const headBytes = Buffer.from(head, 'latin1')
  if (body === undefined) return headBytes
  return Buffer.concat([headBytes, typeof body === 'string' ? Buffer.from(body, 'latin1') : body])
}

/** A chunked body: each part one chunk, then the last chunk. */
export function chunked(parts: readonly (string | Buffer)[]): Buffer {
  const out: Buffer[] = []
  for (const part of parts) {
    const bytes = typeof part === 'string' ? Buffer.from(part, 'latin1') : part
    out.push(Buffer.from(`${bytes.length.toString(16)}\r\n`, 'latin1'), bytes, Buffer.from('\r\n', 'latin1'))
  }
  out.push(Buffer.from('0\r\n\r\n', 'latin1'))
  return Buffer.concat(out)
}
