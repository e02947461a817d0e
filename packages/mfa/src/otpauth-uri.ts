import type { OtpAlgorithm } from './one-time-password.js'

/** What a provisioning URI carries. */
export interface ProvisioningParameters {
  /** Who the account is with (shown by authenticator apps). */
  issuer: string
  /** The user's account name at the issuer (an e-mail address, a user name). */
  account: string
  /** The secret in base32 (RFC 4648), unpadded. */
  secret: string
  algorithm: OtpAlgorithm
  digits: number
  period: number
}

/**
 * The `otpauth://totp/` URI of Google Authenticator's Key Uri Format:
 * `otpauth://totp/<issuer>:<account>?secret=...&issuer=...&algorithm=SHA1&digits=6&period=30`,
 * label and issuer percent-encoded (a space is `%20`, never `+`). The issuer is in both the label
 * prefix and the `issuer` parameter, as the format recommends for old and new apps alike.
 */
export function otpauthUri({ issuer, account, secret, algorithm, digits, period }: ProvisioningParameters): string {
  const issuerText = encodeURIComponent(issuer)
  return (
    `otpauth://totp/${issuerText}:${encodeURIComponent(account)}` +
    `?secret=${secret}&issuer=${issuerText}&algorithm=${algorithm}&digits=${digits}&period=${period}`
  )
}
