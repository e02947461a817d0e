import type { OptionValidator } from '@rampart/core'
import type { FastifyInstance } from 'fastify'
import { RedisStore } from './stores/redis-store.js'
import {
  isRedisClient,
  type RedisClient,
  type RedisStoreOptions,
  resolveRedisStoreOptions,
} from './stores/redis-store-options.js'

/** `redis: { ... }`: the store's options, plus the @fastify/redis namespace to take the client from. */
export interface RedisOption extends RedisStoreOptions {
  /** Use `fastify.redis[namespace]` (a client registered with @fastify/redis's `namespace`). */
  namespace?: string
}

/**
 * The plugin's `redis` option:
 * - `true`: `fastify.redis` (register @fastify/redis first);
 * - `'name'`: `fastify.redis.name` (a @fastify/redis namespace);
 * - `'redis://...'` / `'rediss://...'`: a URL (the store creates and closes its client);
 * - an ioredis `Redis` or `Cluster`;
 * - `RedisOption`: all of the above (`namespace`, `client` or `url`; none of them: `fastify.redis`)
 *   with the store's options.
 */
export type RedisOptionValue = true | string | RedisClient | RedisOption

const URL_PREFIX = /^rediss?:\/\//
const NAMESPACE_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/

/**
 * @fastify/redis is an optional peer, so the plugin's metadata cannot declare it (`dependencies`
 * would make it mandatory): it is looked up here, at register, and its absence is an error naming
 * what to do, not a silent fallback to memory.
 */
function fastifyRedis(validate: OptionValidator, fastify: FastifyInstance, namespace: string | undefined): RedisClient {
  const option = namespace === undefined ? 'redis' : 'redis.namespace'
  if (!fastify.hasDecorator('redis')) {
    validate.fail(
      option,
      'uses fastify.redis, but @fastify/redis is not registered: register it before @rampart/rate-limit, or pass `redis` a client or a URL',
    )
  }
  const redis = (fastify as unknown as { redis: unknown }).redis
  if (namespace === undefined) {
    if (!isRedisClient(redis)) {
      const names = Object.keys(redis as object).join(', ')
      validate.fail(option, `is true, but @fastify/redis has only namespaced clients (${names}): name one`)
    }
    return redis
  }
  const named = (redis as Record<string, unknown>)[namespace]
  if (!isRedisClient(named)) {
    const names = Object.keys(redis as object).filter((name) => isRedisClient((redis as Record<string, unknown>)[name]))
    validate.fail(
      option,
      `names a @fastify/redis namespace that is not registered (registered: ${names.join(', ')})`,
      namespace,
    )
  }
  return named
}

/** Builds the store the `redis` option describes. */
export function redisStore(
  validate: OptionValidator,
  fastify: FastifyInstance | undefined,
  value: unknown,
  defaults: Pick<RedisStoreOptions, 'log'>,
): RedisStore {
  let options: RedisOption
  if (value === true) options = {}
  else if (typeof value === 'string') options = URL_PREFIX.test(value) ? { url: value } : { namespace: value }
  else if (isRedisClient(value)) options = { client: value }
  else options = { ...validate.object('redis', value) }
  const { namespace, ...storeOptions } = options
  if (namespace !== undefined) validate.string('redis.namespace', namespace, { pattern: NAMESPACE_PATTERN })
  if (storeOptions.client === undefined && storeOptions.url === undefined) {
    if (fastify === undefined) validate.fail('redis', 'needs the Fastify instance to find fastify.redis')
    storeOptions.client = fastifyRedis(validate, fastify, namespace)
  } else if (namespace !== undefined) {
    validate.fail('redis.namespace', 'cannot be combined with `client` or `url`')
  }
  const resolved: RedisStoreOptions = { log: defaults.log, ...storeOptions }
  // Validated here first so that errors name the plugin's options (`redis.timeout`).
  resolveRedisStoreOptions(validate, resolved, 'redis.')
  return new RedisStore(resolved)
}
