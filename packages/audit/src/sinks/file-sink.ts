import { type FileHandle, mkdir, open } from 'node:fs/promises'
import { dirname } from 'node:path'
import type { FastifyBaseLogger } from 'fastify'
import type { BatchWriter, RejectedRecord } from '../buffer.js'
import { HASH_PATTERN, recordHash, sha256 } from '../hash-chain.js'
import type { AuditRecord } from '../record.js'

export interface FileSinkSettings {
  /** Absolute path of the JSON-lines file. */
  readonly path: string
  /** `fdatasync` after every batch. */
  readonly sync: boolean
}

/** One line of the file: the record, the previous line's hash (`null` on the first line) and its own. */
export type ChainedRecord = AuditRecord & { readonly prev_hash: string | null; readonly hash: string }

const TAIL_CHUNK = 64 * 1024
const MAX_LINE = 16 * 1024 * 1024
const NONE_REJECTED: readonly RejectedRecord[] = Object.freeze([])

/** The end of a file: its last line (without the newline) and whether the file ends with one. */
export interface FileTail {
  readonly line: string | null
  readonly endsWithNewline: boolean
}

/** Reads the last line of a file backwards, chunk by chunk; `line: null` for a missing or empty file. */
export async function readLastLine(path: string): Promise<FileTail> {
  let handle: FileHandle
  try {
    handle = await open(path, 'r')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { line: null, endsWithNewline: true }
    throw error
  }
  try {
    const { size } = await handle.stat()
    if (size === 0) return { line: null, endsWithNewline: true }
    const chunks: Buffer[] = []
    let end = size
    let endsWithNewline = false
    let first = true
    while (end > 0) {
      const start = Math.max(0, end - TAIL_CHUNK)
      const chunk = Buffer.alloc(end - start)
      await handle.read(chunk, 0, chunk.length, start)
      let search = chunk
      if (first) {
        first = false
        if (chunk[chunk.length - 1] === 0x0a) {
          endsWithNewline = true
          search = chunk.subarray(0, chunk.length - 1)
        }
      }
      const newline = search.lastIndexOf(0x0a)
      if (newline !== -1) {
        chunks.unshift(search.subarray(newline + 1))
        break
      }
      chunks.unshift(search)
      end = start
      if (size - end > MAX_LINE) throw new Error(`the last line of ${path} is longer than ${MAX_LINE} bytes`)
    }
    return { line: Buffer.concat(chunks).toString('utf8'), endsWithNewline }
  } finally {
    await handle.close()
  }
}

/**
 * The JSON-lines sink: one record per line, appended through one file handle, each line carrying
 * the hash of the line before (`prev_hash`) and its own (`hash`, see `recordHash`). At open the
 * last line is read, so the chain continues across restarts. One process writes one file.
 */
export class FileWriter implements BatchWriter {
  readonly type = 'file' as const
  readonly #settings: FileSinkSettings
  readonly #log: FastifyBaseLogger
  #handle: FileHandle | null = null
  #lastHash: string | null = null
  #records = 0

  constructor(settings: FileSinkSettings, log: FastifyBaseLogger) {
    this.#settings = settings
    this.#log = log
  }

  /** Opens the file (creating it and its directory, mode 0600) and reads the chain's last hash. */
  async open(): Promise<void> {
    if (this.#handle !== null) return
    const path = this.#settings.path
    await mkdir(dirname(path), { recursive: true })
    const tail = await readLastLine(path)
    this.#lastHash = this.#hashOf(tail.line)
    const handle = await open(path, 'a', 0o600)
    try {
      // A crash mid-line left a partial record: later records start on a line of their own.
      if (!tail.endsWithNewline) await handle.appendFile('\n')
    } catch (error) {
      await handle.close().catch(() => {})
      throw error
    }
    this.#handle = handle
  }

  async write(batch: readonly AuditRecord[]): Promise<readonly RejectedRecord[]> {
    if (this.#handle === null) await this.open()
    const handle = this.#handle as FileHandle
    let previous = this.#lastHash
    let text = ''
    for (const record of batch) {
      const chained: Record<string, unknown> = { ...record, prev_hash: previous }
      const hash = recordHash(chained)
      chained.hash = hash
      text += `${JSON.stringify(chained)}\n`
      previous = hash
    }
    try {
      await handle.appendFile(text)
      if (this.#settings.sync) await handle.datasync()
    } catch (error) {
      // Part of the batch may be on disk: reopen and re-read the last line before the next try.
      this.#handle = null
      await handle.close().catch(() => {})
      throw error
    }
    this.#lastHash = previous
    this.#records += batch.length
    return NONE_REJECTED
  }

  async close(): Promise<void> {
    const handle = this.#handle
    this.#handle = null
    if (handle !== null) await handle.close()
  }

  describe(): Readonly<Record<string, unknown>> {
    return { path: this.#settings.path, lastHash: this.#lastHash, written: this.#records }
  }

  /** The hash the next record chains to, from the file's last line. */
  #hashOf(line: string | null): string | null {
    if (line === null || line.length === 0) return null
    let parsed: unknown
    try {
      parsed = JSON.parse(line)
    } catch {
      parsed = undefined
    }
    const hash = (parsed as { hash?: unknown } | undefined)?.hash
    if (typeof hash === 'string' && HASH_PATTERN.test(hash)) {
      if (recordHash(parsed as Record<string, unknown>) !== hash) {
        this.#log.error(
          { path: this.#settings.path },
          'audit: the last record of the audit file does not match its hash; run rampart-audit-verify',
        )
      }
      return hash
    }
    // Not a record (a partial write, or tampering): chain to its bytes; verify reports the line.
    this.#log.error(
      { path: this.#settings.path },
      'audit: the last line of the audit file is not a valid record; run rampart-audit-verify',
    )
    return sha256(line)
  }
}
