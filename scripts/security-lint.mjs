#!/usr/bin/env node
// The Node counterpart of the seed's bandit: patterns that are wrong in security code, checked
// over every package's and app's src/. Biome's `security` rules run alongside (see `pnpm security`).
// A line may opt out with a trailing `// security-lint: <reason>` comment naming why it is safe.
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'

const ROOT = new URL('..', import.meta.url).pathname
const RULES = [
  { id: 'eval', data: false, pattern: /(?<![.\w])eval\s*\(|new\s+Function\s*\(/, why: 'code built from strings' },
  {
    id: 'child-process',
    pattern: /from\s+['"](node:)?child_process['"]|require\(['"](node:)?child_process['"]\)/,
    why: 'a shell from a request path',
  },
  {
    id: 'weak-hash',
    pattern: /createHash\(\s*['"](md5|sha1)['"]/i,
    why: 'MD5/SHA-1 as a hash (use SHA-256; HMAC-SHA1 for TOTP is createHmac)',
  },
  {
    id: 'tls-off',
    pattern: /rejectUnauthorized\s*:\s*false|NODE_TLS_REJECT_UNAUTHORIZED/,
    why: 'TLS verification switched off',
  },
  { id: 'insecure-random', pattern: /Math\.random\s*\(/, why: 'Math.random is not for secrets (use node:crypto)' },
  {
    id: 'string-compare-secret',
    pattern: /(secret|token|password|signature|digest)\w*\s*===?\s*\w*(secret|token|password|signature|digest)/i,
    why: 'a secret compared with === (use timingSafeEqual)',
  },
]

function* sources(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) yield* sources(path)
    else if (/\.(ts|mts|js|mjs)$/.test(name) && !name.endsWith('.d.ts')) yield path
  }
}

const findings = []
let files = 0
// The benchmark and the reliability suite are tooling (they spawn servers, forge tokens); they never serve a request path.
const SKIP = new Set(['apps/bench', 'apps/reliability'])
for (const group of ['packages', 'apps']) {
  for (const pkg of readdirSync(join(ROOT, group))) {
    if (SKIP.has(`${group}/${pkg}`)) continue
    const src = join(ROOT, group, pkg, 'src')
    try {
      statSync(src)
    } catch {
      continue
    }
    for (const file of sources(src)) {
      files++
      const lines = readFileSync(file, 'utf8').split('\n')
      lines.forEach((line, index) => {
        const code = line.replace(/\/\/.*$/, '')
        // For rules about calls, string contents are data (shield's pattern list names eval).
        const codeOnly = code.replace(/'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|`(?:[^`\\]|\\.)*`/g, "''")
        if (/^\s*(\*|\/\*)/.test(line) || /security-lint:/.test(line)) return
        for (const rule of RULES) {
          if (rule.pattern.test(rule.data === false ? codeOnly : code))
            findings.push(`${relative(ROOT, file)}:${index + 1}: [${rule.id}] ${rule.why}\n    ${line.trim()}`)
        }
      })
    }
  }
}
if (findings.length > 0) {
  console.error(`security-lint: ${findings.length} finding(s) in ${files} files\n${findings.join('\n')}`)
  process.exit(1)
}
console.log(`security-lint: ${files} files, no findings`)
