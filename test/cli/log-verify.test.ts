import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { LogVerifyReportSchema } from 'datagate/cli'
import { beforeAll, describe, expect, it } from 'vitest'
import { auditEventHash } from '../../src/export/audit-event.js'
import { type LogProject, makeLogProject } from './make-log.js'
import { runCli } from './run-cli.js'

let project: LogProject
let lines: string[]
beforeAll(async () => {
  project = await makeLogProject()
  lines = readFileSync(project.log, 'utf8').trimEnd().split('\n')
})

const verify = (args: string[]) => {
  const run = runCli(['log', 'verify', ...args, '--format', 'json'], { cwd: project.dir })
  return {
    ...run,
    report: run.stdout ? LogVerifyReportSchema.parse(JSON.parse(run.stdout)) : undefined,
  }
}
const write = (name: string, content: string[]) => {
  const file = join(project.dir, name)
  writeFileSync(file, `${content.join('\n')}\n`)
  return file
}

describe('datagate log verify', () => {
  it('an intact log with receipts exits 0, anchored through its last event', () => {
    const { code, report } = verify(['--receipts', project.receipts])
    expect(code).toBe(0)
    expect(report?.ok).toBe(true)
    expect(report?.count).toBe(lines.length)
    // The last event is the final checkpoint, which signs every event before it.
    expect(JSON.parse(lines.at(-1) as string).type).toBe('checkpoint')
    expect(report?.anchored).toEqual({ from: 0, through: lines.length - 2 })
    expect(report?.unanchored).toBeNull()
    const text = runCli(['log', 'verify'], { cwd: project.dir }).stdout
    expect(text).toContain('chain intact')
  })

  it('a tampered event exits 1 naming its seq and line', () => {
    const index = lines.findIndex((l) => JSON.parse(l).type === 'export')
    const tampered = [...lines]
    const event = JSON.parse(tampered[index] as string)
    event.rows = 1
    tampered[index] = JSON.stringify(event)
    const file = write('tampered.jsonl', tampered)
    const { code, report } = verify([file])
    expect(code).toBe(1)
    expect(report?.firstBroken).toMatchObject({
      seq: event.seq,
      line: index + 1,
      reason: 'hash_mismatch',
    })
    const text = runCli(['log', 'verify', file], { cwd: project.dir }).stdout
    expect(text).toContain(`first broken event: seq ${event.seq} (line ${index + 1})`)
  })

  it('a log cut short is caught by the receipts partners hold', () => {
    // Cut after the first export: later exports' receipts sign positions the log no longer has.
    const cut = lines.findIndex((l) => JSON.parse(l).type === 'delta')
    const file = write('truncated.jsonl', lines.slice(0, cut))
    const chainOnly = verify([file, '--max-unanchored', '1e12'])
    expect(chainOnly.report?.issues.map((i) => i.code)).not.toContain('truncated')
    const { code, report } = verify([
      file,
      '--receipts',
      project.receipts,
      '--max-unanchored',
      '1e12',
    ])
    expect(code).toBe(1)
    expect(report?.issues.map((i) => i.code)).toContain('truncated')
    expect(report?.firstBroken?.seq).toBe(cut)
    // The log now ends with a checkpoint: what remains is anchored; what was cut is named.
    expect(JSON.parse(lines[cut - 1] as string).type).toBe('checkpoint')
    expect(report?.anchored?.through).toBeGreaterThanOrEqual(cut - 2)
    expect(report?.unanchored).toBeNull()
  })

  it('a forged log (edited, then every hash recomputed) fails at the signed checkpoints', () => {
    const index = lines.findIndex((l) => JSON.parse(l).type === 'export')
    const events = lines.map((l) => JSON.parse(l))
    events[index].rows = 99
    for (let i = index; i < events.length; i++) {
      if (i > index) events[i].prev = events[i - 1].hash
      events[i].hash = auditEventHash(events[i])
    }
    const file = write(
      'forged.jsonl',
      events.map((e) => JSON.stringify(e)),
    )
    const chainOnly = runCli(['log', 'verify', file, '--format', 'json', '--jwks', '/dev/null'], {
      cwd: project.dir,
    })
    expect(chainOnly.code).toBe(2) // /dev/null is not a JWKS
    const { code, report } = verify([file])
    expect(code).toBe(1)
    expect(report?.issues.map((i) => i.code)).toContain('checkpoint_head_mismatch')
    expect(report?.firstBroken?.seq).toBeLessThanOrEqual(events[index].seq)
  })

  it('a torn last line fails; a missing log is exit 2; no jwks warns that nothing is anchored', () => {
    const file = join(project.dir, 'torn.jsonl')
    writeFileSync(file, `${lines.join('\n')}\n{"seq":`)
    const { code, report } = verify([file])
    expect(code).toBe(1)
    expect(report?.torn).toEqual({ line: lines.length + 1 })
    expect(verify(['missing.jsonl']).code).toBe(2)
    const bare = runCli(['log', 'verify', project.log, '--format', 'json'], { cwd: '/' })
    const unsigned = LogVerifyReportSchema.parse(JSON.parse(bare.stdout))
    expect(unsigned.warnings.map((w) => w.code)).toContain('checkpoints_not_verified')
    expect(unsigned.anchored).toBeNull()
    expect(runCli(['log', 'verify', 'postgres://db/audit'], { cwd: project.dir }).code).toBe(2)
  })
})
