import t from 'tap'
import type { HeadersOptions } from '../src/index.js'
import { build } from './fixtures/build.js'

t.test('bad options fail register with a coded error naming the option', async (t) => {
  const cases: [unknown, RegExp][] = [
    [{ frameOptoins: 'DENY' }, /option "frameOptoins" is not a known option/],
    [{ frameOptions: 'ALLOWALL' }, /option "frameOptions" must be one of/],
    [{ referrerPolicy: 'sometimes' }, /option "referrerPolicy" must be one of/],
    [{ server: 'x\r\nSet-Cookie: a=b' }, /option "server" must match/],
    [{ hsts: { maxAge: -1 } }, /option "hsts\.maxAge" must be >= 0/],
    [{ hsts: { preload: true, maxAge: 60 } }, /option "hsts\.preload" needs maxAge/],
    [{ hsts: { maxage: 1 } }, /"hsts\.maxage" is not a known option/],
    [{ permissionsPolicy: { camera: ['everyone'] } }, /option "permissionsPolicy\.camera" items must be/],
    [{ production: 'yes' }, /option "production" must be true or false/],
  ]
  for (const [options, message] of cases) {
    await t.rejects(build(options as HeadersOptions), { code: 'RAMPART_HEADERS_INVALID_OPTION', message })
  }
})
