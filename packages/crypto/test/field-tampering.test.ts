import fc from 'fast-check'
import t, { type Test } from 'tap'
import { type DecryptFailedEvent, decryptFailedChannel, Keyring } from '../src/index.js'
import { flipBit, newSecret } from './fixtures/helpers.js'

// Adversarial inputs: every one must fail with a coded error, release no plaintext and never crash.
const PLAINTEXT = 'JBSWY3DPEHPK3PXP' // a TOTP secret, the field @rampart/mfa stores
const AAD = 'users:42:mfa_secret'
const secret = newSecret()
const keyring = new Keyring({ keys: [{ id: 'k1', secret }], current: 'k1' })
const token = keyring.encrypt(PLAINTEXT, { aad: AAD })
const [version, keyId, iv, body] = token.split('.') as [string, string, string, string]
const REFUSALS = ['RAMPART_CRYPTO_MALFORMED_TOKEN', 'RAMPART_CRYPTO_UNKNOWN_KEY', 'RAMPART_CRYPTO_DECRYPT_FAILED']

/** Decrypts and returns the error's code; fails the test if anything was decrypted or the error is not coded. */
function refusal(t: Test, ring: Keyring, candidate: string, aad: string | null = AAD): string {
  try {
    const plaintext = ring.decrypt(candidate, aad === null ? {} : { aad })
    t.fail(`decrypted a tampered token: ${candidate} -> ${plaintext.toString('hex')}`)
    return 'DECRYPTED'
  } catch (error) {
    const { code, message } = error as { code?: string; message: string }
    if (!REFUSALS.includes(code as string)) t.fail(`uncoded error for ${candidate}: ${String(error)}`)
    if (message.includes(PLAINTEXT)) t.fail('the error message contains the plaintext')
    return code as string
  }
}

t.test('the untampered token decrypts (so every failure below is the tampering)', async (t) => {
  t.equal(keyring.decryptText(token, { aad: AAD }), PLAINTEXT)
})

t.test('a wrong key fails cleanly with DECRYPT_FAILED and publishes decrypt-failed', async (t) => {
  const events: DecryptFailedEvent[] = []
  const unsubscribe = decryptFailedChannel.subscribe((event) => events.push(event))
  t.teardown(unsubscribe)
  const impostor = new Keyring({ keys: [{ id: 'k1', secret: newSecret() }], current: 'k1' })
  t.equal(refusal(t, impostor, token), 'RAMPART_CRYPTO_DECRYPT_FAILED')
  t.same(events, [{ purpose: 'default', keyId: 'k1', code: 'RAMPART_CRYPTO_DECRYPT_FAILED' }])
  const other = new Keyring({ keys: [{ id: 'k2', secret }], current: 'k2' })
  t.equal(refusal(t, other, token), 'RAMPART_CRYPTO_UNKNOWN_KEY', 'the right secret under another id is unknown')
  t.same(events[1], { purpose: 'default', keyId: 'k1', code: 'RAMPART_CRYPTO_UNKNOWN_KEY' })
  refusal(t, keyring, 'garbage')
  t.same(events[2], { purpose: 'default', keyId: null, code: 'RAMPART_CRYPTO_MALFORMED_TOKEN' })
})

t.test('every single bit flipped in the GCM tag fails', async (t) => {
  const sealed = Buffer.from(body, 'base64url')
  for (let byte = sealed.length - 16; byte < sealed.length; byte++) {
    for (let bit = 0; bit < 8; bit++) {
      const tampered = `${version}.${keyId}.${iv}.${flipBit(body, byte, bit)}`
      t.equal(refusal(t, keyring, tampered), 'RAMPART_CRYPTO_DECRYPT_FAILED', `tag byte ${byte} bit ${bit}`)
    }
  }
})

t.test('every single bit flipped in the IV fails', async (t) => {
  for (let byte = 0; byte < 12; byte++) {
    for (let bit = 0; bit < 8; bit++) {
      const tampered = `${version}.${keyId}.${flipBit(iv, byte, bit)}.${body}`
      t.equal(refusal(t, keyring, tampered), 'RAMPART_CRYPTO_DECRYPT_FAILED', `iv byte ${byte} bit ${bit}`)
    }
  }
})

t.test('every single bit flipped in the ciphertext body fails', async (t) => {
  for (let byte = 0; byte < PLAINTEXT.length; byte++) {
    for (let bit = 0; bit < 8; bit++) {
      const tampered = `${version}.${keyId}.${iv}.${flipBit(body, byte, bit)}`
      t.equal(refusal(t, keyring, tampered), 'RAMPART_CRYPTO_DECRYPT_FAILED', `body byte ${byte} bit ${bit}`)
    }
  }
})

