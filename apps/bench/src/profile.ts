/**
 * The hottest functions of V8 CPU profiles (`--cpu-prof`, e.g. from `pnpm bench --profile`):
 * `node --import tsx src/profile.ts <file.cpuprofile>... [options]`.
 *
 * Prints self time by function (`package/file:function:line`) as a share of the busy samples, then
 * the total (self + callees) time of the functions whose location contains `--filter` (default
 * `@rampart`), so a plugin's own cost can be read off its hooks.
 *
 *   --window S        keep only the S busiest consecutive seconds of each profile (the measured
 *                     load, not the start-up)
 *   --callees text    break down the time under the functions whose label contains `text`, by
 *                     direct callee (an onSend hook's total includes the rest of the send: this
 *                     separates the hook's own work from `done()`)
 *   --requests N      requests served in the window: figures in µs per request instead of %
 *   --baseline FILE   with --requests and --baseline-requests: the functions whose self time per
 *                     request grew the most against this profile (bare Fastify's, say)
 */
import { readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'

interface ProfileNode {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number }
  children?: number[]
}

interface Profile {
  nodes: ProfileNode[]
  startTime: number
  endTime: number
  samples: number[]
  timeDeltas: number[]
}

/** `…/node_modules/.pnpm/x@1/node_modules/@fastify/jwt/jwt.js` → `@fastify/jwt/jwt.js`; workspace paths → `@rampart/<pkg>/...`. */
function shortUrl(url: string): string {
  if (url === '') return '(native)'
  const rampart = /\/packages\/([^/]+)\/(?:dist|src)\/(.+)$/.exec(url)
  if (rampart) return `@rampart/${rampart[1]}/${rampart[2]}`
  const modules = url.lastIndexOf('/node_modules/')
  if (modules >= 0) return url.slice(modules + '/node_modules/'.length)
  return url.replace(/^file:\/\//, '').replace(/^.*\/apps\//, 'apps/')
}

function label(node: ProfileNode): string {
  const frame = node.callFrame
  return `${shortUrl(frame.url)}:${frame.functionName || '(anonymous)'}:${frame.lineNumber + 1}`
}

/**
 * The `seconds`-long window of the profile with the most samples serving HTTP (a frame of Node's
 * HTTP server, or of Fastify, on the stack): the load, not the start-up. [from, to] in profile time.
 */
function busiestWindow(
  profile: Profile,
  byId: Map<number, ProfileNode>,
  parent: Map<number, number>,
  seconds: number | undefined,
): [number, number] {
  if (seconds === undefined) return [-Infinity, Infinity]
  const serving = new Map<number, boolean>()
  const isServing = (id: number): boolean => {
    const known = serving.get(id)
    if (known !== undefined) return known
    const url = byId.get(id)?.callFrame.url ?? ''
    const up = parent.get(id)
    const value = url.includes('node:_http') || url.includes('/fastify/') || (up !== undefined && isServing(up))
    serving.set(id, value)
    return value
  }
  const width = seconds * 1e6
  const times: number[] = []
  let time = profile.startTime
  profile.samples.forEach((id, index) => {
    time += profile.timeDeltas[index] ?? 0
    if (isServing(id)) times.push(time)
  })
  let best = 0
  let bestFrom = profile.startTime
  let start = 0
  for (let end = 0; end < times.length; end++) {
    while ((times[end] as number) - (times[start] as number) > width) start++
    if (end - start + 1 > best) {
      best = end - start + 1
      bestFrom = times[start] as number
    }
  }
  return [bestFrom, bestFrom + width]
}

/** Busy µs by function: own samples (`self`), samples with it on the stack (`total`), under `callees`. */
interface Tally {
  busy: number
  readonly self: Map<string, number>
  readonly total: Map<string, number>
  readonly under: Map<string, number>
}

function add(map: Map<string, number>, key: string, value: number): void {
  map.set(key, (map.get(key) ?? 0) + value)
}

function tally(files: readonly string[], windowSeconds: number | undefined, callees: string | undefined): Tally {
  const result: Tally = { busy: 0, self: new Map(), total: new Map(), under: new Map() }
  for (const file of files) {
    const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile
    const byId = new Map(profile.nodes.map((node) => [node.id, node]))
    const parent = new Map<number, number>()
    for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id)
    const [from, to] = busiestWindow(profile, byId, parent, windowSeconds)
    let time = profile.startTime
    profile.samples.forEach((id, index) => {
      const delta = profile.timeDeltas[index] ?? 0
      time += delta
      if (time < from || time > to) return
      const node = byId.get(id)
      // Idle time is not CPU; `(program)` (native code V8 does not attribute) and GC are.
      if (node === undefined || node.callFrame.functionName === '(idle)') return
      const name = label(node)
      result.busy += delta
      add(result.self, name, delta)
      const seen = new Set<string>()
      let child = name
      let attributed = false
      for (let current: number | undefined = id; current !== undefined; current = parent.get(current)) {
        const frame = byId.get(current)
        if (frame === undefined) break
        const frameName = label(frame)
        if (!attributed && callees !== undefined && frameName.includes(callees)) {
          add(result.under, current === id ? `${frameName} (self)` : child, delta)
          attributed = true
        }
        child = frameName
        if (seen.has(frameName)) continue
        seen.add(frameName)
        add(result.total, frameName, delta)
      }
    })
  }
  return result
}

