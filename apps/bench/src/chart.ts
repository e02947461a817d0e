import type { BenchResult } from './results.js'
import type { VariantGroup } from './variants.js'

const COLOURS: Record<VariantGroup, string> = {
  baseline: '#6b7280',
  'rampart-plugin': '#2563eb',
  'rampart-preset': '#7c3aed',
  'rampart-stack': '#0d9488',
  fastify: '#ea580c',
}

const LEGEND: [VariantGroup, string][] = [
  ['baseline', 'bare Fastify'],
  ['rampart-plugin', 'Rampart plugin alone'],
  ['rampart-preset', 'Rampart preset'],
  ['rampart-stack', 'Rampart like-for-like stack'],
  ['fastify', '@fastify plugins and stacks'],
]

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')
}

/** A horizontal bar chart of the median server CPU per request of every measured variant. */
export function cpuChart(result: BenchResult): string {
  const rows = result.variants.filter((v) => v.status === 'measured' && v.median.cpuPerRequest !== undefined)
  const bare = rows.find((v) => v.name === 'bare')?.median.cpuPerRequest
  const max = Math.max(...rows.map((v) => v.median.cpuPerRequest as number), 1)
  const labelWidth = 190
  const barWidth = 520
  const valueWidth = 140
  const rowHeight = 22
  const top = 78
  const width = labelWidth + barWidth + valueWidth + 20
  const height = top + rows.length * rowHeight + 40
  const scale = barWidth / max
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, -apple-system, Segoe UI, sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="10" y="22" font-size="15" font-weight="600">Server CPU per request (µs, median of ${result.settings.rounds} rounds; × bare Fastify of the same round)</text>`,
    `<text x="10" y="40" fill="#4b5563">GET /api/hello, ${result.settings.connections} connections, Fastify ${escapeXml(result.versions.packages.fastify ?? '')}, Node ${escapeXml(result.versions.node)}, ${escapeXml(result.startedAt.slice(0, 10))}</text>`,
  ]
  let legendX = 10
  for (const [group, label] of LEGEND) {
    parts.push(`<rect x="${legendX}" y="52" width="10" height="10" fill="${COLOURS[group]}"/>`)
    parts.push(`<text x="${legendX + 14}" y="61">${escapeXml(label)}</text>`)
    legendX += 24 + label.length * 6.2
  }
  rows.forEach((variant, index) => {
    const y = top + index * rowHeight
    const cpu = variant.median.cpuPerRequest as number
    const ratio = variant.ratio.cpuPerRequest
    const length = Math.max(1, cpu * scale)
    parts.push(
      `<text x="${labelWidth - 8}" y="${y + 14}" text-anchor="end">${escapeXml(variant.name)}</text>`,
      `<rect x="${labelWidth}" y="${y + 3}" width="${length.toFixed(1)}" height="${rowHeight - 6}" fill="${COLOURS[variant.group]}"><title>${escapeXml(variant.description)}</title></rect>`,
      `<text x="${(labelWidth + length + 6).toFixed(1)}" y="${y + 14}" fill="#111827">${cpu.toFixed(1)} µs${ratio === undefined ? '' : ` · ${ratio.toFixed(2)}×`}</text>`,
    )
  })
  if (bare !== undefined) {
    const x = (labelWidth + bare * scale).toFixed(1)
    const bottom = top + rows.length * rowHeight
    parts.push(
      `<line x1="${x}" y1="${top - 2}" x2="${x}" y2="${bottom}" stroke="#111827" stroke-dasharray="3 3" stroke-width="1"/>`,
      `<text x="${x}" y="${bottom + 16}" text-anchor="middle" fill="#4b5563">bare</text>`,
    )
  }
  parts.push('</svg>')
  return `${parts.join('\n')}\n`
}