t.test('the header is authenticated: a key id or version changed fails', async (t) => {
  // Two ids with the same secret derive the same key: only the authenticated header tells them apart.
  const twins = new Keyring({
    keys: [
      { id: 'k1', secret },
      { id: 'k2', secret },
    ],
    current: 'k1',
  })
  t.equal(twins.decryptText(token, { aad: AAD }), PLAINTEXT)
  t.equal(refusal(t, twins, `${version}.k2.${iv}.${body}`), 'RAMPART_CRYPTO_DECRYPT_FAILED', 'key id swapped')
  t.equal(refusal(t, keyring, `${version}.k9.${iv}.${body}`), 'RAMPART_CRYPTO_UNKNOWN_KEY', 'unknown key id')
  t.equal(refusal(t, keyring, `v2.${keyId}.${iv}.${body}`), 'RAMPART_CRYPTO_MALFORMED_TOKEN', 'version bumped')
  t.throws(() => keyring.decrypt(`v2.${keyId}.${iv}.${body}`), { message: /version v2 is not supported/ })
  t.equal(refusal(t, keyring, `V1.${keyId}.${iv}.${body}`), 'RAMPART_CRYPTO_MALFORMED_TOKEN')
  t.equal(refusal(t, keyring, `v1.k.1.${iv}.${body}`), 'RAMPART_CRYPTO_MALFORMED_TOKEN', 'an extra part')
})

t.test('every truncation fails, and so does every suffix or padding appended', async (t) => {
  for (let length = 0; length < token.length; length++) refusal(t, keyring, token.slice(0, length))
  const short = `${version}.${keyId}.${iv}.${Buffer.from(body, 'base64url').subarray(0, 15).toString('base64url')}`
  t.equal(refusal(t, keyring, short), 'RAMPART_CRYPTO_MALFORMED_TOKEN', 'shorter than a tag')
  for (const suffix of ['=', '==', '.', ' ', '\n', 'A', 'AAAA', '.AAAA']) refusal(t, keyring, token + suffix)
  t.equal(refusal(t, keyring, ` ${token}`), 'RAMPART_CRYPTO_MALFORMED_TOKEN')
})

t.test('a non-canonical base64url spelling of the same bytes is refused, not decrypted', async (t) => {
  // 20 bytes of ciphertext and tag: 27 characters, the last carrying 2 unused bits.
  const four = keyring.encrypt('abcd')
  const parts = four.split('.')
  const sealed = parts[3] as string
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
  const last = alphabet.indexOf(sealed.at(-1) as string)
  const sibling = `${sealed.slice(0, -1)}${alphabet[last ^ 1]}`
  t.same(Buffer.from(sibling, 'base64url'), Buffer.from(sealed, 'base64url'), "node's decoder reads the same bytes")
  t.equal(refusal(t, keyring, [...parts.slice(0, 3), sibling].join('.'), null), 'RAMPART_CRYPTO_MALFORMED_TOKEN')
  const ivSibling = (parts[2] as string).replace(/^./, (c) => (c === 'A' ? 'B' : 'A'))
  t.equal(refusal(t, keyring, [parts[0], parts[1], ivSibling, sealed].join('.'), null), 'RAMPART_CRYPTO_DECRYPT_FAILED')
})

t.test('associated data must match exactly', async (t) => {
  for (const aad of [null, '', 'users:42:mfa_secreT', 'users:4:mfa_secret', 'users:420:mfa_secret', 'users:42:email']) {
    t.equal(refusal(t, keyring, token, aad), 'RAMPART_CRYPTO_DECRYPT_FAILED', `aad ${JSON.stringify(aad)}`)
  }
  const unbound = keyring.encrypt(PLAINTEXT)
  t.equal(refusal(t, keyring, unbound, 'users:42:mfa_secret'), 'RAMPART_CRYPTO_DECRYPT_FAILED', 'aad added')
  const otherRow = keyring.encrypt('other', { aad: 'users:43:mfa_secret' })
  const spliced = `${version}.${keyId}.${iv}.${otherRow.split('.')[3]}`
  t.equal(refusal(t, keyring, spliced), 'RAMPART_CRYPTO_DECRYPT_FAILED', 'IV of one token, body of another')
})

t.test('every single-character substitution anywhere in the token fails', async (t) => {
  const characters = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ '
  let tried = 0
  for (let index = 0; index < token.length; index++) {
    for (const character of characters) {
      if (character === token[index]) continue
      const tampered = token.slice(0, index) + character + token.slice(index + 1)
      if (refusal(t, keyring, tampered) === 'DECRYPTED') return
      tried++
    }
  }
  t.ok(tried > 4000, `${tried} substitutions refused`)
})

t.test('random edits (bytes flipped, cut, inserted) never decrypt', async (t) => {
  const edit = fc.oneof(
    fc.record({ kind: fc.constant('flip'), at: fc.nat(), value: fc.integer({ min: 1, max: 255 }) }),
    fc.record({ kind: fc.constant('cut'), at: fc.nat(), value: fc.integer({ min: 1, max: 8 }) }),
    fc.record({ kind: fc.constant('insert'), at: fc.nat(), value: fc.integer({ min: 0, max: 127 }) }),
  )
  fc.assert(
    fc.property(fc.array(edit, { minLength: 1, maxLength: 6 }), (edits) => {
      let candidate = token
      for (const { kind, at, value } of edits) {
        const index = at % (candidate.length + 1)
        if (kind === 'flip' && index < candidate.length) {
          const code = candidate.charCodeAt(index) ^ value
          candidate = candidate.slice(0, index) + String.fromCharCode(code) + candidate.slice(index + 1)
        } else if (kind === 'cut') candidate = candidate.slice(0, index) + candidate.slice(index + value)
        else candidate = candidate.slice(0, index) + String.fromCharCode(value) + candidate.slice(index)
      }
      if (candidate === token) return
      t.not(refusal(t, keyring, candidate), 'DECRYPTED')
    }),
    { numRuns: 2000 },
  )
})
