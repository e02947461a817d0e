import { OptionValidator } from '@rampart/core'
import type { Cluster, Redis } from 'ioredis'

/** An ioredis client: a standalone `Redis` or a `Cluster`. */
export type RedisClient = Redis | Cluster

/** Where a plugin's Redis comes from: your client (never closed by Rampart) or a URL (owned and closed). */
export interface RedisConnectionOptions {
  /** An ioredis client, e.g. `fastify.redis`. Yours: Rampart never closes it. Give this or `url`. */
  client?: RedisClient
  /** A Redis URL (`redis://host:6379/0`); the connection then owns its client and `close()` quits it. */
  url?: string
  /** Command timeout in ms of a client created from `url`, so a hung Redis fails fast. Default 250. */
  commandTimeout?: number
}

export const DEFAULTS = Object.freeze({ commandTimeout: 250 })

/** True for an ioredis client, or anything shaped like one (another copy of ioredis). */
export function isRedisClient(value: unknown): value is RedisClient {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { status?: unknown }).status === 'string' &&
    typeof (value as { defineCommand?: unknown }).defineCommand === 'function'
  )
}

export interface ResolvedRedisConnectionOptions {
  readonly client: RedisClient | undefined
  readonly url: string | undefined
  readonly commandTimeout: number
}

/**
 * Validates `options` as the `option` key of package `packageName`'s options, so a bad value
 * fails register with that package's code (`RAMPART_<PACKAGE>_INVALID_OPTION`) naming e.g. `redis.url`.
 */
export function resolveRedisConnectionOptions(
  packageName: string,
  option: string,
  options: unknown,
): ResolvedRedisConnectionOptions {
  const validate = new OptionValidator(packageName)
  const at = (key: string) => (option === '' ? key : `${option}.${key}`)
  if (typeof options === 'string') return resolveRedisConnectionOptions(packageName, option, { url: options })
  if (isRedisClient(options)) return resolveRedisConnectionOptions(packageName, option, { client: options })
  const given = validate.object(option, options)
  validate.knownKeys(option, given, ['client', 'url', 'commandTimeout'])
  if (given.client !== undefined && given.url !== undefined) validate.fail(option, 'takes `client` or `url`, not both')
  if (given.client === undefined && given.url === undefined) validate.fail(option, 'needs `client` or `url`')
  if (given.client !== undefined && !isRedisClient(given.client)) {
    validate.fail(at('client'), 'must be an ioredis client (Redis or Cluster)')
  }
  let url: string | undefined
  if (given.url !== undefined) {
    url = validate.string(at('url'), given.url, { pattern: /^rediss?:\/\/\S+$/ })
  }
  const commandTimeout = validate.integer(at('commandTimeout'), given.commandTimeout ?? DEFAULTS.commandTimeout, {
    min: 1,
    max: 60_000,
  })
  return Object.freeze({ client: given.client as RedisClient | undefined, url, commandTimeout })
}
