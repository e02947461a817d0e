import { randomBytes } from 'node:crypto'
import { Redis } from 'ioredis'
import pg from 'pg'

/** The shared Redis and PostgreSQL of the machine (never stopped by the suite). */
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'
export const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'

/** A Redis key prefix of this run: `rampart-reliability:<name>:<pid>:<random>:`. */
export function randomPrefix(name: string): string {
  return `rampart-reliability:${name}:${process.pid}:${randomBytes(4).toString('hex')}:`
}

/** A PostgreSQL schema name of this run. */
export function randomSchema(name: string): string {
  return `rampart_rel_${name}_${process.pid}_${randomBytes(3).toString('hex')}`
}

/** An admin Redis client, straight to the server (not through a proxy). */
export function redisAdmin(): Redis {
  return new Redis(REDIS_URL, { lazyConnect: false, maxRetriesPerRequest: 1 })
}

/** Deletes every key under `prefix` (SCAN, never KEYS on the shared server). */
export async function deleteKeys(redis: Redis, prefix: string): Promise<number> {
  let cursor = '0'
  let deleted = 0
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500)
    cursor = next
    if (keys.length > 0) deleted += await redis.del(...keys)
  } while (cursor !== '0')
  return deleted
}

/** Counts the keys under `prefix`. */
export async function countKeys(redis: Redis, prefix: string): Promise<number> {
  let cursor = '0'
  let count = 0
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500)
    cursor = next
    count += keys.length
  } while (cursor !== '0')
  return count
}

/** A pool straight to PostgreSQL (not through a proxy), for setup and checks. */
export function postgresAdmin(): pg.Pool {
  return new pg.Pool({ connectionString: DATABASE_URL, max: 2 })
}
