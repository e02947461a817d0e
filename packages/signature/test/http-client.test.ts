import { createHash, randomBytes } from 'node:crypto'
import { connect } from 'node:net'
import { Readable } from 'node:stream'
import t from 'tap'
import { request } from 'undici'
import { signRequest } from '../src/index.js'
import { buildApp, KEY_ID, SECRET } from './fixtures/helpers.js'

async function listening(t: Parameters<typeof buildApp>[0]) {
  const app = await buildApp(t, {}, (app) => {
    app.get('/api/files/:name', async (request) => ({ params: request.params, query: request.query }))
  })
  return app.listen({ host: '127.0.0.1', port: 0 })
}

t.test('signRequest headers work with fetch over real HTTP', async (t) => {
  const origin = await listening(t)
  const url = `${origin}/api/echo?b=2&a=1`
  const body = JSON.stringify({ amount: 42 })
  const headers = signRequest({ keyId: KEY_ID, secret: SECRET, method: 'POST', url, body })
  const response = await fetch(url, {
    method: 'POST',
    body,
    headers: { ...headers, 'content-type': 'application/json' },
  })
  t.equal(response.status, 200)
  t.same(await response.json(), { received: { amount: 42 }, keyId: KEY_ID })
  const replay = await fetch(url, { method: 'POST', body, headers: { ...headers, 'content-type': 'application/json' } })
  t.equal(replay.status, 401)
  t.equal(((await replay.json()) as { code: string }).code, 'RAMPART_SIGNATURE_REPLAYED')
})

t.test('the path signed is the path fetch sends (dot segments, spaces, non-ASCII)', async (t) => {
  const origin = await listening(t)
  for (const path of [
    '/api/files/a b.txt?x=1 2',
    '/api/x/../files/r%C3%A9sum%C3%A9?q=é',
    '/api/files/caf\u00e9?sort=b&sort=a',
  ]) {
    const url = `${origin}${path}`
    const headers = signRequest({ keyId: KEY_ID, secret: SECRET, method: 'GET', url })
    const response = await fetch(url, { headers })
    t.equal(response.status, 200, path)
  }
})

t.test('a binary body streamed with chunked encoding through undici', async (t) => {
  const origin = await listening(t)
  const chunks = [randomBytes(20_000), randomBytes(1), randomBytes(70_000)]
  const whole = Buffer.concat(chunks)
  const url = `${origin}/api/binary`
  const headers = signRequest({ keyId: KEY_ID, secret: SECRET, method: 'POST', url, body: whole })
  const response = await request(url, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/octet-stream' },
    body: Readable.from(chunks),
  })
  t.equal(response.statusCode, 200)
  t.same(await response.body.json(), { length: whole.length, sha256: createHash('sha256').update(whole).digest('hex') })
  const bodySha256 = createHash('sha256').update(whole).digest('hex')
  const prehashed = signRequest({ keyId: KEY_ID, secret: SECRET, method: 'POST', url, bodySha256 })
  const again = await request(url, {
    method: 'POST',
    headers: { ...prehashed, 'content-type': 'application/octet-stream' },
    body: Readable.from(chunks),
  })
  t.equal(again.statusCode, 200, 'bodySha256 for a body the client streams')
  await again.body.dump()
})

function rawRequest(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.end(text))
    let answer = ''
    socket.on('data', (chunk) => (answer += chunk))
    socket.on('end', () => resolve(answer))
    socket.on('error', reject)
  })
}

t.test('a raw "#" in a signed request target is refused', async (t) => {
  const origin = await listening(t)
  const port = Number(new URL(origin).port)
  const headers = signRequest({ keyId: KEY_ID, secret: SECRET, method: 'GET', url: '/api/items' })
  const lines = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`)
  const plain = await rawRequest(
    port,
    `GET /api/items HTTP/1.1\r\nhost: x\r\nconnection: close\r\n${lines.join('')}\r\n`,
  )
  t.match(plain, /^HTTP\/1\.1 200/)
  const fresh = signRequest({ keyId: KEY_ID, secret: SECRET, method: 'GET', url: '/api/items#x' })
  const fragment = Object.entries(fresh).map(([name, value]) => `${name}: ${value}\r\n`)
  const answer = await rawRequest(
    port,
    `GET /api/items#x HTTP/1.1\r\nhost: x\r\nconnection: close\r\n${fragment.join('')}\r\n`,
  )
  t.match(answer, /^HTTP\/1\.1 401/)
  t.match(answer, /RAMPART_SIGNATURE_INVALID/)
  t.match(answer, /path must not contain \\"#\\"/)
})
