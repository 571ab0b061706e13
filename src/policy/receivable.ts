// The rule of the mechanism, in one place: public fields go to any partner, desensitised fields
// only to core partners (and only transformed), sensitive fields never leave. Grants at load,
// row conditions, compiled plans and the access matrix all ask here.
import type { FieldClass } from '../classify/types.js'

/** Why a field's class keeps it from a partner: it is sensitive, or desensitised and the partner not core. */
export const CLASS_REFUSALS = ['sensitive', 'not_core'] as const

/** One of {@link CLASS_REFUSALS}. */
export type ClassRefusal = (typeof CLASS_REFUSALS)[number]

/** Why a field of `fieldClass` may not go to a partner (`core` or not), or `undefined` when it may. */
export function classRefusal(fieldClass: FieldClass, core: boolean): ClassRefusal | undefined {
  if (fieldClass === 'sensitive') return 'sensitive'
  if (fieldClass === 'desensitised' && !core) return 'not_core'
  return undefined
}

/** Whether a field of `fieldClass` may go to a partner (`core` or not). */
export function mayReceive(fieldClass: FieldClass, core: boolean): boolean {
  return classRefusal(fieldClass, core) === undefined
}
