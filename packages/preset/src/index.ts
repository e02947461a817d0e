export { PHASE_PLUGINS, PHASES, PLUGIN_DEFAULTS, type Phase, type PresetOptions, type ResolvedPresetOptions, resolveOptions } from './options.js'
export { default, rampartPreset } from './plugin.js'
