import { randomBytes } from 'node:crypto'
import t from 'tap'
import { base32Decode, base32Encode } from '../src/index.js'

// RFC 4648 section 10.
const VECTORS: [string, string][] = [
  ['', ''],
  ['f', 'MY======'],
  ['fo', 'MZXQ===='],
  ['foo', 'MZXW6==='],
  ['foob', 'MZXW6YQ='],
  ['fooba', 'MZXW6YTB'],
  ['foobar', 'MZXW6YTBOI======'],
]

t.test('RFC 4648 test vectors, padded and unpadded', async (t) => {
  for (const [plain, encoded] of VECTORS) {
    t.equal(base32Encode(Buffer.from(plain), { padding: true }), encoded, `encode ${JSON.stringify(plain)}`)
    t.equal(base32Encode(Buffer.from(plain)), encoded.replace(/=+$/, ''), `unpadded ${JSON.stringify(plain)}`)
    t.equal(base32Decode(encoded)?.toString(), plain, `decode ${encoded}`)
    t.equal(base32Decode(encoded.replace(/=+$/, ''))?.toString(), plain, `decode unpadded ${encoded}`)
    t.equal(base32Decode(encoded.toLowerCase())?.toString(), plain, `decode lower case ${encoded}`)
  }
})

t.test('round trips random bytes of every length up to 64', async (t) => {
  for (let length = 0; length <= 64; length++) {
    const bytes = randomBytes(length)
    const encoded = base32Encode(bytes)
    t.match(encoded, /^[A-Z2-7]*$/)
    t.equal(encoded.length, Math.ceil((length * 8) / 5))
    t.same(base32Decode(encoded), bytes, `length ${length}`)
  }
})

t.test('a 20-byte secret is 32 characters, as authenticator apps expect', async (t) => {
  t.equal(base32Encode(randomBytes(20)).length, 32)
})

t.test('refuses what is not a canonical encoding, without throwing', async (t) => {
  const bad = [
    'MZXW6YT1', // 1 is not in the alphabet
    'MZXW6YT8', // nor 8
    'MZXW6YT0', // nor 0
    'MZXW6 YT', // no spaces
    'M', // 1, 3 and 6 characters end no encoding
    'MZX',
    'MZXW6Y',
    'MZ======x', // padding in the middle
    'MZ=', // padded but not to a multiple of 8
    '========', // all padding
    'MZXR', // non-zero bits after the last byte ('fo' is MZXQ)
    'MZXW6YTBÖ',
    'MZXW6YTB\u0000',
  ]
  for (const text of bad) t.equal(base32Decode(text), null, JSON.stringify(text))
  // biome-ignore lint/suspicious/noExplicitAny: a caller outside TypeScript
  t.equal(base32Decode(42 as any), null, 'not a string')
})
