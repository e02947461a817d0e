import { fileURLToPath } from 'node:url'
import { buildApp } from './app.js'
import { ConfigError, loadConfig } from './config.js'
import { withEnvFiles } from './env-file.js'

// `.env` in apps/demo first, then the repository root; real environment variables win over both.
const envFiles = [new URL('../.env', import.meta.url), new URL('../../../.env', import.meta.url)].map((url) =>
  fileURLToPath(url),
)

async function main(): Promise<void> {
  let loaded: ReturnType<typeof loadConfig>
  try {
    loaded = loadConfig(withEnvFiles(process.env, envFiles))
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`rampart demo: ${error.message}`)
      process.exit(1)
    }
    throw error
  }
  const { config, warnings } = loaded
  const app = await buildApp(config, { logger: { level: process.env.LOG_LEVEL ?? 'info' } })
  for (const warning of warnings) app.log.warn(warning)

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      app.close().then(
        () => process.exit(0),
        () => process.exit(1),
      )
    })
  }

  try {
    await app.listen({ host: config.host, port: config.port })
  } catch (error) {
    console.error(`rampart demo: cannot listen on ${config.host}:${config.port}: ${(error as Error).message}`)
    process.exit(1)
  }
  const address = app.server.address()
  const port = typeof address === 'object' && address !== null ? address.port : config.port
  const host = config.host.includes(':') ? `[${config.host}]` : config.host
  console.log(`Rampart demo (phase ${config.phase}) listening on http://${host}:${port}`)
}

await main()
