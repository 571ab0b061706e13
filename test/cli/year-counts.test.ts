// The yearly people counts `datagate report --year` and `lint` read from the audit log: the
// subjects.* estimates of every counted event, streams (on their stream-end) and deltas included.
import { describe, expect, it } from 'vitest'
import { readYear } from '../../src/cli/guardrails.js'
import type { LogSource } from '../../src/cli/log-source.js'
import { memoryAuditSink } from '../../src/export/audit.js'
import { createGate } from '../../src/export/gate.js'
import { generateKeys } from '../../src/export/keys.js'
import { memorySubjectCounterStore } from '../../src/export/subject-counter.js'
import { loadPolicy } from '../../src/policy/load.js'
import { Trip } from './fixtures/guardrails/datasets.js'

const trips = (from: number, n: number) =>
  Array.from({ length: n }, (_, i) => ({
    vin: `LSVAU2180N${String(from + i).padStart(7, '0')}`,
    start: { lat: 31.23, lng: 121.47 },
    chargerLoad: 0.5,
    km: i,
  }))

describe('readYear', () => {
  it('takes the counts of a counted stream from its stream-end, and of a delta from its event', async () => {
    const policy = loadPolicy(
      {
        issuer: 'oem',
        partners: [
          {
            id: 'maps-eu',
            name: 'Maps EU',
            category: 'traffic',
            standing: 'gold',
            core: true,
            region: 'DE',
            agreements: [
              {
                id: 'eu-map-2026',
                dataset: 'trip',
                purpose: 'eu-map',
                fields: ['start', 'km'],
                assessment: 'CAC-2026-0042',
                validFrom: '2026-01-01',
                validUntil: '2027-12-31',
              },
            ],
          },
        ],
      },
      { datasets: [Trip] },
    )
    const audit = memoryAuditSink()
    const gate = createGate({
      issuer: 'oem',
      datasets: [Trip],
      policy,
      keys: await generateKeys(),
      audit,
      pseudonymKey: new Uint8Array(32).map((_, i) => i * 7 + 1),
      subjects: {
        store: memorySubjectCounterStore(),
        key: new Uint8Array(32).map((_, i) => i * 11 + 3),
      },
      now: () => new Date('2026-06-01T00:00:00Z'),
    })
    const request = { partner: 'maps-eu', dataset: 'trip', purpose: 'eu-map' }
    for await (const _ of gate.exportStream(trips(0, 60), { ...request, chunkSize: 25 })) void _
    const source: LogSource = {
      name: 'memory',
      async *events() {
        yield* audit.events
      },
      locate: () => ({}),
      torn: undefined,
    }
    const afterStream = await readYear(source, 2026, [Trip])
    expect(afterStream.counts.overseas).toBe(60)
    expect(afterStream.counts.partners.get('maps-eu')?.subjects).toBe(60)
    await gate.exportDelta(trips(0, 60), trips(0, 90), request)
    const afterDelta = await readYear(source, 2026, [Trip])
    expect(afterDelta.counts.overseas).toBe(90)
    await gate.close()
  })
})
