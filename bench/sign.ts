// Signing a large export: compact JWS (base64url payload) against the detached unencoded form of
// RFC 7797 (`b64: false`), both through signEnvelope with an EdDSA key ring.
import { EXPORT_TYP, generateKeys, signEnvelope } from 'datagate'
import { NOW, repairOrders } from './fixtures.js'
import { type BenchSection, compare, measureAsync } from './harness.js'

/** Approximate payload size. */
const TARGET_BYTES = 5 * 1024 * 1024

/** Runs the signing benchmark. */
export async function signBench(): Promise<BenchSection> {
  const keys = await generateKeys({ alg: 'EdDSA' })
  const iat = Math.floor(NOW.getTime() / 1000)
  const records: Record<string, unknown>[] = []
  let size = 0
  for (const row of repairOrders(1_000_000, 7)) {
    const record = {
      orderId: row.orderId,
      outletId: row.outletId,
      customerId: `cus_${row.customerId}`,
      city: row.city,
      estimatedHours: row.estimatedHours,
      vehicle: { model: row.vehicle.model },
      services: row.services,
    }
    size += JSON.stringify(record).length + 1
    records.push(record)
    if (size >= TARGET_BYTES) break
  }
  const payload = { iss: 'oem-aftersales', aud: 'rental-co', iat, exp: iat + 3600, records }
  const bytes = Buffer.byteLength(JSON.stringify(payload))
  const megabytes = bytes / (1024 * 1024)
  const options = { workPerCall: megabytes, unit: 'MB/s' as const }

  const compact = await measureAsync(
    'signEnvelope compact',
    () => signEnvelope(payload, keys, { typ: EXPORT_TYP }),
    options,
  )
  const detached = await measureAsync(
    'signEnvelope detached (b64: false)',
    () => signEnvelope(payload, keys, { typ: EXPORT_TYP, format: 'detached' }),
    options,
  )
  return {
    title: `Signing a ${megabytes.toFixed(2)} MB export (EdDSA)`,
    measurements: [compact, detached],
    comparisons: [compare(detached, compact)],
    notes: [
      `payload: ${records.length.toLocaleString('en-US')} records, ${bytes.toLocaleString('en-US')} bytes of JSON; MB = 2^20 bytes of payload JSON`,
      'both rates include JSON.stringify of the payload, which signEnvelope does in either form',
    ],
    ok: true,
  }
}