export interface SummaryOptions {
  readonly top: number
  readonly filter: string
  readonly windowSeconds?: number
  readonly callees?: string
  /** Requests served in the window: figures become µs per request. */
  readonly requests?: number
  readonly baseline?: { readonly files: readonly string[]; readonly requests: number }
}

export function summarise(files: readonly string[], options: SummaryOptions): string {
  const { top, filter, requests } = options
  const main = tally(files, options.windowSeconds, options.callees)
  const show = (value: number) =>
    requests === undefined
      ? `${((100 * value) / main.busy).toFixed(1).padStart(5)} %`
      : `${(value / requests).toFixed(2).padStart(6)} µs/req`
  const sorted = (map: Map<string, number>, keep: (name: string) => boolean = () => true) =>
    [...map]
      .filter(([name]) => keep(name))
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
  const lines = [
    `busy samples: ${(main.busy / 1000).toFixed(0)} ms over ${files.length} profile(s)` +
      (requests === undefined ? '' : `, ${(main.busy / requests).toFixed(1)} µs per request`),
    '',
    `top ${top} by self time:`,
    ...sorted(main.self).map(([name, value]) => `  ${show(value)}  ${name}`),
    '',
    `top ${top} by total time, locations containing "${filter}":`,
    ...sorted(main.total, (name) => name.includes(filter)).map(([name, value]) => `  ${show(value)}  ${name}`),
  ]
  if (options.callees !== undefined) {
    lines.push('', `time under "${options.callees}", by direct callee:`)
    for (const [name, value] of sorted(main.under)) lines.push(`  ${show(value)}  ${name}`)
  }
  if (options.baseline !== undefined && requests !== undefined) {
    const base = tally(options.baseline.files, options.windowSeconds, undefined)
    const perRequest = base.busy / options.baseline.requests
    lines.push(
      '',
      `against the baseline (${perRequest.toFixed(1)} µs per request): self time per request, largest growth:`,
    )
    const growth = new Map<string, number>()
    for (const name of new Set([...main.self.keys(), ...base.self.keys()])) {
      growth.set(name, (main.self.get(name) ?? 0) / requests - (base.self.get(name) ?? 0) / options.baseline.requests)
    }
    for (const [name, value] of [...growth].sort((a, b) => b[1] - a[1]).slice(0, top)) {
      lines.push(`  ${value >= 0 ? '+' : ''}${value.toFixed(2).padStart(6)} µs/req  ${name}`)
    }
  }
  return lines.join('\n')
}

const { values, positionals } = parseArgs({
  options: {
    top: { type: 'string' },
    filter: { type: 'string' },
    window: { type: 'string' },
    callees: { type: 'string' },
    requests: { type: 'string' },
    baseline: { type: 'string', multiple: true },
    'baseline-requests': { type: 'string' },
  },
  allowPositionals: true,
})
if (positionals.length === 0) {
  process.stderr.write(
    'usage: node --import tsx src/profile.ts <file.cpuprofile>... [--top N] [--filter text] [--window S] ' +
      '[--callees text] [--requests N [--baseline FILE --baseline-requests M]]\n',
  )
  process.exit(2)
}
process.stdout.write(
  `${summarise(positionals, {
    top: Number(values.top ?? 25),
    filter: values.filter ?? '@rampart',
    ...(values.window === undefined ? {} : { windowSeconds: Number(values.window) }),
    ...(values.callees === undefined ? {} : { callees: values.callees }),
    ...(values.requests === undefined ? {} : { requests: Number(values.requests) }),
    ...(values.baseline === undefined || values['baseline-requests'] === undefined
      ? {}
      : { baseline: { files: values.baseline, requests: Number(values['baseline-requests']) } }),
  })}\n`,
)
