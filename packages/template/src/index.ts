export { type BlockedEvent, blockedChannel } from './diagnostics.js'
export { BLOCKED } from './errors.js'
export { DEFAULTS, type ResolvedTemplateOptions, resolveOptions, type TemplateOptions } from './options.js'
export { default, rampartTemplate } from './plugin.js'
