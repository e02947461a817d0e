import { defineRefusal, sendProblem } from '@rampart/core'
import { DEFAULT_ROLES } from '@rampart/rbac'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'

/** The seed's permissions of a role (the default map of @rampart/rbac), carried as the token's scope. */
function permissionsOf(role: string): readonly string[] {
  const definition = DEFAULT_ROLES[role]
  if (definition === undefined) return []
  return Array.isArray(definition)
    ? definition
    : ((definition as { permissions?: readonly string[] }).permissions ?? [])
}

import { sendMfaFailure } from '@rampart/mfa'
import type { DemoUser, UserDirectory } from './users.js'

const INVALID_CREDENTIALS = defineRefusal('demo', 'INVALID_CREDENTIALS', 401, 'Invalid credentials')
const MFA_REQUIRED = defineRefusal('demo', 'MFA_REQUIRED', 401, 'Second factor required')

/** The seeds' login limit: 5 attempts a minute per client, one count for both login paths. */
const LOGIN_LIMIT = { login: { limit: 5, window: 60, group: 'login' } }

const loginSchema = {
  body: {
    type: 'object',
    required: ['username', 'password'],
    additionalProperties: false,
    properties: {
      username: { type: 'string', minLength: 1, maxLength: 64 },
      password: { type: 'string', minLength: 1, maxLength: 1024 },
      // The TOTP or backup code, for users who enabled MFA.
      code: { type: 'string', maxLength: 32 },
    },
  },
} as const

/** Phase 2: login (JWT), a JWT-protected route and an API-key route. */
export async function phase2Routes(app: FastifyInstance, options: { users: UserDirectory }): Promise<void> {
  const { users } = options

  function tokenFor(user: DemoUser, amr: readonly string[]) {
    return app.rampartJwt.issue({
      sub: user.username,
      tier: user.tier,
      role: user.role,
      scope: permissionsOf(user.role).join(' '),
      // RFC 8176 authentication methods: routes that need a second factor read `otp`.
      amr,
    })
  }

  async function login(request: FastifyRequest, reply: FastifyReply) {
    const { username, password, code } = request.body as { username: string; password: string; code?: string }
    const user = await users.verify(username, password)
    if (user === null) {
      app.audit?.authentication(request, { success: false, username, method: 'password' })
      return sendProblem(reply, INVALID_CREDENTIALS, {
        detail: 'The username or password is wrong.',
        headers: { 'www-authenticate': app.rampartJwt.challenge },
      })
    }
    if ((await app.mfa.status(user.username))?.enabled === true) {
      if (code === undefined) {
        return sendProblem(reply, MFA_REQUIRED, {
          detail: 'This account has MFA: send the TOTP or a backup code as "code".',
          headers: { 'www-authenticate': app.rampartJwt.challenge },
          extensions: { mfa_required: true },
        })
      }
      const result = await app.mfa.verify(user.username, code, { request })
      app.audit?.authentication(request, {
        success: result.ok,
        username,
        method: `password+${result.method}`,
        userId: user.username,
      })
      if (!result.ok) return sendMfaFailure(reply, result)
      return tokenFor(user, ['pwd', 'otp'])
    }
    app.audit?.authentication(request, { success: true, username, method: 'password', userId: user.username })
    return tokenFor(user, ['pwd'])
  }
  const loginRoute = { schema: loginSchema, config: { rampart: { rateLimit: LOGIN_LIMIT } } }
  app.post('/api/auth/login', loginRoute, login)
  app.post('/auth/login', loginRoute, login)

  app.get(
    '/api/protected',
    { config: { rampart: { auth: { required: true, strategies: ['jwt'] } } } },
    async (request) => {
      const identity = request.identity
      return {
        message: 'You are authenticated',
        user_id: identity?.id,
        kind: identity?.kind,
        tier: identity?.tier ?? null,
        scopes: identity?.scopes ?? [],
      }
    },
  )

  // Seed 002's MFA routes, for the logged-in user (a JWT). The secret and codes are shown once.
  const jwtRequired = { config: { rampart: { auth: { required: true, strategies: ['jwt'] } } } }
  app.post('/auth/mfa/setup', jwtRequired, async (request, reply) => {
    const id = request.identity?.id as string
    const setup = await app.mfa.setup(id, id, { request })
    reply.header('cache-control', 'no-store')
    return {
      secret: setup.secret,
      qr_code: setup.qrPng,
      qr_svg: setup.qrSvg,
      otpauth_url: setup.otpauthUrl,
      backup_codes: setup.backupCodes,
    }
  })

  app.post(
    '/auth/mfa/verify',
    {
      ...jwtRequired,
      schema: {
        body: {
          type: 'object',
          required: ['token'],
          additionalProperties: false,
          properties: { token: { type: 'string', maxLength: 32 } },
        },
      },
    },
    async (request, reply) => {
      const id = request.identity?.id as string
      const { token } = request.body as { token: string }
      const status = await app.mfa.status(id)
      // The first code confirms the enrolment (MFA turns on); later ones verify.
      const result =
        status?.enabled === false
          ? await app.mfa.confirm(id, token, { request })
          : await app.mfa.verify(id, token, { request })
      if (!result.ok) return sendMfaFailure(reply, result)
      const user = users.get(id)
      return {
        verified: true,
        method: result.method,
        ...(user === undefined ? {} : tokenFor(user, ['pwd', 'otp'])),
      }
    },
  )

  // Authenticated by X-API-Key only (the demo's key is in the README), with a scope.
  app.get(
    '/api/reports',
    { config: { rampart: { auth: { strategies: ['api-key'], scopes: ['reports:read'] } } } },
    async (request) => ({
      message: 'Reports for an API client',
      owner: request.identity?.id,
      kind: request.identity?.kind,
      tier: request.identity?.tier ?? null,
      scopes: request.identity?.scopes ?? [],
    }),
  )
}
