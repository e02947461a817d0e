import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import t from 'tap'

// The published entry point (dist, through package.json `exports`) must load from CommonJS.
t.test('a CommonJS consumer can require() the package', async (t) => {
  const fixture = fileURLToPath(new URL('./fixtures/require-core.cjs', import.meta.url))
  const output = execFileSync(process.execPath, ['--no-warnings', fixture], { encoding: 'utf8' })
  t.same(JSON.parse(output), { sendProblem: 'function', getClientAddress: 'function' })
})
