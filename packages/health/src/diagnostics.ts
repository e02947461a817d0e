import { EventChannel } from '@rampart/core'
import { PACKAGE } from './errors.js'
import type { HealthReport } from './report.js'

/** `rampart:health:changed`: the overall status of `/health/detailed` changed between two runs. */
export interface ChangedEvent {
  from: HealthReport['status'] | undefined
  to: HealthReport['status']
  report: HealthReport
}

export const changedChannel: EventChannel<ChangedEvent> = new EventChannel<ChangedEvent>(PACKAGE, 'changed')
