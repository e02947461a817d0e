import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { chromium } from 'playwright-core'
import t from 'tap'
import { buildApp } from '../src/app.js'
import { loadConfig } from '../src/config.js'

// The browser flow end to end in headless Chromium (Debian's, driven by playwright-core): sign in,
// set up MFA from the page's secret (codes from oathtool), post a CSRF-protected form, sign out and
// back in with a code, and a cross-site form post refused.
const CHROMIUM = '/usr/bin/chromium'

t.test(
  'the browser flow',
  { skip: existsSync(CHROMIUM) ? false : `${CHROMIUM} is not installed (.ci/run installs it)` },
  async (t) => {
    // Load shedding off: Chromium and a busy CI machine can lag this event loop past the 503 threshold.
    const app = await buildApp(loadConfig({ SECURITY_LOAD_SHEDDING: 'false' }).config, { logger: false })
    await app.listen({ host: '127.0.0.1', port: 0 })
    t.teardown(() => app.close())
    const port = (app.server.address() as AddressInfo).port
    const origin = `http://127.0.0.1:${port}`

    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] })
    t.teardown(() => browser.close())
    const page = await browser.newPage()

    await page.goto(`${origin}/app`)
    t.equal(await page.title(), 'Sign in · Rampart demo')
    await page.fill('input[name=username]', 'alice')
    await page.fill('input[name=password]', 'wrong password')
    await page.click('#login button')
    t.match(await page.textContent('.error'), /wrong/, 'a wrong password is refused on the page')
    await page.fill('input[name=username]', 'alice')
    await page.fill('input[name=password]', 'alice-demo-password')
    await page.click('#login button')
    t.equal(await page.textContent('h1'), 'Signed in as alice')

    await page.click('#mfa-setup button')
    t.ok(await page.isVisible('#qr'), 'the QR code is shown')
    const secret = (await page.textContent('#secret'))?.trim() as string
    const code = execFileSync('oathtool', ['--totp', '-b', secret], { encoding: 'utf8' }).trim()
    await page.fill('input[name=token]', code)
    await page.click('#mfa-verify button')
    t.ok(await page.isVisible('#mfa-on'), 'MFA is on')

    await page.fill('input[name=note]', 'hello from the browser')
    await page.click('#note button')
    t.equal(await page.textContent('#notes .note'), 'hello from the browser', 'the CSRF-protected form worked')

    // A page on another site (localhost is not 127.0.0.1) posting a form to the demo.
    const attacker = createServer((_request, response) => {
      response.setHeader('content-type', 'text/html')
      response.end(`<form id="attack" method="post" action="${origin}/app/notes">
<input name="note" value="planted by the attacker"></form><script>document.getElementById('attack').submit()</script>`)
    })
    await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.1', resolve))
    t.teardown(() => attacker.close())
    const attackerPort = (attacker.address() as AddressInfo).port
    const attackPage = await browser.newPage()
    const refused = attackPage.waitForResponse((response) => response.url() === `${origin}/app/notes`)
    await attackPage.goto(`http://localhost:${attackerPort}/`)
    const response = await refused
    t.equal(response.status(), 403, 'the cross-site post is refused')
    t.match(await response.text(), /RAMPART_CSRF_/)
    await page.goto(`${origin}/app`)
    t.notMatch(await page.textContent('#notes'), /planted/, 'nothing was planted')

    await page.click('#logout button')
    t.equal(await page.title(), 'Sign in · Rampart demo')
    await page.fill('input[name=username]', 'alice')
    await page.fill('input[name=password]', 'alice-demo-password')
    await page.click('#login button')
    t.match(await page.textContent('.error'), /code/, 'MFA is now asked for')
    const next = execFileSync(
      'oathtool',
      [
        '--totp',
        '-b',
        secret,
        '-N',
        `${new Date(Date.now() + 30_000).toISOString().replace('T', ' ').slice(0, 19)} UTC`,
      ],
      {
        encoding: 'utf8',
      },
    ).trim()
    await page.fill('input[name=username]', 'alice')
    await page.fill('input[name=password]', 'alice-demo-password')
    await page.fill('input[name=code]', next)
    await page.click('#login button')
    t.equal(await page.textContent('h1'), 'Signed in as alice', 'signed in with password and the next code')
  },
)
