import { once } from 'node:events'
import { Redis } from 'ioredis'
import type { RedisClient, ResolvedRedisConnectionOptions } from './options.js'

/**
 * A plugin's handle on Redis. Built from a client you own (never closed here) or from a URL (a
 * client created with a command timeout, auto-pipelining and one retry, closed by `close()`).
 */
export class RedisConnection {
  readonly client: RedisClient
  readonly owned: boolean

  constructor(options: ResolvedRedisConnectionOptions) {
    if (options.client !== undefined) {
      this.client = options.client
      this.owned = false
      return
    }
    if (options.url === undefined) throw new TypeError('RedisConnection: `client` or `url` is required')
    const client = new Redis(options.url, {
      commandTimeout: options.commandTimeout,
      maxRetriesPerRequest: 1,
      enableAutoPipelining: true,
      connectTimeout: 1000,
      retryStrategy: (times) => Math.min(times * 100, 1000),
      // A command in flight when the connection drops has been answered (failed) already.
      autoResendUnfulfilledCommands: false,
    })
    // Commands made before the first connection wait for it (a plugin's start-up reads); after it,
    // a command made while Redis is away fails at once instead of waiting in the offline queue and
    // being sent on reconnection, long after its caller was answered (reliability found-4).
    client.once('ready', () => {
      client.options.enableOfflineQueue = false
    })
    // An owned client's connection errors surface on the commands that fail; without a listener
    // ioredis would print every reconnect attempt as an unhandled 'error'.
    client.on('error', () => {})
    this.client = client
    this.owned = true
  }

  /** Quits the client if this connection created it; a client you gave stays open. Never hangs. */
  async close(): Promise<void> {
    if (!this.owned) return
    await closeRedisClient(this.client)
  }
}

/** Closes an ioredis client without waiting forever when Redis is down or slow. */
export async function closeRedisClient(client: RedisClient, quitTimeoutMs = 1000): Promise<void> {
  if (client.status === 'end') return
  if (client.status !== 'ready') {
    // Not connected (connecting, reconnecting, closed between attempts): `quit` would wait in the
    // offline queue, and 'end' is not always emitted from these states, so just stop.
    client.disconnect()
    return
  }
  let timer: NodeJS.Timeout | undefined
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error('quit timed out')), quitTimeoutMs)
    timer.unref()
  })
  try {
    await Promise.race([client.quit(), deadline])
    // 'end' follows the reply to QUIT once the socket has closed: wait for it, within the deadline.
    if ((client.status as string) !== 'end') await Promise.race([once(client, 'end'), deadline])
  } catch {
    client.disconnect()
  } finally {
    clearTimeout(timer)
  }
}
