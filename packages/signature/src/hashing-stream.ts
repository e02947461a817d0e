import { createHash, type Hash } from 'node:crypto'
import { Transform, type TransformCallback } from 'node:stream'

function ignore(): void {}

type Source = NodeJS.ReadableStream & { receivedEncodedLength?: unknown }

/**
 * The request body as the route's parser reads it, hashed on the way: every chunk updates a
 * SHA-256 and passes on unchanged, so parsing, streaming and `bodyLimit` work as without it. The
 * source is only piped in when the parser starts reading; a body nobody reads is left to Node,
 * which discards it. `digest` is set once the whole body went through.
 */
export class HashingStream extends Transform {
  readonly #source: Source
  readonly #hash: Hash = createHash('sha256')
  #started = false
  #received = 0
  /** Lower-case hex SHA-256 of the body, once it has been read to its end; `undefined` until then. */
  digest: string | undefined = undefined

  constructor(source: NodeJS.ReadableStream) {
    super()
    this.#source = source
    // A custom parser that listens for no 'error' must not crash the process.
    this.on('error', ignore)
  }

  /**
   * The bytes that came over the wire, which Fastify compares with `Content-Length`: those of the
   * stream this one wraps when it reports them (a decompressing or counting preParsing stream),
   * else the bytes hashed here.
   */
  get receivedEncodedLength(): number {
    const encoded = this.#source.receivedEncodedLength
    return typeof encoded === 'number' ? encoded : this.#received
  }

  override _read(size: number): void {
    if (!this.#started) {
      this.#started = true
      // `pipe` does not pass the source's errors on (an aborted upload): do it, or the parser waits forever.
      this.#source.on('error', this.#forward)
      this.#source.pipe(this)
    }
    super._read(size)
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.#received += chunk.length
    this.#hash.update(chunk)
    callback(null, chunk)
  }

  override _flush(callback: TransformCallback): void {
    this.digest = this.#hash.digest('hex')
    callback()
  }

  readonly #forward = (error: Error): void => {
    this.destroy(error)
  }
}
