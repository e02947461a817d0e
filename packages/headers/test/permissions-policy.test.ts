import t from 'tap'
import type { HeadersOptions } from '../src/index.js'
import { SEED_PERMISSIONS_POLICY } from '../src/index.js'
import { build } from './fixtures/build.js'

const header = async (options: HeadersOptions) =>
  (await (await build(options)).inject('/')).headers['permissions-policy']

t.test("the seed's policy, extended with features and allowlists", async (t) => {
  t.same(Object.keys(SEED_PERMISSIONS_POLICY), [
    'camera',
    'microphone',
    'geolocation',
    'payment',
    'usb',
    'magnetometer',
    'gyroscope',
    'accelerometer',
  ])
  t.equal(
    await header({
      permissionsPolicy: {
        geolocation: ['self', 'https://Maps.example'],
        camera: false,
        fullscreen: ['*'],
        'interest-cohort': [],
        'display-capture': ['src', '"https://a.example:8443"'],
      },
    }),
    'microphone=(), geolocation=(self "https://maps.example"), payment=(), usb=(), magnetometer=(), gyroscope=(), accelerometer=(), fullscreen=*, interest-cohort=(), display-capture=(src "https://a.example:8443")',
  )
})

t.test('false sends none; removing every feature sends none', async (t) => {
  t.equal(await header({ permissionsPolicy: false }), undefined)
  const none = Object.fromEntries(Object.keys(SEED_PERMISSIONS_POLICY).map((feature) => [feature, false] as const))
  t.equal(await header({ permissionsPolicy: none }), undefined)
})

t.test('bad allowlists fail register naming the feature', async (t) => {
  const cases: [unknown, RegExp][] = [
    [{ camera: ['everyone'] }, /option "permissionsPolicy\.camera" items must be self, src, \* or an origin/],
    [{ camera: ["'self'"] }, /option "permissionsPolicy\.camera" uses CSP syntax/],
    [{ camera: ["'none'"] }, /uses CSP syntax/],
    [{ camera: ['*', 'self'] }, /option "permissionsPolicy\.camera" combines \*/],
    [{ camera: 'self' }, /option "permissionsPolicy\.camera" must be an array/],
    [{ Camera: [] }, /option "permissionsPolicy\.Camera" is not a feature name/],
    [{ camera: ['https://a.example/path'] }, /items must be/],
    [{ camera: ['https://a.example)'] }, /items must be/],
    [['camera'], /option "permissionsPolicy" must be an object/],
  ]
  for (const [permissionsPolicy, message] of cases) {
    await t.rejects(build({ permissionsPolicy } as HeadersOptions), { code: 'RAMPART_HEADERS_INVALID_OPTION', message })
  }
})
