// Summarises a .cpuprofile written by `node --cpu-prof`: self time per function (name, file and
// line) within the window bench/profile.ts recorded, as a share of the samples in that window.
//
//   tsx bench/profile-summary.ts PROFILE_DIR WINDOW.json [top]
//
// The directory holds one profile per thread (tsx's loader runs on a thread of its own); the one
// of the main thread is the one that ran bench/profile.ts.
import { readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'

interface ProfileNode {
  readonly id: number
  readonly children?: readonly number[]
  readonly callFrame: {
    readonly functionName: string
    readonly url: string
    readonly lineNumber: number
  }
}
interface Profile {
  readonly nodes: readonly ProfileNode[]
  readonly startTime: number
  readonly samples: readonly number[]
  readonly timeDeltas: readonly number[]
}

const [profileDir, windowPath, topText] = process.argv.slice(2)
if (!profileDir || !windowPath) throw new Error('usage: profile-summary PROFILE_DIR WINDOW [top]')
const profile = readdirSync(profileDir)
  .filter((name) => name.endsWith('.cpuprofile'))
  .map((name) => JSON.parse(readFileSync(join(profileDir, name), 'utf8')) as Profile)
  .find((p) => p.nodes.some((n) => n.callFrame.url.endsWith('/bench/profile.ts')))
if (!profile) throw new Error(`no .cpuprofile in ${profileDir}`)
const window = JSON.parse(readFileSync(windowPath, 'utf8')) as {
  what: string
  calls: number
  start: number
  end: number
}
const top = Number(topText ?? 15)

const byId = new Map(profile.nodes.map((n) => [n.id, n]))
const parent = new Map<number, number>()
for (const n of profile.nodes) for (const child of n.children ?? []) parent.set(child, n.id)

function label(frame: ProfileNode['callFrame']): string {
  const file = frame.url ? relative(process.cwd(), new URL(frame.url).pathname) : ''
  // Line numbers of tsx-transformed sources are not the source's; name the file only.
  const line =
    file.startsWith('src/') || file.startsWith('bench/') ? '' : `:${frame.lineNumber + 1}`
  const where = file ? ` ${file.replace(/^(\.\.\/main\/)?node_modules\//, '')}${line}` : ''
  return `${frame.functionName || '(anonymous)'}${where}`
}

const selfSamples = new Map<string, number>()
/** Samples with the function anywhere on the stack (once per sample), for our own functions. */
const totalSamples = new Map<string, number>()
let inWindow = 0
let time = profile.startTime
for (const [i, id] of profile.samples.entries()) {
  time += profile.timeDeltas[i] ?? 0
  if (time < window.start || time > window.end) continue
  inWindow++
  const frame = byId.get(id)?.callFrame
  if (!frame) continue
  const key = label(frame)
  selfSamples.set(key, (selfSamples.get(key) ?? 0) + 1)
  const onStack = new Set<string>()
  for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
    const node = byId.get(at)
    if (node?.callFrame.functionName && node.callFrame.url.includes('/src/')) {
      onStack.add(label(node.callFrame))
    }
  }
  for (const name of onStack) totalSamples.set(name, (totalSamples.get(name) ?? 0) + 1)
}
if (inWindow === 0) throw new Error('no sample falls in the recorded window')
console.log(
  `\n### ${window.what}: ${window.calls} calls, ${inWindow} samples in the window (${((window.end - window.start) / 1e6).toFixed(1)} s)\n`,
)
console.log('| self % | function |')
console.log('|---:|---|')
const percent = (count: number) => ((count / inWindow) * 100).toFixed(1)
for (const [key, count] of [...selfSamples].sort((a, b) => b[1] - a[1]).slice(0, top)) {
  console.log(`| ${percent(count)} | \`${key}\` |`)
}
console.log('\n| total % | named function of src/ (self and callees) |')
console.log('|---:|---|')
for (const [key, count] of [...totalSamples].sort((a, b) => b[1] - a[1]).slice(0, top)) {
  console.log(`| ${percent(count)} | \`${key}\` |`)
}
