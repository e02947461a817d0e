#!/usr/bin/env node
import { verify } from './verify.js'

/** `rampart-audit-verify <file>`: exit 0 when the chain is intact, 1 at the first broken record, 2 on usage or read errors. */
async function main(argv: readonly string[]): Promise<number> {
  const path = argv[0]
  if (path === undefined || argv.length !== 1 || path === '-h' || path === '--help') {
    process.stderr.write('usage: rampart-audit-verify <audit.jsonl>\n')
    return 2
  }
  try {
    const result = await verify(path)
    if (result.ok) {
      process.stdout.write(
        `${path}: intact, ${result.records} record${result.records === 1 ? '' : 's'}` +
          `${result.lastHash === null ? '' : `, last hash ${result.lastHash}`}\n`,
      )
      return 0
    }
    process.stdout.write(
      `${path}: broken at line ${result.line}: ${result.reason} (${result.records} intact record${result.records === 1 ? '' : 's'} before it)\n`,
    )
    return 1
  } catch (error) {
    process.stderr.write(`rampart-audit-verify: cannot read ${path}: ${(error as Error).message}\n`)
    return 2
  }
}

process.exitCode = await main(process.argv.slice(2))
