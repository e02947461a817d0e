import { base32Decode, totp } from '@rampart/mfa'

/** The TOTP code (SHA-1, 6 digits, 30 s) of a base32 secret, `steps` time steps from `at`. */
export function totpNow(secret: string, steps = 0, at: number = Date.now()): string {
  const key = base32Decode(secret)
  if (key === null) throw new Error('not a base32 secret')
  return totp(key, at + steps * 30_000)
}
