// What a partner may learn about its own release, as signed into exports. Counts of what the
// partner did not receive are left out: rows received and filtered say how many rows the
// agreement excluded, and for aggregates the number of groups, of suppressed cells and of
// aggregated records act as unsuppressed margins (with the published cells they pin hidden ones).
import type { ReleaseReport } from '../policy/release.js'

/** The report as partners see it. */
export function partnerView(report: ReleaseReport): Record<string, unknown> {
  // The count of unknown input keys is for the issuer's audit trail (event details), not the partner.
  const { rows, aggregate, unknownKeysDropped: _unknown, ...rest } = report
  const view: Record<string, unknown> = { ...rest }
  if (aggregate) {
    view.rows = { capped: rows.capped, cap: rows.cap }
    view.aggregate = {
      k: aggregate.k,
      ...(aggregate.noise ? { noise: aggregate.noise } : {}),
      ...(aggregate.protection?.method === 'interval-audit'
        ? { protectionWidth: aggregate.protection.width }
        : {}),
    }
  } else {
    view.rows = { released: rows.released, capped: rows.capped, cap: rows.cap }
  }
  return view
}
