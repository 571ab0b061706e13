// The fixture of the report tests: the log project of make-log.ts, with a partner whose name is
// markup (it must render as text), a legal basis on one agreement, and that partner declared a
// handler with a contact and a consent scope (the notice manifest).
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse, stringify } from 'yaml'
import { type LogProject, makeLogProject } from './make-log.js'

export const HOSTILE_NAME = '<script>alert("x")</script> & Co'
export const BASIS = 'Art. 6(1)(b) GDPR: performance of the courtesy-car contract'
export const CONTACT = 'privacy@rental.example, +86 571 8888 0000'

export async function makeReportProject(): Promise<LogProject> {
  const project = await makeLogProject()
  const file = join(project.dir, 'policy.yaml')
  const policy = parse(readFileSync(file, 'utf8'))
  policy.partners[0].name = HOSTILE_NAME
  policy.partners[0].agreements[0].basis = BASIS
  policy.partners[0].role = 'handler'
  policy.partners[0].contact = CONTACT
  policy.partners[0].agreements[0].consent = { scope: 'courtesy-car-share', subject: 'customerId' }
  writeFileSync(file, stringify(policy))
  return project
}
