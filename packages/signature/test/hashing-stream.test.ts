import { createHash } from 'node:crypto'
import { once } from 'node:events'
import { PassThrough } from 'node:stream'
import t from 'tap'
import { HashingStream } from '../src/index.js'

t.test('hashes what passes, unchanged, and only reads the source once read itself', async (t) => {
  const source = new PassThrough()
  const stream = new HashingStream(source)
  source.end('hello, world')
  await new Promise((resolve) => setImmediate(resolve))
  t.equal(source.readableFlowing, null, 'nothing read until the parser reads')
  const chunks: Buffer[] = []
  stream.on('data', (chunk: Buffer) => chunks.push(chunk))
  await once(stream, 'end')
  t.equal(Buffer.concat(chunks).toString(), 'hello, world')
  t.equal(stream.digest, createHash('sha256').update('hello, world').digest('hex'))
  t.equal(stream.receivedEncodedLength, 12)
})

t.test('passes on the wire length a decoding source reports', async (t) => {
  const source = Object.assign(new PassThrough(), { receivedEncodedLength: 5 })
  const stream = new HashingStream(source)
  t.equal(stream.receivedEncodedLength, 5)
})

t.test("the source's errors (an aborted upload) reach the parser", async (t) => {
  const source = new PassThrough()
  const stream = new HashingStream(source)
  stream.resume()
  await new Promise((resolve) => setImmediate(resolve))
  const failed = once(stream, 'error')
  source.destroy(new Error('aborted'))
  const [error] = await failed
  t.equal((error as Error).message, 'aborted')
  t.equal(stream.digest, undefined, 'no digest for a body that did not arrive whole')
})
