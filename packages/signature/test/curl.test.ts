import { spawn, spawnSync } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import t from 'tap'
import { buildApp, KEY_ID, SECRET } from './fixtures/helpers.js'

/** The README's curl + openssl snippet, exactly as written there. */
async function readmeSnippet(): Promise<string> {
  const readme = await readFile(new URL('../README.md', import.meta.url), 'utf8')
  const match = /<!-- curl-example:start -->\n```sh\n([\s\S]*?)```\n<!-- curl-example:end -->/.exec(readme)
  if (match === null) throw new Error('README.md has no curl example between its markers')
  return match[1] as string
}

function runBash(
  script: string,
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-euo', 'pipefail', '-c', script], {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk) => (stdout += chunk))
    child.stderr.on('data', (chunk) => (stderr += chunk))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr }))
  })
}

const hasTools = spawnSync('bash', ['-c', 'command -v openssl && command -v curl']).status === 0

t.test(
  'the README snippet (bash + openssl + curl) signs a request the plugin accepts',
  { skip: hasTools ? false : 'bash, openssl or curl is not installed' },
  async (t) => {
    const app = await buildApp(t, {}, (app) => {
      app.post('/api/orders', async (request) => ({
        keyId: request.signatureKeyId,
        query: request.query,
        body: request.body,
      }))
    })
    const address = await app.listen({ host: '127.0.0.1', port: 0 })
    const snippet = await readmeSnippet()

    const accepted = await runBash(snippet, { BASE_URL: address, KEY_ID, SECRET })
    t.equal(accepted.code, 0, accepted.stderr)
    t.same(JSON.parse(accepted.stdout), {
      keyId: KEY_ID,
      query: { currency: 'EUR', dry_run: '1' },
      body: { amount: 10, note: 'café' },
    })

    const wrongSecret = await runBash(snippet, { BASE_URL: address, KEY_ID, SECRET: 'x'.repeat(40) })
    t.equal(JSON.parse(wrongSecret.stdout).code, 'RAMPART_SIGNATURE_INVALID', 'the signature is really checked')
    const tampered = await runBash(snippet.replace(`--data-binary "$BODY"`, `--data-binary '{"amount":1000}'`), {
      BASE_URL: address,
      KEY_ID,
      SECRET,
    })
    t.equal(JSON.parse(tampered.stdout).code, 'RAMPART_SIGNATURE_INVALID', 'a body other than the one hashed')
  },
)
