import t from 'tap'
import { build, collectDetectionsWithRequest } from './fixtures/app.js'

/**
 * A documented limit: a body that *is about* SQL, shells or HTML (a developer forum post, a
 * snippet, documentation) holds what the rules look for, and is flagged. The benign corpus leaves
 * such content out and the README reports it apart. The remedy is per route: `body: false`, or
 * the rule types turned off or kept in monitor mode there.
 */
const TECHNICAL_POSTS = [
  "```sql\nSELECT * FROM users WHERE name = 'a' OR name = 'b';\n```",
  '```sh\ncurl -fsSL https://get.example.com | sh\n```',
  'Run `cat /etc/hosts` to see the mapping.',
  'Embed it with <script src="https://cdn.example.com/widget.js"></script>.',
  'cd ../../.. && ls -la',
  "Use `' OR 1=1 --` in your pentest checklist.",
  'The classic: <img src=x onerror=alert(1)>',
  'Start a shell with /bin/sh -c "echo hi"',
  'Try `UNION SELECT` against your staging DB only.',
  'Then `; drop table sessions;` in psql.',
]

t.test('code and payloads quoted in bodies are flagged (a documented limit)', async (t) => {
  const app = await build({ body: true })
  const events = collectDetectionsWithRequest(t)
  for (const content of TECHNICAL_POSTS) await app.inject({ method: 'POST', url: '/api/posts', payload: { content } })
  const flagged = new Set(events.map((event) => event.request.id)).size
  t.comment(`technical posts flagged: ${flagged}/${TECHNICAL_POSTS.length}`)
  t.equal(flagged, TECHNICAL_POSTS.length)
})

t.test('a route that takes such content turns body inspection off, or keeps it in monitor mode', async (t) => {
  const app = await build({ body: true, mode: 'block' }, (app) => {
    app.post('/api/posts', { config: { rampart: { shield: { body: false } } } }, async () => 'posted')
    app.post('/api/snippets', { config: { rampart: { shield: { mode: 'monitor' } } } }, async () => 'saved')
    app.post('/api/comments', async () => 'commented')
  })
  for (const content of TECHNICAL_POSTS) {
    t.equal((await app.inject({ method: 'POST', url: '/api/posts', payload: { content } })).statusCode, 200)
    t.equal((await app.inject({ method: 'POST', url: '/api/snippets', payload: { content } })).statusCode, 200)
    t.equal((await app.inject({ method: 'POST', url: '/api/comments', payload: { content } })).statusCode, 403)
  }
})
