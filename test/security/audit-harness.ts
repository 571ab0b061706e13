// The audit threat tests' harness (not a test file itself): a gate over a small dataset whose
// audit storage outlives the gate, on the file sink or the memory sink, so a test can stop the
// gate, play the insider on the storage, restart and verify.
import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { z } from 'zod'
import { defineDataset, field } from '../../src/classify/index.js'
import {
  type AuditEvent,
  auditEventHash,
  memoryAuditSink,
  memoryCheckpointSink,
} from '../../src/export/audit.js'
import { fileAuditSink, readAuditLog } from '../../src/export/audit-file.node.js'
import { createGate, type Gate } from '../../src/export/gate.js'
import type { KeyRing } from '../../src/export/key-ring.js'
import { generateKeys } from '../../src/export/keys.js'
import { loadPolicy } from '../../src/policy/load.js'
import { tempDir } from '../temp-dir.js'

export const SINKS = ['file', 'memory'] as const
export type SinkKind = (typeof SINKS)[number]

export const T0 = new Date('2026-06-01T10:00:00Z')
export const ISSUER = 'oem'
export const Outlet = defineDataset(
  'outlet',
  z.object({ id: field.public(z.string()), city: field.public(z.string()) }),
  { version: '1' },
)
export const policy = loadPolicy(
  {
    issuer: ISSUER,
    partners: [
      {
        id: 'maps-co',
        name: 'Maps Co',
        category: 'traffic',
        standing: 'gold',
        core: false,
        agreements: [
          {
            id: 'm1',
            dataset: 'outlet',
            purpose: 'map',
            fields: ['id', 'city'],
            validFrom: '2026-01-01',
            validUntil: '2026-12-31',
          },
        ],
      },
      {
        id: 'old-co',
        name: 'Old Co',
        category: 'traffic',
        standing: 'yellow',
        core: false,
        agreements: [
          {
            id: 'o1',
            dataset: 'outlet',
            purpose: 'map',
            fields: ['id'],
            validFrom: '2026-01-01',
            validUntil: '2026-12-31',
          },
        ],
      },
    ],
  },
  { datasets: [Outlet] },
)
export const rows = (n: number, tag = 'O') =>
  Array.from({ length: n }, (_, i) => ({ id: `${tag}-${i}`, city: 'Lyon' }))
export const map = { partner: 'maps-co', dataset: 'outlet', purpose: 'map' } as const

const dir = tempDir('datagate-threat-')
let counter = 0
export function cleanup(): void {
  rmSync(dir, { recursive: true, force: true })
}

/** Audit storage that outlives a gate, and a gate over it that can be stopped and restarted. */
export class Harness {
  readonly copies = memoryCheckpointSink()
  readonly receipts: string[] = []
  readonly path = join(dir, `audit-${counter++}.jsonl`)
  gate: Gate | undefined
  private stored: AuditEvent[] = []
  private close: (() => Promise<void>) | undefined
  private memory: ReturnType<typeof memoryAuditSink> | undefined
  clock = T0.getTime()

  private constructor(
    readonly kind: SinkKind,
    readonly keys: KeyRing,
  ) {}

  static async create(kind: SinkKind, keys?: KeyRing): Promise<Harness> {
    return new Harness(kind, keys ?? (await generateKeys()))
  }

  async start(options: { checkpointEvery?: number } = {}): Promise<Gate> {
    let sink: Parameters<typeof createGate>[0]['audit']
    if (this.kind === 'file') {
      const file = await fileAuditSink(this.path, { fsync: false })
      this.close = () => file.close()
      sink = file
    } else {
      const memory = memoryAuditSink()
      for (const event of this.stored) memory.append?.(event)
      this.memory = memory
      this.close = async () => {
        this.stored = [...memory.events]
      }
      sink = memory
    }
    this.gate = createGate({
      issuer: ISSUER,
      datasets: [Outlet],
      policy,
      keys: this.keys,
      audit: sink,
      checkpointSink: this.copies,
      checkpointIntervalMs: 0,
      ...(options.checkpointEvery === undefined
        ? {}
        : { checkpointEvery: options.checkpointEvery }),
      now: () => new Date(this.clock),
    })
    return this.gate
  }

  /** Exports `count` times to maps-co, keeping each token as the partner's receipt. */
  async exports(count: number): Promise<void> {
    for (let i = 0; i < count; i++) {
      this.clock += 1000
      const signed = await this.gate!.export(rows(3, `E${this.receipts.length}`), map)
      this.receipts.push(signed.token)
    }
  }

  async stop(): Promise<void> {
    await this.gate?.close()
    await this.close?.()
    this.gate = undefined
  }

  /** The stored events (the gate must be stopped, or the memory sink's live events). */
  async events(): Promise<AuditEvent[]> {
    if (this.kind === 'file') return (await readAuditLog(this.path)).events as AuditEvent[]
    return [...(this.gate && this.memory ? this.memory.events : this.stored)]
  }

  /** The insider: replaces the stored events (the gate must be stopped). */
  async write(events: readonly unknown[]): Promise<void> {
    if (this.kind === 'file')
      writeFileSync(this.path, events.map((e) => `${JSON.stringify(e)}\n`).join(''))
    else this.stored = events as AuditEvent[]
  }

  /** The insider's raw append while the gate runs (file: a line; memory: a push). */
  async appendRaw(event: unknown): Promise<void> {
    if (this.kind === 'file') writeFileSync(this.path, `${JSON.stringify(event)}\n`, { flag: 'a' })
    else (this.memory!.events as unknown[]).push(event)
  }

  fileText(): string {
    return this.kind === 'file' ? readFileSync(this.path, 'utf8') : JSON.stringify(this.stored)
  }
}

/**
 * What an insider without the key does: edit event `at`, then recompute `seq`, `prev` and
 * `hash` of it and every later event, so the chain check passes again. `drop` removes events
 * first (e.g. the checkpoints that would give the rewrite away).
 */
export function rewrite(
  events: readonly AuditEvent[],
  at: number,
  edit: (event: Record<string, unknown>) => Record<string, unknown>,
  drop: (event: AuditEvent) => boolean = () => false,
): AuditEvent[] {
  const kept = events.filter((event) => !drop(event))
  const out: AuditEvent[] = []
  kept.forEach((event, index) => {
    const { hash: _hash, ...body } = event as unknown as Record<string, unknown>
    const edited = event.seq === at ? edit(body) : body
    const before = out[index - 1]
    const relinked = {
      ...edited,
      seq: index,
      prev: before === undefined ? body.prev : before.hash,
    }
    out.push({ ...relinked, hash: auditEventHash(relinked) } as AuditEvent)
  })
  return out
}

/** A correctly chained forged event after `last`. */
export function forgeAfter(last: AuditEvent, time: string): AuditEvent {
  const body = {
    seq: last.seq + 1,
    time,
    type: 'export',
    partner: 'maps-co',
    dataset: 'outlet',
    purpose: 'map',
    agreement: 'm1',
    fields: [{ path: 'id', operator: 'keep' }],
    rows: 1,
    payloadDigest: `sha256:${'1'.repeat(64)}`,
    policyHash: policy.hash,
    jti: 'forged',
    signedDigest: `sha256:${'2'.repeat(64)}`,
    prev: last.hash,
  }
  return { ...body, hash: auditEventHash(body) } as AuditEvent
}
