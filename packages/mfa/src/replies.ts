import { sendProblem } from '@rampart/core'
import type { FastifyReply } from 'fastify'
import { INVALID_CODE, LOCKED } from './errors.js'
import type { MfaVerification } from './mfa.js'

const DETAILS: Readonly<Record<string, string>> = Object.freeze({
  'not-enrolled': 'MFA is not set up for this account',
  'not-enabled': 'MFA setup is not confirmed yet',
  'already-enabled': 'MFA is already enabled for this account',
  malformed: 'The code must be a 6-digit code from the authenticator app, or a backup code',
  invalid: 'The code is not valid',
  // Said as "not valid" too: which codes were used is nobody else's business.
  replayed: 'The code is not valid',
})

/**
 * Refuses a request whose `verify`/`confirm` failed: 429 `RAMPART_MFA_LOCKED` with `Retry-After`
 * when locked out, otherwise 400 `RAMPART_MFA_INVALID_CODE` (the seed's tests expect 400) with the
 * reason as a `reason` member. Returns the reply, for `return sendMfaFailure(reply, result)`.
 */
export function sendMfaFailure(reply: FastifyReply, failure: MfaVerification & { ok: false }): FastifyReply {
  if (failure.reason === 'locked') {
    const retryAfter = failure.retryAfter ?? 1
    return sendProblem(reply, LOCKED, {
      detail: `Too many failed codes; try again in ${retryAfter} seconds`,
      headers: { 'retry-after': String(retryAfter) },
    })
  }
  const reason = failure.reason === 'replayed' ? 'invalid' : failure.reason
  return sendProblem(reply, INVALID_CODE, {
    detail: DETAILS[failure.reason] ?? 'The code is not valid',
    extensions: { reason },
  })
}
