import { defineRefusal, sendProblem } from '@rampart/core'
import type { FastifyInstance } from 'fastify'
import { passwordProblem, publicUser, type UserDirectory, validEmail, validUsername } from './users.js'

const WEAK_PASSWORD = defineRefusal('demo', 'WEAK_PASSWORD', 400, 'Weak password')
const INVALID_USERNAME = defineRefusal('demo', 'INVALID_USERNAME', 400, 'Invalid username')
const INVALID_EMAIL = defineRefusal('demo', 'INVALID_EMAIL', 400, 'Invalid email')
const USERNAME_TAKEN = defineRefusal('demo', 'USERNAME_TAKEN', 409, 'Username taken')
const HTML_NOT_ACCEPTED = defineRefusal('demo', 'HTML_NOT_ACCEPTED', 422, 'HTML is not accepted')
const NOT_FOUND = defineRefusal('demo', 'USER_NOT_FOUND', 404, 'Not Found')

/** Seed 000's `/api/auth/register` limit: 10 a minute per client. */
const REGISTER_LIMIT = { register: { limit: 10, window: 60 } }

const registerSchema = {
  body: {
    type: 'object',
    required: ['username', 'password'],
    additionalProperties: false,
    properties: {
      username: { type: 'string', minLength: 1, maxLength: 64 },
      password: { type: 'string', minLength: 1, maxLength: 4096 },
      email: { type: 'string', maxLength: 320 },
    },
  },
} as const

const postSchema = {
  body: {
    type: 'object',
    required: ['title', 'content'],
    additionalProperties: false,
    properties: {
      title: { type: 'string', minLength: 1, maxLength: 200 },
      content: { type: 'string', minLength: 1, maxLength: 20_000 },
    },
  },
} as const

// A tag, a comment, or an entity-encoded tag opener: posts are plain text (or Markdown), never HTML.
const HTML = /<\s*[a-z!/?]|&(lt|#0*60|#x0*3c);/i

/** Registration, RBAC-protected user and post routes, and admin routes (seed 002's names). */
export async function identityRoutes(app: FastifyInstance, options: { users: UserDirectory }): Promise<void> {
  const { users } = options
  const posts: { id: number; title: string; content: string; author: string; created_at: string }[] = []

  app.post(
    '/api/auth/register',
    { schema: registerSchema, config: { rampart: { rateLimit: REGISTER_LIMIT } } },
    async (request, reply) => {
      const { username, password, email } = request.body as { username: string; password: string; email?: string }
      if (!validUsername(username)) {
        return sendProblem(reply, INVALID_USERNAME, {
          detail: 'The username must be 3 to 32 of a-z 0-9 _ . - (starting with a letter or digit).',
        })
      }
      if (email !== undefined && !validEmail(email)) {
        return sendProblem(reply, INVALID_EMAIL, { detail: 'The email address is not valid.' })
      }
      const problem = passwordProblem(password, username)
      if (problem !== null)
        return sendProblem(reply, WEAK_PASSWORD, { detail: problem.detail, extensions: { rule: problem.rule } })
      const user = await users.register({ username, password, email: email ?? null })
      if (user === null) return sendProblem(reply, USERNAME_TAKEN, { detail: `The username ${username} is taken.` })
      app.audit?.record(
        {
          eventType: 'user_registered',
          action: 'register',
          userId: username,
          resourceType: 'user',
          resourceId: username,
        },
        request,
      )
      return reply.code(201).send(publicUser(user))
    },
  )

  app.get(
    '/api/users',
    { config: { rampart: { auth: { required: true }, rbac: { permissions: ['read:users'] } } } },
    async () => ({
      users: users.list().map(publicUser),
    }),
  )

  app.get(
    '/api/posts',
    { config: { rampart: { auth: { required: true }, rbac: { permissions: ['read:posts'] } } } },
    async () => ({
      posts,
    }),
  )

  app.post(
    '/api/posts',
    { schema: postSchema, config: { rampart: { auth: { required: true }, rbac: { permissions: ['write:posts'] } } } },
    async (request, reply) => {
      const { title, content } = request.body as { title: string; content: string }
      if (HTML.test(title) || HTML.test(content)) {
        return sendProblem(reply, HTML_NOT_ACCEPTED, {
          detail: 'Posts are plain text or Markdown; HTML (tags, comments, encoded tags) is refused, not stored.',
        })
      }
      const post = {
        id: posts.length + 1,
        title,
        content,
        author: request.identity?.id ?? '',
        created_at: new Date().toISOString(),
      }
      if (posts.length < 10_000) posts.push(post)
      return reply.code(201).send(post)
    },
  )

  // Everything under /api/admin needs admin:access (a path rule of @rampart/rbac, see app.ts).
  app.get('/api/admin/stats', async () => ({
    users: users.size,
    posts: posts.length,
    uptime_seconds: Math.round(process.uptime()),
  }))

  app.delete('/api/admin/users/:username', async (request, reply) => {
    const { username } = request.params as { username: string }
    if (!users.delete(username)) return sendProblem(reply, NOT_FOUND, { detail: `No user ${username}.` })
    app.audit?.adminAction(request, { action: 'delete-user', resourceType: 'user', resourceId: username })
    return reply.code(204).send()
  })
}
