import { connect as connectHttp2 } from 'node:http2'
import { PassThrough, Readable } from 'node:stream'
import { problemRepliesPlugin } from '@rampart/core'
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify'
import t from 'tap'
import rampartContentGuard, { type TooLargeEvent, tooLargeChannel } from '../src/index.js'
import { build, chunk, listen, rawRequest } from './fixtures/app.js'

const LIMITS = { limits: { '/': 1024 } }

/** A body of `count` chunks of `size` bytes, with no length known up front. */
function stream(count: number, size: number): Readable {
  return Readable.from(Array.from({ length: count }, () => Buffer.alloc(size, 'a')))
}

t.test('inject: a streamed body with no Content-Length over the limit is 413', async (t) => {
  const app = await build(LIMITS)
  const events: TooLargeEvent[] = []
  t.teardown(tooLargeChannel.subscribe((event) => events.push(event)))
  const response = await app.inject({
    method: 'POST',
    url: '/x',
    headers: { 'content-type': 'text/plain' },
    payload: stream(4, 500),
  })
  t.equal(response.statusCode, 413)
  t.match(response.headers['content-type'], /^application\/problem\+json/)
  t.match(response.json(), { code: 'RAMPART_CONTENT_GUARD_TOO_LARGE', limit: 1024 })
  t.equal(events.length, 1)
  t.match(events[0], { limit: 1024, received: 1500, source: 'stream' }, 'refused on the chunk that passed the limit')

  const fits = await app.inject({
    method: 'POST',
    url: '/x',
    headers: { 'content-type': 'text/plain' },
    payload: stream(2, 512),
  })
  t.same([fits.statusCode, fits.json()], [200, { size: 1024 }], 'exactly the limit fits')
})

t.test('real socket: a chunked body over the limit is 413, one under it passes', async (t) => {
  const app = await build(LIMITS)
  t.teardown(() => app.close())
  const port = await listen(app)
  const head = 'POST /x HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n'
  const over = await rawRequest(port, [head, chunk('a'.repeat(600)), chunk('b'.repeat(600)), chunk('c'.repeat(600))])
  t.equal(over.status, 413)
  t.match(over.headers['content-type'], /^application\/problem\+json/)
  t.match(JSON.parse(over.body), { code: 'RAMPART_CONTENT_GUARD_TOO_LARGE', limit: 1024 })
  t.equal(over.headers.connection, 'close')

  const fits = await rawRequest(port, [head, chunk('a'.repeat(500)), chunk('b'.repeat(500)), '0\r\n\r\n'])
  t.same([fits.status, JSON.parse(fits.body)], [200, { size: 1000 }])
})

/** Routes whose parsers read the raw stream themselves, the way upload handlers do. */
function streamParsers(handled: string[]) {
  return (app: FastifyInstance) => {
    // Consumes with async iteration: a stream error rejects the promise.
    app.addContentTypeParser(
      'application/octet-stream',
      async (_request: FastifyRequest, payload: NodeJS.ReadableStream) => {
        let size = 0
        for await (const part of payload) size += (part as Buffer).length
        return { size }
      },
    )
    // Listens for 'data' and 'end' only, never for 'error'.
    app.addContentTypeParser('multipart/form-data', (_request, payload, done) => {
      let size = 0
      payload.on('data', (part: Buffer) => {
        size += part.length
      })
      payload.on('end', () => done(null, { size }))
    })
    app.put('/upload', async (request) => {
      handled.push('put')
      return request.body
    })
  }
}

t.test('a custom stream parser cannot read past the limit (inject)', async (t) => {
  const handled: string[] = []
  const app = await build(LIMITS, streamParsers(handled))
  for (const type of ['application/octet-stream', 'multipart/form-data; boundary=x']) {
    const over = await app.inject({
      method: 'PUT',
      url: '/upload',
      headers: { 'content-type': type },
      payload: stream(10, 400),
    })
    t.equal(over.statusCode, 413, type)
    t.equal(over.json().code, 'RAMPART_CONTENT_GUARD_TOO_LARGE', type)
    const fits = await app.inject({
      method: 'PUT',
      url: '/upload',
      headers: { 'content-type': type },
      payload: stream(2, 400),
    })
    t.same([fits.statusCode, fits.json()], [200, { size: 800 }], type)
  }
  t.same(handled, ['put', 'put'], 'the handler never ran for a refused body')
})

t.test('a custom stream parser cannot read past the limit (real socket, chunked)', async (t) => {
  const handled: string[] = []
  const app = await build(LIMITS, streamParsers(handled))
  t.teardown(() => app.close())
  const port = await listen(app)
  for (const type of ['application/octet-stream', 'multipart/form-data; boundary=x']) {
    const head = `PUT /upload HTTP/1.1\r\nHost: x\r\nContent-Type: ${type}\r\nTransfer-Encoding: chunked\r\n\r\n`
    const over = await rawRequest(port, [head, ...Array.from({ length: 10 }, () => chunk('z'.repeat(400)))])
    t.equal(over.status, 413, type)
    t.equal(JSON.parse(over.body).code, 'RAMPART_CONTENT_GUARD_TOO_LARGE', type)
  }
  t.same(handled, [])
})

