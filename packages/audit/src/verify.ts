import { createReadStream } from 'node:fs'
import { createInterface } from 'node:readline'
import { HASH_PATTERN, recordHash } from './hash-chain.js'

/** The chain is intact. */
export interface VerifyIntact {
  readonly ok: true
  /** Records checked. */
  readonly records: number
  /** Hash of the last record (`null` for an empty file): keep it elsewhere to detect a cut-off tail later. */
  readonly lastHash: string | null
}

/** The chain breaks at `line`. */
export interface VerifyBroken {
  readonly ok: false
  /** Records before the broken one, all intact. */
  readonly records: number
  /** 1-based line number of the first broken record. */
  readonly line: number
  readonly reason: string
}

export type VerifyResult = VerifyIntact | VerifyBroken

/**
 * Checks an audit file written by the JSON-lines sink: every line is a JSON object whose `hash` is
 * the SHA-256 of its canonical JSON without `hash`, and whose `prev_hash` is the previous line's
 * `hash` (`null` on the first line). Reports the first line that fails. Reads the file as a stream.
 * A chain shows edits, insertions, deletions and reordering; a cut-off tail looks like a shorter
 * intact file unless you compare `lastHash` with one kept elsewhere.
 */
export async function verify(path: string): Promise<VerifyResult> {
  const lines = createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity })
  let previous: string | null = null
  let records = 0
  let number = 0
  try {
    for await (const line of lines) {
      number++
      const reason = check(line, previous, number)
      if (typeof reason === 'string') return { ok: false, records, line: number, reason }
      previous = reason.hash
      records++
    }
  } finally {
    lines.close()
  }
  return { ok: true, records, lastHash: previous }
}

function check(line: string, previous: string | null, number: number): string | { hash: string } {
  if (line.length === 0) return 'empty line'
  let record: unknown
  try {
    record = JSON.parse(line)
  } catch {
    return 'not valid JSON (a partial write, or an edit)'
  }
  if (record === null || typeof record !== 'object' || Array.isArray(record)) return 'not a JSON object'
  const { hash, prev_hash: prevHash } = record as { hash?: unknown; prev_hash?: unknown }
  if (typeof hash !== 'string' || !HASH_PATTERN.test(hash)) return 'no valid "hash" field'
  if (!('prev_hash' in record)) return 'no "prev_hash" field'
  if (prevHash !== previous) {
    return number === 1
      ? 'the first record\'s "prev_hash" is not null (records before it were removed?)'
      : `"prev_hash" does not match the hash of line ${number - 1} (a record was removed, inserted or moved)`
  }
  if (recordHash(record as Record<string, unknown>) !== hash) return '"hash" does not match the record (it was edited)'
  return { hash }
}
