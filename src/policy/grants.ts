// An agreement's `fields` to the leaf paths it grants: wildcards (`*`, `address.*`) expand at load
// time to the leaves this partner may receive; naming a leaf it may not receive is the error.
// Expanding here means CASL never sees a wildcard field (its `address.*` also matches `address`).
import type { Dataset } from '../classify/dataset.js'
import type { Finding } from '../errors.js'
import { classRefusal, mayReceive } from './receivable.js'

/** The granted leaf paths of `declared`, in dataset order; problems are pushed to `findings`. */
export function expandFields(
  declared: readonly string[],
  dataset: Dataset,
  core: boolean,
  at: string,
  findings: Finding[],
): string[] {
  const granted = new Set<string>()
  declared.forEach((entry, index) => {
    const here = `${at}[${index}]`
    if (entry === '*' || entry.endsWith('.*') || entry.endsWith('[].*')) {
      const prefix = entry === '*' ? '' : entry.slice(0, -2)
      const under = dataset.fields.filter(
        (f) => prefix === '' || f.path.startsWith(`${prefix}.`) || f.path.startsWith(`${prefix}[]`),
      )
      if (under.length === 0) {
        findings.push({
          code: 'unknown_field',
          path: here,
          message: `dataset ${dataset.name} has no fields under ${entry}`,
        })
        return
      }
      const allowed = under.filter((f) => mayReceive(f.class, core))
      if (allowed.length === 0) {
        findings.push({
          code: 'wildcard_grants_nothing',
          path: here,
          message: `${entry} holds no field this partner may receive (sensitive${core ? '' : ' or desensitised'} only)`,
        })
      }
      for (const f of allowed) granted.add(f.path)
      return
    }
    const leaf = dataset.field(entry)
    if (!leaf) {
      const isObject = dataset.fields.some(
        (f) => f.path.startsWith(`${entry}.`) || f.path.startsWith(`${entry}[]`),
      )
      findings.push({
        code: 'unknown_field',
        path: here,
        message: isObject
          ? `${entry} is an object in dataset ${dataset.name}; grant its leaves or ${entry}.*`
          : `dataset ${dataset.name} has no field ${entry}`,
      })
      return
    }
    const refusal = classRefusal(leaf.class, core)
    if (refusal === 'sensitive') {
      findings.push({
        code: 'sensitive_field_granted',
        path: here,
        message: `${entry} is sensitive and never leaves`,
      })
      return
    }
    if (refusal === 'not_core') {
      findings.push({
        code: 'desensitised_field_to_non_core',
        path: here,
        message: `${entry} is desensitised; only core partners may receive it`,
      })
      return
    }
    granted.add(entry)
  })
  return dataset.fields.filter((f) => granted.has(f.path)).map((f) => f.path)
}
