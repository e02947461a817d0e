import t from 'tap'
import { OptionValidator, withDefaults } from '../src/index.js'

const validate = new OptionValidator('rate-limit')

t.test('each check throws a coded error naming the option and the value', async (t) => {
  const code = 'RAMPART_RATE_LIMIT_INVALID_OPTION'
  t.throws(() => validate.integer('perMinute', 'abc'), {
    code,
    message: /option "perMinute" must be an integer \(got "abc"\)/,
  })
  t.throws(() => validate.integer('perMinute', -1, { min: 0 }), { code, message: /must be >= 0 \(got -1\)/ })
  t.throws(() => validate.integer('perMinute', 1.5), { code })
  t.throws(() => validate.number('ratio', Number.NaN), { code, message: /finite number/ })
  t.throws(() => validate.number('ratio', 2, { max: 1 }), { code, message: /must be <= 1/ })
  t.throws(() => validate.boolean('enabled', 'yes'), { code, message: /true or false/ })
  t.throws(() => validate.string('prefix', ''), { code, message: /must not be empty/ })
  t.throws(() => validate.string('prefix', 'a b', { pattern: /^\S+$/ }), { code, message: /must match/ })
  t.throws(() => validate.stringList('paths', ['/a', 3]), {
    code,
    message: /"paths\[1\]" must be a non-empty string \(got 3\)/,
  })
  t.throws(() => validate.stringList('paths', '/a'), { code, message: /array of strings/ })
  t.throws(() => validate.oneOf('mode', 'x', ['a', 'b']), { code, message: /one of "a", "b"/ })
  t.throws(() => validate.func('key', 1), { code, message: /must be a function/ })
  t.throws(() => validate.object('', null), { code, message: /must be an object \(got null\)/ })
  t.throws(() => validate.knownKeys('', { perMinut: 1 }, ['perMinute']), {
    code,
    message: /"perMinut" is not a known option/,
  })
  t.throws(() => validate.knownKeys('store', { x: 1 }, ['y']), { message: /"store\.x"/ })
  t.throws(() => validate.fail('x', 'is wrong'), { message: '@rampart/rate-limit: option "x" is wrong' })
})

t.test('valid values pass through unchanged', async (t) => {
  t.equal(validate.integer('n', 5, { min: 0, max: 10 }), 5)
  t.same(validate.stringList('paths', ['/a']), ['/a'])
  t.equal(validate.oneOf('mode', 'a', ['a', 'b']), 'a')
  t.same(withDefaults({ a: 1, b: 2 }, { b: 3, a: undefined }), { a: 1, b: 3 })
})
