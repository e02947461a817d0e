import { createHmac } from 'node:crypto'
import t from 'tap'
import { cookieValue, DUPLICATE, TokenSigner } from '../src/index.js'

const KEY_A = Buffer.from('a'.repeat(32))
const KEY_B = Buffer.from('b'.repeat(32))

t.test('tokens: random part and MAC, bound to the kind and id, verified in full', async (t) => {
  const signer = new TokenSigner([KEY_A])
  const token = signer.sign({ kind: 's', id: 'abc' })
  t.match(token, /^[A-Za-z0-9_-]{43}\.[A-Za-z0-9_-]{43}$/)
  t.not(signer.sign({ kind: 's', id: 'abc' }), token, 'a fresh random part every time')
  t.equal(signer.check(token, { kind: 's', id: 'abc' }), 1)
  t.equal(signer.check(token, { kind: 's', id: 'abd' }), 0)
  t.equal(signer.check(token, { kind: 'p', id: 'abc' }), 0, 'a session id is never a pre-session id')
  t.equal(signer.check(token, { kind: 's', id: 'abc ' }), 0)
  t.equal(signer.check(token, { kind: 's', id: '' }), 0)
  const [random, mac] = token.split('.') as [string, string]
  t.equal(signer.check(`${random}.${mac.toLowerCase()}`, { kind: 's', id: 'abc' }), mac === mac.toLowerCase() ? 1 : 0)
  t.equal(signer.check(`${mac}.${random}`, { kind: 's', id: 'abc' }), 0)
  t.equal(signer.check('', { kind: 's', id: 'abc' }), 0)
  t.equal(signer.check(`${token}${token}`, { kind: 's', id: 'abc' }), 0)
})

t.test('the MAC message is length-delimited: ids and random parts cannot be shifted into each other', async (t) => {
  // With a naive `${id}.${random}` message, session "a.b" and random "c" would sign the same
  // bytes as session "a" and random "b.c". The token key is derived from the secret, so the MAC
  // is recomputed here with the documented derivation.
  const key = createHmac('sha256', KEY_A).update('rampart csrf token key v1').digest()
  const signer = new TokenSigner([KEY_A])
  const token = signer.sign({ kind: 's', id: 'session-1' })
  const [random] = token.split('.') as [string]
  const expected = createHmac('sha256', key).update(`s:9:session-1:${random}`).digest('base64url')
  t.equal(token, `${random}.${expected}`)
  const naive = createHmac('sha256', KEY_A).update(`session-1.${random}`).digest('base64url')
  t.equal(signer.check(`${random}.${naive}`, { kind: 's', id: 'session-1' }), 0, 'the raw secret does not sign tokens')
})

t.test('several keys: the first signs, every one verifies', async (t) => {
  const old = new TokenSigner([KEY_B]).sign({ kind: 's', id: 'x' })
  const rotated = new TokenSigner([KEY_A, KEY_B])
  t.equal(rotated.check(old, { kind: 's', id: 'x' }), 2)
  t.equal(rotated.check(rotated.sign({ kind: 's', id: 'x' }), { kind: 's', id: 'x' }), 1)
  t.equal(new TokenSigner([KEY_A]).check(old, { kind: 's', id: 'x' }), 0)
})

t.test('the Cookie parser is strict', async (t) => {
  t.equal(cookieValue(undefined, 'c'), undefined)
  t.equal(cookieValue('', 'c'), undefined)
  t.equal(cookieValue('c=1', 'c'), '1')
  t.equal(cookieValue('a=0; c=1; d=2', 'c'), '1')
  t.equal(cookieValue('a=0;c=1;d=2', 'c'), '1')
  t.equal(cookieValue('a=0;  \tc=1 \t; d=2', 'c'), '1', 'whitespace around pairs')
  t.equal(cookieValue('c="1"', 'c'), '1', 'a quoted value')
  t.equal(cookieValue('c="', 'c'), '"')
  t.equal(cookieValue('c=', 'c'), '')
  t.equal(cookieValue('xc=1; cx=2; C=3; c =4', 'c'), undefined, 'only the exact name')
  t.equal(cookieValue('c=1=2', 'c'), '1=2')
  t.equal(cookieValue('c=%41', 'c'), '%41', 'never percent-decoded')
  t.equal(cookieValue('c=1; c=2', 'c'), DUPLICATE)
  t.equal(cookieValue('c=1; c=1', 'c'), DUPLICATE, 'even with the same value')
  t.equal(cookieValue('__Host-csrf=a; csrf=b', 'csrf'), 'b')
  t.equal(cookieValue(';;; c=1 ;', 'c'), '1')
})
