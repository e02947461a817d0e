import { statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import t, { type Test } from 'tap'
import { FileWatcher, fileVersion } from '../src/file-watcher.js'
import { alive, until } from './fixtures/events.js'

function file(t: Test): string {
  return join(t.testdir({ 'db.mmdb': 'v0' }), 'db.mmdb')
}

t.test('changes closer together than the delay make one call', async (t) => {
  const path = file(t)
  let calls = 0
  const watcher = new FileWatcher(path, { interval: 10, delay: 2000 }, fileVersion(statSync(path)), async () => {
    calls++
  })
  t.teardown(() => watcher.close())
  for (const [index, version] of ['v1', 'v22', 'v333'].entries()) {
    writeFileSync(path, version)
    await until(() => watcher.changes === index + 1, `change ${index + 1}`)
  }
  t.equal(calls, 0, 'nothing while the file keeps changing')
  t.ok(watcher.busy, 'a call is scheduled')
  await until(() => calls === 1, 'the call')
  await sleep(50)
  t.equal(calls, 1)
  t.notOk(watcher.busy)
})

t.test('the baseline is the loaded version: a change made before watching starts is seen', async (t) => {
  const path = file(t)
  const loaded = fileVersion(statSync(path))
  writeFileSync(path, 'v-changed-before-watching')
  let calls = 0
  const watcher = new FileWatcher(path, { interval: 10, delay: 0 }, loaded, async () => {
    calls++
  })
  t.teardown(() => watcher.close())
  await until(() => calls === 1, 'the call')
  t.equal(watcher.changes, 1)
})

t.test('an unchanged file is never reloaded', async (t) => {
  const path = file(t)
  let calls = 0
  const watcher = new FileWatcher(path, { interval: 10, delay: 0 }, fileVersion(statSync(path)), async () => {
    calls++
  })
  t.teardown(() => watcher.close())
  await alive(sleep(100)) // about ten polls
  t.equal(calls, 0)
  t.equal(watcher.changes, 0)
})

t.test('a change during a call runs one more call after it, never two at once', async (t) => {
  const path = file(t)
  let running = 0
  let overlapped = false
  let calls = 0
  let release: () => void = () => {}
  const watcher = new FileWatcher(path, { interval: 10, delay: 0 }, fileVersion(statSync(path)), async () => {
    calls++
    running++
    if (running > 1) overlapped = true
    if (calls === 1) {
      await new Promise<void>((resolve) => {
        release = resolve
      })
    }
    running--
  })
  t.teardown(() => watcher.close())
  writeFileSync(path, 'v1')
  await until(() => calls === 1, 'the first call')
  writeFileSync(path, 'v22')
  await until(() => watcher.changes === 2, 'the second change')
  await alive(sleep(50)) // the zero-delay timer fires while the first call still runs
  t.equal(calls, 1, 'the second change waits for the first call')
  release()
  await until(() => calls === 2 && running === 0, 'the second call')
  t.notOk(overlapped)
})

t.test('a deleted file is a change (the reload then fails and says why)', async (t) => {
  const path = file(t)
  let calls = 0
  const watcher = new FileWatcher(path, { interval: 10, delay: 0 }, fileVersion(statSync(path)), async () => {
    calls++
  })
  t.teardown(() => watcher.close())
  const { rmSync } = await import('node:fs')
  rmSync(path)
  await until(() => calls === 1, 'the call')
  writeFileSync(path, 'back')
  await until(() => calls === 2, 'the call after it came back')
})

t.test('close() cancels a scheduled call and stops polling', async (t) => {
  const path = file(t)
  let calls = 0
  const watcher = new FileWatcher(path, { interval: 10, delay: 200 }, fileVersion(statSync(path)), async () => {
    calls++
  })
  writeFileSync(path, 'v1')
  await until(() => watcher.busy, 'the change')
  watcher.close()
  t.notOk(watcher.busy)
  writeFileSync(path, 'v22')
  // The cancelled timer was due within 200 ms, and polls every 10 ms would have seen v22.
  await alive(sleep(400))
  t.equal(calls, 0)
  t.equal(watcher.changes, 1)
})
