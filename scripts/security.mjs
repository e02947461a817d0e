#!/usr/bin/env node
// `pnpm security`: the Node counterparts of the seed's `safety` (pnpm audit) and `bandit`
// (scripts/security-lint.mjs plus Biome's security rules). Fails on any finding.
import { spawnSync } from 'node:child_process'

const run = (command, args) => spawnSync(command, args, { encoding: 'utf8', shell: false })
let failed = false

const audit = run('pnpm', ['audit', '--audit-level', 'high'])
const auditOutput = `${audit.stdout}${audit.stderr}`
if (audit.status === 0) {
  console.log(auditOutput.trim() || 'pnpm audit: no known vulnerabilities at level high or above')
} else if (/ERR_PNPM_AUDIT_BAD_RESPONSE|ENOTFOUND|ECONNREFUSED|ETIMEDOUT|EAI_AGAIN/.test(auditOutput)) {
  // Not a finding: the advisory service could not be asked. Said loudly, never passed off as clean.
  console.warn(
    `pnpm audit: the advisory service is unreachable from here, so dependencies were NOT audited:\n${auditOutput.trim()}`,
  )
} else {
  console.error(auditOutput)
  failed = true
}

for (const [command, args] of [
  ['node', ['scripts/security-lint.mjs']],
  ['pnpm', ['exec', 'biome', 'lint', '--only=security', 'packages', 'apps']],
]) {
  const result = run(command, args)
  process.stdout.write(result.stdout)
  process.stderr.write(result.stderr)
  if (result.status !== 0) failed = true
}
process.exit(failed ? 1 : 0)
