import t from 'tap'
import { checkOriginPattern } from '../src/index.js'

t.test('anchoring is checked on every top-level branch, ignoring | in groups and classes', async (t) => {
  const anchored = [
    /^https:\/\/app\.example\.com$/,
    /^https:\/\/(?:a|b)\.example\.com$/,
    /^https:\/\/a\.example\.com$|^https:\/\/b\.example\.com$/,
    /^https:\/\/[a|b]\.example\.com$/,
    /^https:\/\/x\.example\.com(?::\d+)?$/,
    /^https:\/\/x\.example\.com\\$/,
    /^https:\/\/[\]|]\.example\.com$/,
    // biome-ignore lint/complexity/useRegexLiterals: the v flag needs an ES2024 target as a literal
    new RegExp('^https://[[a-z]--[q]]+\\.example\\.com$', 'v'),
  ]
  for (const pattern of anchored) t.equal(checkOriginPattern(pattern), undefined, String(pattern))
  const loose = [
    /https:\/\/app\.example\.com/,
    /^https:\/\/a\.example\.com|b\.example\.com$/,
    /(^https:\/\/app\.example\.com$)/,
    /^https:\/\/app\.example\.com\$/,
    /^https:\/\/app\.example\.com[$]/,
    /^https:\/\/(a\.example\.com|b\.example\.com$)/,
    /^https:\/\/a\.com$|/,
  ]
  for (const pattern of loose) t.match(checkOriginPattern(pattern), /must be anchored/, String(pattern))
})
