import t from 'tap'
import { hotp, matchingSteps, type OtpAlgorithm, timeStep, totp } from '../src/index.js'

const SEED_SHA1 = Buffer.from('12345678901234567890', 'ascii')
const SEED_SHA256 = Buffer.from('12345678901234567890123456789012', 'ascii')
const SEED_SHA512 = Buffer.from('1234567890123456789012345678901234567890123456789012345678901234', 'ascii')

t.test('RFC 4226 appendix D: HOTP values of counters 0..9', async (t) => {
  const expected = ['755224', '287082', '359152', '969429', '338314', '254676', '287922', '162583', '399871', '520489']
  expected.forEach((code, counter) => {
    t.equal(hotp(SEED_SHA1, counter, 6), code, `counter ${counter}`)
  })
})

t.test('RFC 6238 appendix B: TOTP values, 8 digits, SHA-1, SHA-256 and SHA-512', async (t) => {
  const table: [number, string, string, OtpAlgorithm][] = [
    [59, '0000000000000001', '94287082', 'SHA1'],
    [59, '0000000000000001', '46119246', 'SHA256'],
    [59, '0000000000000001', '90693936', 'SHA512'],
    [1111111109, '00000000023523EC', '07081804', 'SHA1'],
    [1111111109, '00000000023523EC', '68084774', 'SHA256'],
    [1111111109, '00000000023523EC', '25091201', 'SHA512'],
    [1111111111, '00000000023523ED', '14050471', 'SHA1'],
    [1111111111, '00000000023523ED', '67062674', 'SHA256'],
    [1111111111, '00000000023523ED', '99943326', 'SHA512'],
    [1234567890, '000000000273EF07', '89005924', 'SHA1'],
    [1234567890, '000000000273EF07', '91819424', 'SHA256'],
    [1234567890, '000000000273EF07', '93441116', 'SHA512'],
    [2000000000, '0000000003F940AA', '69279037', 'SHA1'],
    [2000000000, '0000000003F940AA', '90698825', 'SHA256'],
    [2000000000, '0000000003F940AA', '38618901', 'SHA512'],
    [20000000000, '0000000027BC86AA', '65353130', 'SHA1'],
    [20000000000, '0000000027BC86AA', '77737706', 'SHA256'],
    [20000000000, '0000000027BC86AA', '47863826', 'SHA512'],
  ]
  const seeds = { SHA1: SEED_SHA1, SHA256: SEED_SHA256, SHA512: SEED_SHA512 }
  for (const [seconds, stepHex, code, algorithm] of table) {
    t.equal(timeStep(seconds * 1000, 30), Number.parseInt(stepHex, 16), `T of ${seconds}`)
    t.equal(totp(seeds[algorithm], seconds * 1000, { digits: 8, algorithm }), code, `${algorithm} at ${seconds}`)
  }
})

t.test('six digits are the low six of the eight (leading zeros kept)', async (t) => {
  t.equal(totp(SEED_SHA1, 1111111109_000), '081804')
  t.equal(hotp(SEED_SHA1, 0, 7), '4755224')
})

t.test('the time step changes exactly at a multiple of the period', async (t) => {
  t.equal(timeStep(29_999, 30), 0)
  t.equal(timeStep(30_000, 30), 1)
  t.equal(timeStep(59_999, 60), 0)
  t.equal(timeStep(60_000, 60), 1)
})

t.test('matchingSteps looks at step - window .. step + window only, never below 0', async (t) => {
  const at = (step: number): string => hotp(SEED_SHA1, step, 6)
  t.same(matchingSteps(SEED_SHA1, at(100), 100, 1, 6, 'SHA1'), [100])
  t.same(matchingSteps(SEED_SHA1, at(99), 100, 1, 6, 'SHA1'), [99])
  t.same(matchingSteps(SEED_SHA1, at(101), 100, 1, 6, 'SHA1'), [101])
  t.same(matchingSteps(SEED_SHA1, at(98), 100, 1, 6, 'SHA1'), [], '-2 steps')
  t.same(matchingSteps(SEED_SHA1, at(102), 100, 1, 6, 'SHA1'), [], '+2 steps')
  t.same(matchingSteps(SEED_SHA1, at(102), 100, 2, 6, 'SHA1'), [102], 'window 2')
  t.same(matchingSteps(SEED_SHA1, at(100), 100, 0, 6, 'SHA1'), [100], 'window 0')
  t.same(matchingSteps(SEED_SHA1, at(99), 100, 0, 6, 'SHA1'), [], 'window 0')
  t.same(matchingSteps(SEED_SHA1, at(0), 0, 1, 6, 'SHA1'), [0], 'step 0 has no step -1')
})
