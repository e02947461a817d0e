import { parse as parseQueryString } from 'node:querystring'
import type { FastifyInstance, FastifyRequest } from 'fastify'

/** Header values the demo does not reflect back: the caller has them, logs and proxies need not. */
const REDACTED_HEADERS = new Set(['authorization', 'cookie', 'proxy-authorization', 'x-api-key'])

function visibleHeaders(request: FastifyRequest): Record<string, string | string[] | undefined> {
  const headers: Record<string, string | string[] | undefined> = {}
  for (const [name, value] of Object.entries(request.headers)) {
    headers[name] = REDACTED_HEADERS.has(name) ? '[redacted]' : value
  }
  return headers
}

/** The seed's Phase 1 routes (`main.py`, and `POST /api/test` from its test app). */
export async function phase1Routes(app: FastifyInstance, options: { maxUploadSize: number }): Promise<void> {
  // Forms are echoed like JSON; Fastify parses only JSON and text by itself.
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
    done(null, { ...parseQueryString(body as string) })
  })

  app.get('/api/test', async (request) => ({
    message: 'API is working',
    client_ip: request.clientAddress.ip,
    headers: visibleHeaders(request),
  }))

  const echo = async (request: FastifyRequest) => ({ received: request.body ?? null })
  app.post('/api/echo', echo)
  app.post('/api/test', echo)

  // Upload bodies are counted, not kept: the route shows the size limit, not a file store.
  app.register(async (upload) => {
    for (const type of ['application/octet-stream', 'multipart/form-data']) {
      upload.addContentTypeParser(type, (_request, payload, done) => {
        let bytes = 0
        payload.on('data', (chunk: Buffer) => {
          bytes += chunk.length
        })
        payload.on('end', () => done(null, { bytes }))
        payload.on('error', done)
      })
    }
    upload.post(
      '/api/upload',
      {
        bodyLimit: options.maxUploadSize,
        config: {
          rampart: {
            contentGuard: {
              allowedTypes: ['application/octet-stream', 'multipart/form-data', 'application/json', 'text/plain'],
            },
          },
        },
      },
      async (request) => {
        const body = request.body as { bytes?: number } | string | object | undefined
        const bytes =
          typeof body === 'object' && body !== null && 'bytes' in body
            ? body.bytes
            : Number(request.headers['content-length'] ?? 0)
        return { received_bytes: bytes, content_type: request.headers['content-type'] ?? null }
      },
    )
  })
}
