import t from 'tap'
import { deadlineSignal } from '../src/index.js'

t.test('aborts with a TimeoutError after the deadline', async (t) => {
  const { signal, release } = deadlineSignal(new AbortController().signal, 20)
  await new Promise((resolve) => setTimeout(resolve, 60))
  t.equal(signal.aborted, true)
  t.equal((signal.reason as DOMException).name, 'TimeoutError')
  release()
})

t.test('aborts with the parent, and not after release()', async (t) => {
  const parent = new AbortController()
  const first = deadlineSignal(parent.signal, 10_000)
  parent.abort(new Error('closing'))
  t.equal(first.signal.aborted, true)
  t.equal((first.signal.reason as Error).message, 'closing')
  first.release()
  const other = new AbortController()
  const second = deadlineSignal(other.signal, 20)
  second.release()
  await new Promise((resolve) => setTimeout(resolve, 40))
  t.equal(second.signal.aborted, false, 'released: the timer is gone')
  other.abort()
  t.equal(second.signal.aborted, false, 'and the parent detached')
})
