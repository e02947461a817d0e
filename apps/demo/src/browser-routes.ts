import { parse as parseQueryString } from 'node:querystring'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { UserDirectory } from './users.js'

/**
 * The browser flow (seed 002's closing exercise): login with a password (and a second factor once
 * enabled) into a server-side session, MFA setup with the QR code, and a CSRF-protected form.
 * Every page loads the session in onRequest (`config.rampart.session: true`), so @rampart/csrf
 * reads its id synchronously; every form carries the token in a hidden `csrf_token` field.
 */

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }
function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ESCAPES[char] as string)
}

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)} · Rampart demo</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem}
form{margin:1rem 0;padding:1rem;border:1px solid #ccc;border-radius:.5rem}label{display:block;margin:.5rem 0}
.error{color:#a00}.note{background:#f4f4f4;padding:.25rem .5rem;margin:.25rem 0}</style></head>
<body><h1>${escapeHtml(title)}</h1>${body}</body></html>`
}

function form(action: string, token: string, fields: string, button: string, id: string): string {
  return `<form method="post" action="${action}" id="${id}">
<input type="hidden" name="csrf_token" value="${escapeHtml(token)}">${fields}
<button type="submit">${escapeHtml(button)}</button></form>`
}

// Forms are checked even when a request carries no cookie, so a cross-site post is refused outright.
const SESSION_PAGE = { config: { rampart: { session: true, csrf: { skipWhenNoCookies: false } } } } as const

function html(reply: FastifyReply, body: string, status = 200): FastifyReply {
  return reply.code(status).header('cache-control', 'no-store').type('text/html; charset=utf-8').send(body)
}

export async function browserRoutes(app: FastifyInstance, options: { users: UserDirectory }): Promise<void> {
  const { users } = options
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit: 16 * 1024 },
    (_request, body, done) => {
      done(null, { ...parseQueryString(body as string) })
    },
  )

  async function home(request: FastifyRequest, reply: FastifyReply, message = '', status = 200) {
    const token = reply.csrfToken()
    const session = request.session
    const userId = session?.userId
    const error = message === '' ? '' : `<p class="error" role="alert">${escapeHtml(message)}</p>`
    if (userId === undefined || userId === null) {
      return html(
        reply,
        page(
          'Sign in',
          `${error}${form(
            '/app/login',
            token,
            `<label>Username <input name="username" autocomplete="username" required></label>
<label>Password <input name="password" type="password" autocomplete="current-password" required></label>
<label>Code (if MFA is on) <input name="code" autocomplete="one-time-code" inputmode="numeric"></label>`,
            'Sign in',
            'login',
          )}`,
        ),
        status,
      )
    }
    const notes = (session?.get('notes') as string[] | undefined) ?? []
    const mfa = await app.mfa.status(String(userId))
    const mfaState =
      mfa?.enabled === true
        ? '<p id="mfa-on">MFA is on.</p>'
        : form('/app/mfa/setup', token, '', 'Set up MFA', 'mfa-setup')
    return html(
      reply,
      page(
        `Signed in as ${String(userId)}`,
        `${error}${mfaState}
${form('/app/notes', token, '<label>Note <input name="note" maxlength="200" required></label>', 'Save note', 'note')}
<div id="notes">${notes.map((note) => `<p class="note">${escapeHtml(note)}</p>`).join('')}</div>
${form('/app/logout', token, '', 'Sign out', 'logout')}`,
      ),
      status,
    )
  }

  app.get('/app', SESSION_PAGE, async (request, reply) => home(request, reply))

  app.post('/app/login', SESSION_PAGE, async (request, reply) => {
    const { username, password, code } = (request.body ?? {}) as Record<string, string | undefined>
    if (typeof username !== 'string' || typeof password !== 'string')
      return home(request, reply, 'Enter a username and a password.', 400)
    const user = await users.verify(username, password)
    if (user === null) {
      app.audit?.authentication(request, { success: false, username, method: 'password' })
      return home(request, reply, 'The username or password is wrong.', 401)
    }
    if ((await app.mfa.status(user.username))?.enabled === true) {
      const result =
        typeof code === 'string' && code !== '' ? await app.mfa.verify(user.username, code, { request }) : null
      if (result === null || !result.ok) {
        app.audit?.authentication(request, { success: false, username, method: 'password+otp' })
        return home(request, reply, 'Enter a valid code from your authenticator app.', 401)
      }
    }
    app.audit?.authentication(request, { success: true, username, method: 'password', userId: user.username })
    // A new session id on login: a session id planted before it is worthless after (fixation).
    await (request.session ?? (await request.sessionLoad()))?.login(user.username, { role: user.role })
    return reply.redirect('/app', 303)
  })

  app.post('/app/mfa/setup', SESSION_PAGE, async (request, reply) => {
    const userId = request.session?.userId
    if (userId === undefined || userId === null) return reply.redirect('/app', 303)
    const setup = await app.mfa.setup(String(userId), String(userId), { request })
    const token = reply.csrfToken()
    return html(
      reply,
      page(
        'Set up MFA',
        `<p>Scan the code with your authenticator app, then enter the code it shows.</p>
<img id="qr" alt="QR code for your authenticator app" src="${setup.qrPng}" width="220" height="220">
<p>Or enter the secret: <code id="secret">${escapeHtml(setup.secret)}</code></p>
<p>Backup codes (each works once; keep them safe):</p><ul id="backup-codes">${setup.backupCodes.map((backup) => `<li>${escapeHtml(backup)}</li>`).join('')}</ul>
${form('/app/mfa/verify', token, '<label>Code <input name="token" autocomplete="one-time-code" inputmode="numeric" required></label>', 'Turn on MFA', 'mfa-verify')}`,
      ),
    )
  })

  app.post('/app/mfa/verify', SESSION_PAGE, async (request, reply) => {
    const userId = request.session?.userId
    if (userId === undefined || userId === null) return reply.redirect('/app', 303)
    const { token } = (request.body ?? {}) as Record<string, string | undefined>
    const result = await app.mfa.confirm(String(userId), token ?? '', { request })
    if (!result.ok) return home(request, reply, 'That code did not work; set up MFA again.', 400)
    // A change of privilege (a second factor) gets a new session id too.
    await request.session?.regenerate()
    return reply.redirect('/app', 303)
  })

  app.post('/app/notes', SESSION_PAGE, async (request, reply) => {
    const session = request.session
    if (session?.userId === undefined || session.userId === null) return reply.redirect('/app', 303)
    const { note } = (request.body ?? {}) as Record<string, string | undefined>
    if (typeof note === 'string' && note.trim() !== '') {
      const notes = ((session.get('notes') as string[] | undefined) ?? []).slice(-19)
      session.set('notes', [...notes, note.slice(0, 200)])
    }
    return reply.redirect('/app', 303)
  })

  app.post('/app/logout', SESSION_PAGE, async (request, reply) => {
    await request.session?.destroy()
    return reply.redirect('/app', 303)
  })
}