t.test('an aborted upload reaches a stream parser as an error instead of hanging', async (t) => {
  let settle: (outcome: string) => void = () => {}
  const outcome = new Promise<string>((resolve) => {
    settle = resolve
  })
  const app = await build(LIMITS, (app) => {
    app.addContentTypeParser(
      'application/octet-stream',
      async (_request: FastifyRequest, payload: NodeJS.ReadableStream) => {
        try {
          for await (const _part of payload);
          settle('ended')
        } catch (error) {
          settle(`failed: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`)
          throw error
        }
      },
    )
    app.put('/upload', async () => ({ ok: true }))
  })
  t.teardown(() => app.close())
  const port = await listen(app)
  const { connect } = await import('node:net')
  const socket = connect(port, '127.0.0.1', () => {
    socket.write('PUT /upload HTTP/1.1\r\nHost: x\r\nContent-Type: application/octet-stream\r\n')
    socket.write(`Transfer-Encoding: chunked\r\n\r\n${chunk('abc')}`)
    setTimeout(() => socket.destroy(), 50)
  })
  const timeout = new Promise<string>((resolve) => setTimeout(() => resolve('hung'), 2000).unref())
  t.match(await Promise.race([outcome, timeout]), /^failed/)
})

/** Records, in a preParsing hook registered after the plugin, whether the body stream was wrapped. */
function recordWrapping(app: FastifyInstance, seen: boolean[]): void {
  app.addHook('preParsing', async (request, _reply, payload) => {
    seen.push(payload !== request.raw)
    return payload
  })
}

t.test('only bodies that can run past their checked length are counted', async (t) => {
  const seen: boolean[] = []
  const app = await build(LIMITS, (app) => {
    recordWrapping(app, seen)
    app.route({ method: ['GET', 'POST'], url: '/x', handler: async () => ({ ok: true }) })
  })
  t.teardown(() => app.close())
  const port = await listen(app)
  const requests = [
    'GET /x HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
    'POST /x HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
    'POST /x HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 0\r\nConnection: close\r\n\r\n',
    'POST /x HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabc',
    'POST /x HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n3\r\nabc\r\n0\r\n\r\n',
  ]
  for (const request of requests) t.equal((await rawRequest(port, [request])).status, 200)
  t.same(seen, [false, false, false, false, true], 'Node frames a checked Content-Length; only chunked is counted')

  seen.length = 0
  await app.inject({ method: 'POST', url: '/x', payload: 'abc', headers: { 'content-type': 'text/plain' } })
  await app.inject({ method: 'GET', url: '/x' })
  t.same(seen, [true, false], 'inject does not frame bodies: counted; GET never')
})

t.test('a stream swapped by an earlier hook (decompression) is counted despite Content-Length', async (t) => {
  const inflating = Fastify()
  t.teardown(() => inflating.close())
  await inflating.register(problemRepliesPlugin)
  // Registered before content-guard, so it runs first: each byte becomes ten.
  inflating.addHook('preParsing', async (_request, _reply, payload) => {
    const inflated = Object.assign(new PassThrough(), { receivedEncodedLength: 0 })
    payload.on('data', (part: Buffer) => {
      inflated.receivedEncodedLength += part.length
      inflated.write(Buffer.alloc(part.length * 10, 'a'))
    })
    payload.on('end', () => inflated.end())
    return inflated
  })
  await inflating.register(rampartContentGuard, LIMITS)
  inflating.post('/x', async (request) => ({ size: (request.body as string).length }))
  const port = await listen(inflating)
  const small = await rawRequest(port, [
    'POST /x HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 100\r\nConnection: close\r\n\r\n',
    'a'.repeat(100),
  ])
  t.same([small.status, JSON.parse(small.body)], [200, { size: 1000 }])
  const big = await rawRequest(port, [
    'POST /x HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 200\r\nConnection: close\r\n\r\n',
    'a'.repeat(200),
  ])
  t.equal(big.status, 413)
  t.equal(JSON.parse(big.body).code, 'RAMPART_CONTENT_GUARD_TOO_LARGE')
})

t.test('HTTP/2: a body with no Content-Length is counted; a declared one is checked up front', async (t) => {
  const app = await build(LIMITS, undefined, { http2: true })
  t.teardown(() => app.close())
  const port = await listen(app)
  const client = connectHttp2(`http://127.0.0.1:${port}`)
  t.teardown(() => client.close())
  const send = (headers: Record<string, string>, parts: readonly Buffer[]) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const stream = client.request({ ':method': 'POST', ':path': '/x', 'content-type': 'text/plain', ...headers })
      let status = 0
      let body = ''
      stream.on('response', (response) => {
        status = Number(response[':status'])
      })
      stream.setEncoding('utf8')
      stream.on('data', (text: string) => {
        body += text
      })
      stream.on('end', () => resolve({ status, body }))
      stream.on('error', reject)
      for (const part of parts) stream.write(part)
      stream.end()
    })
  const streamed = await send({}, [Buffer.alloc(600), Buffer.alloc(600)])
  t.same([streamed.status, JSON.parse(streamed.body).limit], [413, 1024])
  t.equal(JSON.parse(streamed.body).code, 'RAMPART_CONTENT_GUARD_TOO_LARGE')
  const declared = await send({ 'content-length': '2000' }, [Buffer.alloc(2000)])
  t.same([declared.status, JSON.parse(declared.body).limit], [413, 1024])
  const fits = await send({}, [Buffer.alloc(500), Buffer.alloc(500)])
  t.same([fits.status, JSON.parse(fits.body)], [200, { size: 1000 }])
})
