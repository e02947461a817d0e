import { randomFillSync } from 'node:crypto'

const NONCE_BYTES = 16
const POOL_SIZE = NONCE_BYTES * 256
const pool = Buffer.allocUnsafe(POOL_SIZE)
let offset = POOL_SIZE

/**
 * A fresh CSP nonce: 16 bytes (128 bits) from the CSPRNG, base64. The bytes are drawn 4 KiB at a
 * time and each slice is handed out once, so a nonce costs a base64 encoding, not a system call.
 */
export function freshNonce(): string {
  if (offset === POOL_SIZE) {
    randomFillSync(pool)
    offset = 0
  }
  const nonce = pool.toString('base64', offset, offset + NONCE_BYTES)
  offset += NONCE_BYTES
  return nonce
}
