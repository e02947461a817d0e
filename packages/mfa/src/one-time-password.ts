import { createHmac, timingSafeEqual } from 'node:crypto'

/** The HMAC of HOTP/TOTP: SHA-1 (RFC 4226, the default every authenticator app reads), SHA-256, SHA-512 (RFC 6238). */
export type OtpAlgorithm = 'SHA1' | 'SHA256' | 'SHA512'

const HMAC_NAMES: Readonly<Record<OtpAlgorithm, string>> = Object.freeze({
  SHA1: 'sha1',
  SHA256: 'sha256',
  SHA512: 'sha512',
})

const POWERS_OF_TEN = [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000, 1_000_000_000]

/**
 * HOTP (RFC 4226 section 5.3): HMAC over the 8-byte big-endian counter, dynamic truncation to 31
 * bits, the low `digits` decimal digits, zero-padded. `counter` is a non-negative safe integer.
 */
export function hotp(key: Uint8Array, counter: number, digits: number, algorithm: OtpAlgorithm = 'SHA1'): string {
  const message = Buffer.alloc(8)
  message.writeBigUInt64BE(BigInt(counter))
  const mac = createHmac(HMAC_NAMES[algorithm], key).update(message).digest()
  const offset = (mac[mac.length - 1] as number) & 0x0f
  const binary =
    (((mac[offset] as number) & 0x7f) << 24) |
    ((mac[offset + 1] as number) << 16) |
    ((mac[offset + 2] as number) << 8) |
    (mac[offset + 3] as number)
  return String(binary % (POWERS_OF_TEN[digits] as number)).padStart(digits, '0')
}

/** The TOTP time step (RFC 6238 section 4.2, T0 = 0) of a time in epoch milliseconds. */
export function timeStep(nowMs: number, period: number): number {
  return Math.floor(nowMs / 1000 / period)
}

/** TOTP (RFC 6238): HOTP of the time step. */
export function totp(
  key: Uint8Array,
  nowMs: number,
  { period = 30, digits = 6, algorithm = 'SHA1' }: { period?: number; digits?: number; algorithm?: OtpAlgorithm } = {},
): string {
  return hotp(key, timeStep(nowMs, period), digits, algorithm)
}

/**
 * The steps among `step - window .. step + window` (none below 0) whose code equals `code`, in
 * ascending order; usually none or one. Every candidate is computed and compared in constant time
 * (no early exit), so the time taken says nothing about which step, if any, matched. `code` must
 * already be `digits` ASCII digits.
 */
export function matchingSteps(
  key: Uint8Array,
  code: string,
  step: number,
  window: number,
  digits: number,
  algorithm: OtpAlgorithm,
): number[] {
  const submitted = Buffer.from(code, 'latin1')
  const found: number[] = []
  for (let candidate = Math.max(0, step - window); candidate <= step + window; candidate++) {
    const expected = Buffer.from(hotp(key, candidate, digits, algorithm), 'latin1')
    // Both are `digits` bytes long, as timingSafeEqual needs.
    if (timingSafeEqual(expected, submitted)) found.push(candidate)
  }
  return found
}
