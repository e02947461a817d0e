export {
  PHASE_PLUGINS,
  PHASES,
  type Phase,
  PLUGIN_DEFAULTS,
  type PresetOptions,
  type ResolvedPresetOptions,
  resolveOptions,
} from './options.js'
export { default, rampartPreset } from './plugin.js'
export { rampartServerOptions } from './server-options.js'
