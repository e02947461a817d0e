import type { Algorithm, AlgorithmName } from './algorithm.js'
import { fixedWindow } from './fixed-window.js'
import { gcra } from './gcra.js'
import { slidingLog } from './sliding-log.js'
import { slidingWindow } from './sliding-window.js'
import { tokenBucket } from './token-bucket.js'

/** Every algorithm by name: what a store looks a policy's algorithm up in. */
export const ALGORITHMS: Readonly<Record<AlgorithmName, Algorithm>> = Object.freeze({
  'sliding-window': slidingWindow,
  gcra,
  'token-bucket': tokenBucket,
  'fixed-window': fixedWindow,
  'sliding-log': slidingLog,
})
