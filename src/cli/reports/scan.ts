// Renderers of `datagate scan`: text, JSON and SARIF 2.1.0 (one rule per detector, one result
// per finding, the JSON path as a logical location, the masked excerpt as the message).
import type { z } from 'zod'
import { json, type Renderers } from '../command.js'
import type { ScanReportSchema } from '../schemas.js'

type ScanReport = z.infer<typeof ScanReportSchema>

const where = (f: ScanReport['findings'][number]) =>
  `${f.file}${f.line === null ? '' : `:${f.line}:${f.column}`}${f.jsonPath ? ` ${f.jsonPath}` : ''}`

function sarif(r: ScanReport, version: string) {
  const detectors = [...new Set(r.findings.map((f) => f.detector))].sort()
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'datagate',
            version,
            informationUri: 'https://www.npmjs.com/package/datagate',
            rules: detectors.map((d) => ({
              id: `pii_${d}`,
              name: d,
              shortDescription: { text: `Personal data: ${d.replace(/_/g, ' ')}` },
              defaultConfiguration: { level: 'error' },
            })),
          },
        },
        results: r.findings.map((f) => ({
          ruleId: f.code,
          ruleIndex: detectors.indexOf(f.detector),
          level: 'error',
          message: {
            text: `${f.detector} found${f.jsonPath ? ` at ${f.jsonPath}` : ''}: ${f.excerpt}`,
          },
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri: f.file.split('\\').join('/') },
                ...(f.line === null
                  ? {}
                  : { region: { startLine: f.line, startColumn: f.column ?? 1 } }),
              },
              ...(f.jsonPath
                ? { logicalLocations: [{ fullyQualifiedName: f.jsonPath, kind: 'member' }] }
                : {}),
            },
          ],
        })),
      },
    ],
  }
}

/** text, json and sarif renderers of a scan. */
export function scanRenderers(version: string): Renderers<ScanReport> {
  return {
    text(r, c) {
      const lines = r.findings.map(
        (f) => `${c.red(f.detector.padEnd(18))} ${where(f)}  ${c.dim(f.excerpt)}`,
      )
      for (const l of r.limits)
        lines.push(c.yellow(`not scanned: ${l.file} ${l.path}: ${l.message}`))
      for (const s of r.skipped) lines.push(c.dim(`skipped ${s.file}: ${s.reason}`))
      lines.push(`${r.findings.length} finding(s) in ${r.files} file(s)`)
      return lines.join('\n')
    },
    json,
    sarif: (r) => json(sarif(r, version)),
  }
}
