import QRCode from 'qrcode'
import t from 'tap'
import { otpauthUri } from '../src/index.js'
import { fixture } from './fixtures/helpers.js'
import { readPng, readSvgModules } from './fixtures/images.js'

t.test("the otpauth URI of Google's Key Uri Format, issuer in the label and as a parameter", async (t) => {
  const { mfa } = fixture({ issuer: 'Rampart Test' })
  const { secret, otpauthUrl } = await mfa.setup('user-1', 'alice@example.com')
  t.equal(
    otpauthUrl,
    `otpauth://totp/Rampart%20Test:alice%40example.com?secret=${secret}&issuer=Rampart%20Test&algorithm=SHA1&digits=6&period=30`,
  )
  const uri = new URL(otpauthUrl)
  t.equal(uri.protocol, 'otpauth:')
  t.equal(uri.host, 'totp')
  t.equal(decodeURIComponent(uri.pathname), '/Rampart Test:alice@example.com')
  t.same(Object.fromEntries(uri.searchParams), {
    secret,
    issuer: 'Rampart Test',
    algorithm: 'SHA1',
    digits: '6',
    period: '30',
  })
})

t.test('issuer and account are percent-encoded: reserved characters and non-ASCII cannot break the URI', async (t) => {
  const uri = otpauthUri({
    issuer: 'Ämpel & Co/?#',
    account: 'bob+tag@example.com?secret=EVIL&x=1',
    secret: 'JBSWY3DPEHPK3PXP',
    algorithm: 'SHA1',
    digits: 6,
    period: 30,
  })
  const parsed = new URL(uri)
  t.equal(parsed.searchParams.get('secret'), 'JBSWY3DPEHPK3PXP', 'the account cannot inject a secret')
  t.equal(parsed.searchParams.getAll('secret').length, 1)
  t.equal(parsed.searchParams.get('issuer'), 'Ämpel & Co/?#')
  t.equal(decodeURIComponent(parsed.pathname), '/Ämpel & Co/?#:bob+tag@example.com?secret=EVIL&x=1')
  t.notMatch(uri, / /, 'no raw space')
  t.match(uri, /^otpauth:\/\/totp\/%C3%84mpel%20%26%20Co%2F%3F%23:bob%2Btag%40/)
})

t.test('the PNG QR code depicts the URI, with the quiet zone and width asked for', async (t) => {
  const { mfa } = fixture({ qrCode: { width: 300, margin: 4, errorCorrectionLevel: 'Q' } })
  const { otpauthUrl, qrPng } = await mfa.setup('user-1', 'alice@example.com')
  t.match(qrPng, /^data:image\/png;base64,[A-Za-z0-9+/]+=*$/)
  const image = readPng(Buffer.from(qrPng.slice('data:image/png;base64,'.length), 'base64'))
  t.equal(image.width, 300)
  t.equal(image.height, 300)

  const expected = QRCode.create(otpauthUrl, { errorCorrectionLevel: 'Q' })
  const encoded = Buffer.concat(
    expected.segments.map((segment) =>
      typeof segment.data === 'string' ? Buffer.from(segment.data, 'latin1') : Buffer.from(segment.data),
    ),
  )
  t.equal(encoded.toString('utf8'), otpauthUrl, 'the symbol carries the URI')
  const size = expected.modules.size
  const total = size + 2 * 4
  const scale = image.width / total
  let mismatches = 0
  for (let row = -4; row < size + 4; row++) {
    for (let column = -4; column < size + 4; column++) {
      const inside = row >= 0 && column >= 0 && row < size && column < size
      const want = inside && expected.modules.get(row, column) === 1
      const x = Math.floor((column + 4 + 0.5) * scale)
      const y = Math.floor((row + 4 + 0.5) * scale)
      if (image.dark(x, y) !== want) mismatches++
    }
  }
  t.equal(mismatches, 0, `every one of ${total * total} modules, quiet zone included`)
})

t.test('the SVG QR code depicts the same symbol', async (t) => {
  const { mfa } = fixture()
  const { otpauthUrl, qrSvg } = await mfa.setup('user-1', 'alice@example.com')
  t.match(qrSvg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/)
  const { size, dark } = readSvgModules(qrSvg)
  const expected = QRCode.create(otpauthUrl, { errorCorrectionLevel: 'M' })
  t.equal(size, expected.modules.size + 8, 'a 4-module quiet zone each side')
  let mismatches = 0
  for (let row = 0; row < expected.modules.size; row++) {
    for (let column = 0; column < expected.modules.size; column++) {
      if ((expected.modules.get(row, column) === 1) !== dark.has(`${column + 4},${row + 4}`)) mismatches++
    }
  }
  t.equal(mismatches, 0)
  t.equal([...dark].filter((key) => key.split(',').some((value) => Number(value) < 4)).length, 0, 'quiet zone blank')
})

t.test('setup output is frozen and carries nothing else', async (t) => {
  const { mfa } = fixture()
  const setup = await mfa.setup('user-1', 'someone')
  t.same(Object.keys(setup).sort(), ['backupCodes', 'otpauthUrl', 'qrPng', 'qrSvg', 'secret'])
  t.ok(Object.isFrozen(setup) && Object.isFrozen(setup.backupCodes))
})
