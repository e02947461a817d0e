import net from 'node:net'

/** What the proxy does with traffic. */
export type ProxyMode = 'open' | 'cut' | 'hang'

/** The commands a Redis client sent through the proxy, by name, since `census.reset()`. */
export class CommandCensus {
  readonly counts = new Map<string, number>()
  total = 0

  add(name: string): void {
    this.total++
    this.counts.set(name, (this.counts.get(name) ?? 0) + 1)
  }

  reset(): void {
    this.counts.clear()
    this.total = 0
  }

  /** `{ EVALSHA: 12, PING: 1 }`, most frequent first. */
  snapshot(): Record<string, number> {
    return Object.fromEntries([...this.counts].sort((a, b) => b[1] - a[1]))
  }
}

/**
 * Reads RESP requests (`*<n>\r\n$<len>\r\n<bytes>\r\n...`, and inline commands) incrementally from
 * the client side of a Redis connection and reports the name of each complete command. Bytes it
 * cannot read as RESP are skipped to the next line: it counts, it never decides anything.
 */
class RespCommandReader {
  #buffer: Buffer = Buffer.alloc(0)
  readonly #onCommand: (name: string) => void

  constructor(onCommand: (name: string) => void) {
    this.#onCommand = onCommand
  }

  push(chunk: Buffer): void {
    this.#buffer = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk])
    for (;;) {
      const consumed = this.#readOne()
      if (consumed === 0) break
      this.#buffer = this.#buffer.subarray(consumed)
    }
  }

  /** Bytes of one complete command at the head of the buffer, 0 when it is not complete yet. */
  #readOne(): number {
    const buffer = this.#buffer
    if (buffer.length === 0) return 0
    const lineEnd = buffer.indexOf('\r\n')
    if (lineEnd === -1) return 0
    if (buffer[0] !== 0x2a /* * */) {
      const words = buffer.subarray(0, lineEnd).toString('latin1').trim().split(/\s+/)
      if (words[0]) this.#onCommand(words[0].toUpperCase())
      return lineEnd + 2
    }
    const count = Number(buffer.subarray(1, lineEnd).toString('latin1'))
    if (!Number.isInteger(count) || count < 0) return lineEnd + 2
    let at = lineEnd + 2
    let name = ''
    for (let i = 0; i < count; i++) {
      const end = buffer.indexOf('\r\n', at)
      if (end === -1 || buffer[at] !== 0x24 /* $ */) return 0
      const length = Number(buffer.subarray(at + 1, end).toString('latin1'))
      const start = end + 2
      if (buffer.length < start + length + 2) return 0
      if (i === 0)
        name = buffer
          .subarray(start, start + length)
          .toString('latin1')
          .toUpperCase()
      at = start + length + 2
    }
    this.#onCommand(name)
    return at
  }
}

/**
 * A TCP proxy between a client and a real server (Redis, PostgreSQL, an HTTP endpoint) that a
 * test can cut (open connections dropped, new ones closed on arrival: the server died), hang
 * (connections accepted, nothing forwarded either way: the server froze), slow down (every reply
 * held back by `delayMs`, in order) and restore. With `resp: true` it counts the Redis commands
 * clients send through it.
 */
export class FaultProxy {
  readonly census = new CommandCensus()
  /** Connections accepted since start (cut ones included). */
  accepted = 0
  delayMs = 0
  readonly #server: net.Server
  readonly #target: { host: string; port: number }
  readonly #resp: boolean
  readonly #sockets = new Set<net.Socket>()
  #mode: ProxyMode = 'open'

  private constructor(target: { host: string; port: number }, resp: boolean) {
    this.#target = target
    this.#resp = resp
    this.#server = net.createServer((client) => this.#accept(client))
  }

  /** Starts a proxy on 127.0.0.1 (an ephemeral port) in front of `host:port`. */
  static async start(target: { host: string; port: number }, options: { resp?: boolean } = {}): Promise<FaultProxy> {
    const proxy = new FaultProxy(target, options.resp === true)
    await new Promise<void>((resolve) => proxy.#server.listen(0, '127.0.0.1', resolve))
    return proxy
  }

  /** A proxy in front of the server of a `redis://` or `postgres://` URL. */
  static async forUrl(url: string, options: { resp?: boolean } = {}): Promise<FaultProxy> {
    const parsed = new URL(url)
    const defaultPort = parsed.protocol.startsWith('redis') ? 6379 : 5432
    return FaultProxy.start({ host: parsed.hostname, port: Number(parsed.port || defaultPort) }, options)
  }

  get port(): number {
    return (this.#server.address() as net.AddressInfo).port
  }

  get mode(): ProxyMode {
    return this.#mode
  }

  /** Connections open through the proxy now. */
  get connections(): number {
    return this.#sockets.size / 2
  }

  /** `url` with its host and port replaced by the proxy's (credentials, path and query kept). */
  url(url: string): string {
    const parsed = new URL(url)
    parsed.hostname = '127.0.0.1'
    parsed.port = String(this.port)
    return parsed.toString()
  }

  /** The server "dies": open connections are dropped, new ones closed on arrival. */
  cut(): void {
    this.#mode = 'cut'
    this.#dropAll()
  }

  /** The server "freezes": open connections are dropped, new ones accepted and never answered. */
  hang(): void {
    this.#mode = 'hang'
    this.#dropAll()
  }

  /** The server is back. `delayMs` stays as set. */
  restore(): void {
    this.#mode = 'open'
  }

  async close(): Promise<void> {
    this.cut()
    await new Promise<void>((resolve) => this.#server.close(() => resolve()))
  }

  #dropAll(): void {
    for (const socket of this.#sockets) socket.destroy()
    this.#sockets.clear()
  }

  #accept(client: net.Socket): void {
    this.accepted++
    client.on('error', () => {})
    if (this.#mode === 'cut') {
      client.destroy()
      return
    }
    this.#sockets.add(client)
    if (this.#mode === 'hang') {
      // Read and discard: the client sees a connection that never answers.
      client.on('data', () => {})
      client.on('close', () => this.#sockets.delete(client))
      return
    }
    const upstream = net.connect(this.#target.port, this.#target.host)
    this.#sockets.add(upstream)
    const reader = this.#resp ? new RespCommandReader((name) => this.census.add(name)) : undefined
    client.on('data', (chunk: Buffer) => {
      if (this.#mode !== 'open') return
      reader?.push(chunk)
      upstream.write(chunk)
    })
    // Replies are held back by `delayMs`, in order: clients match replies to requests by order.
    const held: { at: number; chunk: Buffer }[] = []
    let timer: NodeJS.Timeout | undefined
    const drain = (): void => {
      timer = undefined
      const now = Date.now()
      while (held.length > 0 && (held[0] as { at: number }).at <= now)
        client.write((held.shift() as { chunk: Buffer }).chunk)
      if (held.length > 0) timer = setTimeout(drain, (held[0] as { at: number }).at - now)
    }
    upstream.on('data', (chunk: Buffer) => {
      if (this.#mode !== 'open') return
      const now = Date.now()
      const at = Math.max(now + this.delayMs, held.at(-1)?.at ?? 0)
      if (held.length === 0 && at <= now) {
        client.write(chunk)
        return
      }
      held.push({ at, chunk })
      timer ??= setTimeout(drain, at - now)
    })
    const close = (): void => {
      if (timer !== undefined) clearTimeout(timer)
      held.length = 0
      client.destroy()
      upstream.destroy()
      this.#sockets.delete(client)
      this.#sockets.delete(upstream)
    }
    upstream.on('error', close)
    client.on('close', close)
    upstream.on('close', close)
  }
}
