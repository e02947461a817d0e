import { addHealthCheck, declareClientAddress, declareIdentity } from '@rampart/core'
import type { FastifyBaseLogger, FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { AuditLog } from './audit-log.js'
import { AuditBuffer, type BatchWriter } from './buffer.js'
import { ChannelCapture } from './capture.js'
import { FileUnavailableError, PACKAGE } from './errors.js'
import { type AuditOptions, type ResolvedAuditOptions, resolveOptions } from './options.js'
import { RecordBuilder } from './record.js'
import { Redactor } from './redact.js'
import { FileWriter } from './sinks/file-sink.js'
import { PostgresWriter } from './sinks/postgres-sink.js'

function writerFor(settings: ResolvedAuditOptions, log: FastifyBaseLogger): BatchWriter {
  const sink = settings.sink
  return sink.type === 'file' ? new FileWriter(sink, log) : new PostgresWriter(sink, log)
}

async function rampartAudit(fastify: FastifyInstance, options: AuditOptions): Promise<void> {
  const settings = resolveOptions(options)
  declareClientAddress(fastify)
  declareIdentity(fastify)
  const log = fastify.log.child({ plugin: `@rampart/${PACKAGE}` })
  const writer = writerFor(settings, log)

  if (writer instanceof FileWriter) {
    // A file we cannot open is a configuration error: say so at start, not on the first record.
    try {
      await writer.open()
    } catch (error) {
      throw new FileUnavailableError(
        settings.sink.type === 'file' ? settings.sink.path : '',
        (error as Error).message,
        {
          cause: error,
        },
      )
    }
  } else if (writer instanceof PostgresWriter && settings.sink.type === 'postgres' && settings.sink.migrate) {
    // The database may start after the application: a failed migration is retried before the first batch.
    try {
      await writer.migrate()
    } catch (error) {
      log.warn({ err: error }, 'audit: PostgreSQL is not reachable yet; records are buffered until it is')
    }
  }

  const buffer = new AuditBuffer(writer, settings, log)
  const redactor = new Redactor(settings.redactKeys, { maxStringLength: settings.maxStringLength })
  const builder = new RecordBuilder({
    redactor,
    maxUserAgentLength: settings.maxUserAgentLength,
    maxStringLength: settings.maxStringLength,
    sessionId: settings.sessionId,
    now: settings.now,
  })
  const audit = new AuditLog(builder, buffer)
  fastify.decorate('audit', audit)

  const capture = new ChannelCapture(fastify, settings.capture, audit, log, settings.now)
  capture.start()
  if (settings.healthCheck) addHealthCheck(fastify, 'audit', () => buffer.health())

  // Graceful shutdown: stop listening, record the open repeat counts, write what is buffered
  // (waiting at most `closeTimeout`), report what could not be written, release the sink.
  fastify.addHook('onClose', async () => {
    capture.stop()
    await buffer.close()
  })
}

export { rampartAudit }
export default fp(rampartAudit, { fastify: '5.x', name: `@rampart/${PACKAGE}` })
