// Issue 7, "PII detectors": normalisation must not change what a finding points at or what it
// says. Offsets index the string as given (not the folded copy); messages and every field
// quote no part of the value.
import { describe, expect, it } from 'vitest'
import { type PiiFinding, scanRecord, scanText } from '../../src/classify/scan.js'

const now = () => new Date('2026-11-25T12:00:00Z')

describe('findings on normalised text', () => {
  it('maps the offsets of a match in folded text back into the original string', () => {
    // Astral characters and removed zero-width spaces before the match shift folded offsets.
    const text = '😀😀客户\u200b\u200b 𝟏𝟑𝟖\u200b1234\u20135678 联系'
    const [finding] = scanText(text, { now }) as PiiFinding[]
    expect(finding?.kind).toBe('mobile')
    expect(text.slice(finding!.start, finding!.end)).toBe('𝟏𝟑𝟖\u200b1234\u20135678')
    expect(finding!.message).toBe(
      `Mainland China mobile number at offset ${finding!.start} (${finding!.end - finding!.start} characters) in the text.`,
    )
  })

  it('never quotes a found value, in full or in part, in any field of a finding', () => {
    const values = [
      '１１０１０５１９４９１２３１００２Ｘ',
      '138\u00a01234\u00a05678',
      '+86 (139) 8765-4321',
    ]
    const findings = scanRecord({ note: values.join('，'), nested: { v: values[2] } }, { now })
    expect(findings.length).toBe(4)
    const serialised = JSON.stringify(findings)
    for (const value of values) {
      const digits = value.normalize('NFKC').replace(/[^0-9]/g, '')
      for (let i = 0; i + 4 <= digits.length; i++)
        expect(serialised).not.toContain(digits.slice(i, i + 4))
      expect(serialised).not.toContain(value)
    }
  })
})
