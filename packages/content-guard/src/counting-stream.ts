import { Transform, type TransformCallback } from 'node:stream'
import { RefusalError } from '@rampart/core'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { tooLargeChannel } from './diagnostics.js'
import { TOO_LARGE } from './errors.js'

const CLOSE: Readonly<Record<string, string>> = Object.freeze({ connection: 'close' })

/** `Connection: close` for an HTTP/1 request whose body is left unread; nothing for HTTP/2. */
export function closeHeaders(request: FastifyRequest): Readonly<Record<string, string>> | undefined {
  return request.raw.httpVersionMajor === 1 ? CLOSE : undefined
}

function ignore(): void {}

/** Sends the refusal when the body's consumer did not pass the stream's error on to Fastify. */
function refuseIfUnanswered(reply: FastifyReply, error: RefusalError): void {
  if (!reply.sent) reply.send(error)
}

/**
 * The request body as the parser reads it, counted: the chunk that passes the limit is not passed
 * on, the stream fails with a 413 `RefusalError` instead (sent as problem+json by core's
 * `problemErrorHandler`). One addition and one comparison per chunk.
 */
export class CountingStream extends Transform {
  readonly #source: NodeJS.ReadableStream & { receivedEncodedLength?: unknown }
  readonly #request: FastifyRequest
  readonly #reply: FastifyReply
  readonly #limit: number
  #received = 0

  constructor(source: NodeJS.ReadableStream, request: FastifyRequest, reply: FastifyReply, limit: number) {
    super()
    this.#source = source
    this.#request = request
    this.#reply = reply
    this.#limit = limit
    // A custom parser that listens for no 'error' must not crash the process.
    this.on('error', ignore)
    // `pipe` does not pass the source's errors on (an aborted upload): do it, or the parser waits forever.
    source.on('error', this.#forward)
    source.pipe(this)
  }

  readonly #forward = (error: Error): void => {
    this.destroy(error)
  }

  /**
   * The bytes that came over the wire, which Fastify checks against `Content-Length`: those of the
   * stream this one wraps when it is a decoding one (a decompressing preParsing hook sets it), else
   * the bytes counted here.
   */
  get receivedEncodedLength(): number {
    const encoded = this.#source.receivedEncodedLength
    return typeof encoded === 'number' ? encoded : this.#received
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    const received = this.#received + chunk.length
    this.#received = received
    if (received > this.#limit) callback(this.#refuse(received))
    else callback(null, chunk)
  }

  #refuse(received: number): RefusalError {
    const request = this.#request
    const limit = this.#limit
    if (tooLargeChannel.hasSubscribers) tooLargeChannel.publish({ request, limit, received, source: 'stream' })
    const error = new RefusalError(TOO_LARGE, {
      detail: `The request body exceeds the limit of ${limit} bytes.`,
      extensions: { limit },
      headers: closeHeaders(request),
    })
    setImmediate(refuseIfUnanswered, this.#reply, error)
    return error
  }
}
