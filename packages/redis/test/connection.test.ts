import { Redis } from 'ioredis'
import t from 'tap'
import { RedisConnection, resolveRedisConnectionOptions } from '../src/index.js'

const URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'

t.test('a URL gives an owned client that close() quits', async (t) => {
  const connection = new RedisConnection(resolveRedisConnectionOptions('demo', 'redis', URL))
  t.equal(connection.owned, true)
  t.equal(await connection.client.ping(), 'PONG')
  await connection.close()
  t.equal(connection.client.status, 'end')
})

t.test('a given client is used and never closed', async (t) => {
  const client = new Redis(URL)
  t.teardown(() => client.quit())
  const connection = new RedisConnection(resolveRedisConnectionOptions('demo', 'redis', { client }))
  t.equal(connection.owned, false)
  t.equal(connection.client, client)
  await connection.close()
  t.equal(await client.ping(), 'PONG')
})

t.test('close() returns at once while Redis is unreachable', async (t) => {
  // Port 1 refuses connections: the client stays in connecting/reconnecting.
  const connection = new RedisConnection(
    resolveRedisConnectionOptions('demo', 'redis', { url: 'redis://127.0.0.1:1', commandTimeout: 50 }),
  )
  await t.rejects(connection.client.get('x'))
  const started = Date.now()
  await connection.close()
  t.ok(Date.now() - started < 1000)
})

t.test('bad options fail with the calling package code naming the option', async (t) => {
  t.throws(() => resolveRedisConnectionOptions('demo', 'redis', {}), {
    code: 'RAMPART_DEMO_INVALID_OPTION',
    message: /redis/,
  })
  t.throws(() => resolveRedisConnectionOptions('demo', 'redis', { url: 'http://x' }), { message: /redis\.url/ })
  t.throws(() => resolveRedisConnectionOptions('demo', 'redis', { url: URL, commandTimeout: 0 }), {
    message: /redis\.commandTimeout/,
  })
  t.throws(() => resolveRedisConnectionOptions('demo', 'redis', { client: {} }), { message: /redis\.client/ })
  t.throws(() => resolveRedisConnectionOptions('demo', 'redis', { url: URL, extra: 1 }), { message: /extra/ })
})

t.test('after the first connection, a command made while Redis is away fails at once and is never sent', async (t) => {
  const admin = new Redis(URL)
  t.teardown(() => admin.quit())
  const key = `rampart:redis-test:${process.pid}:offline`
  await admin.del(key)
  const connection = new RedisConnection(
    resolveRedisConnectionOptions('demo', 'redis', { url: URL, commandTimeout: 500 }),
  )
  t.teardown(() => connection.close())
  const client = connection.client
  t.equal(await client.ping(), 'PONG', 'connected')
  const id = await client.client('ID')
  const dropped = new Promise((resolve) => client.once('close', resolve))
  await admin.client('KILL', 'ID', String(id))
  await dropped

  const started = Date.now()
  await t.rejects(client.set(key, 'late'), /enableOfflineQueue/, 'refused while disconnected')
  t.ok(Date.now() - started < 100, 'without waiting for the command timeout')

  await new Promise((resolve) => client.once('ready', resolve))
  t.equal(await client.ping(), 'PONG', 'reconnected by itself')
  t.equal(await admin.get(key), null, 'the refused command was not sent on reconnection')
})

t.test('commands made before the first connection wait for it', async (t) => {
  const connection = new RedisConnection(resolveRedisConnectionOptions('demo', 'redis', URL))
  t.teardown(() => connection.close())
  t.not(connection.client.status, 'ready', 'still connecting')
  t.equal(await connection.client.ping(), 'PONG')
})
