export { closeRedisClient, RedisConnection } from './connection.js'
export { PACKAGE } from './errors.js'
export {
  DEFAULTS,
  isRedisClient,
  type RedisClient,
  type RedisConnectionOptions,
  type ResolvedRedisConnectionOptions,
  resolveRedisConnectionOptions,
} from './options.js'
