import t from 'tap'
import { type InvalidContentLengthEvent, invalidContentLengthChannel } from '../src/index.js'
import { build, listen, rawRequest } from './fixtures/app.js'

t.test('a Content-Length that is not 1*DIGIT is 400 problem+json, never a crash', async (t) => {
  const app = await build()
  const events: InvalidContentLengthEvent[] = []
  t.teardown(invalidContentLengthChannel.subscribe((event) => events.push(event)))
  const values = ['abc', '-1', '1e3', ' 12 ', '12 ', '', '+5', '0x10', '1.0', '5, 5', '5,6', '١٢', '12abc']
  for (const value of values) {
    const response = await app.inject({
      method: 'POST',
      url: '/x',
      headers: { 'content-type': 'text/plain', 'content-length': value },
      payload: 'hello',
    })
    t.equal(response.statusCode, 400, JSON.stringify(value))
    t.match(response.headers['content-type'], /^application\/problem\+json/)
    t.equal(response.json().code, 'RAMPART_CONTENT_GUARD_INVALID_CONTENT_LENGTH', JSON.stringify(value))
    t.equal(response.headers.connection, 'close', 'the framing is unknown: the connection cannot be reused')
  }
  t.same(
    events.map((event) => [event.value, event.reason]),
    values.map((value) => [value, 'malformed']),
  )
})

t.test('Content-Length with Transfer-Encoding is 400 (request smuggling shape)', async (t) => {
  const app = await build()
  const events: InvalidContentLengthEvent[] = []
  t.teardown(invalidContentLengthChannel.subscribe((event) => events.push(event)))
  const response = await app.inject({
    method: 'POST',
    url: '/x',
    headers: { 'content-type': 'text/plain', 'content-length': '5', 'transfer-encoding': 'chunked' },
    payload: 'hello',
  })
  t.equal(response.statusCode, 400)
  t.equal(response.json().code, 'RAMPART_CONTENT_GUARD_INVALID_CONTENT_LENGTH')
  t.same(
    events.map((event) => event.reason),
    ['with-transfer-encoding'],
  )
})

t.test('valid values: leading zeros, zero, and values past 2^53 (too large, not invalid)', async (t) => {
  const app = await build()
  const send = (value: string, payload: string) =>
    app.inject({
      method: 'POST',
      url: '/x',
      headers: { 'content-type': 'text/plain', 'content-length': value },
      payload,
    })
  t.same((await send('005', 'hello')).json(), { size: 5 })
  t.equal((await send('0', '')).statusCode, 200)
  const huge = await send('99999999999999999999999999', 'hello')
  t.same([huge.statusCode, huge.json().code], [413, 'RAMPART_CONTENT_GUARD_TOO_LARGE'])
})

t.test('real socket: Node refuses malformed and conflicting lengths itself, and the server lives on', async (t) => {
  const app = await build()
  t.teardown(() => app.close())
  const port = await listen(app)
  const heads = [
    'Content-Length: abc\r\n',
    'Content-Length: -1\r\n',
    'Content-Length: 1e3\r\n',
    'Content-Length: 5\r\nContent-Length: 6\r\n',
    'Content-Length: 5, 6\r\n',
    'Content-Length: 5\r\nTransfer-Encoding: chunked\r\n',
  ]
  for (const head of heads) {
    const response = await rawRequest(port, [
      `POST /x HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\n${head}\r\nhello`,
    ])
    t.equal(response.status, 400, JSON.stringify(head))
  }
  const fine = await rawRequest(port, [
    'POST /x HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello',
  ])
  t.same([fine.status, JSON.parse(fine.body)], [200, { size: 5 }])
})

t.test('skipped methods are not length-checked', async (t) => {
  const app = await build()
  const response = await app.inject({ method: 'GET', url: '/x', headers: { 'content-length': 'abc' } })
  t.equal(response.statusCode, 200)
})
