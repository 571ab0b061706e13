// Key distribution for several instances: every instance imports the same private JWK set, from a
// file (a mounted secret) or an environment variable, so all of them sign under the same `kid`s.
// Node-only (reads files and process.env); the ring it returns is the ordinary one of keys.ts.
import { readFile } from 'node:fs/promises'
import { exportJWK, type JWK } from 'jose'
import { DatagateError } from '../errors.js'
import { assertObject, assertString, invalidArgument } from '../lib/assert.js'
import type { KeyRing } from './key-ring.js'
import { importKeys, isKeyRing } from './keys.js'

/**
 * Where {@link importKeysFrom} reads a private JWK set: a file, or an environment variable
 * holding its JSON text (`environment` defaults to `process.env`).
 *
 * @example
 * ```ts
 * import type { KeySource } from 'datagate/node'
 *
 * const sources: KeySource[] = [{ file: '/run/secrets/datagate-keys.json' }, { env: 'DATAGATE_KEYS' }]
 * console.log(sources.length) // 2
 * ```
 */
export type KeySource =
  | { readonly file: string }
  | { readonly env: string; readonly environment?: Readonly<Record<string, string | undefined>> }

/**
 * Reads a JWK set `{ "keys": [...] }` from a file or an environment variable and imports it with
 * `importKeys`, in order: the first key signs (it must be private), the others stay listed so
 * what they signed still verifies (private ones may sign again after a rotation back; public
 * ones are verify-only). Every instance given the same set signs under the same `kid`. Throws
 * `ERR_KEY_INVALID` when the file cannot be read, the variable is unset, the text is not a JWK
 * set, or the first key is not private; messages name the file or variable, never its content.
 *
 * @example
 * ```ts
 * import { exportPrivateJwks, importKeysFrom } from 'datagate/node'
 * import { generateKeys } from 'datagate/export'
 *
 * const ring = await generateKeys({ kid: 'gate-2026-12' })
 * const environment = { DATAGATE_KEYS: JSON.stringify(await exportPrivateJwks(ring)) }
 * const imported = await importKeysFrom({ env: 'DATAGATE_KEYS', environment })
 * console.log(imported.current.kid, imported.jwks().keys.length) // 'gate-2026-12' 1
 * ```
 */
export async function importKeysFrom(source: KeySource): Promise<KeyRing> {
  assertObject(source, 'importKeysFrom: source')
  let text: string
  let where: string
  if ('file' in source) {
    assertString(source.file, 'importKeysFrom: file', { nonEmpty: true })
    where = `key file ${source.file}`
    try {
      text = await readFile(source.file, 'utf8')
    } catch (error) {
      const code = (error as { code?: unknown }).code
      throw new DatagateError(
        'ERR_KEY_INVALID',
        `${where} cannot be read${typeof code === 'string' ? ` (${code})` : ''}`,
      )
    }
  } else if ('env' in source) {
    assertString(source.env, 'importKeysFrom: env', { nonEmpty: true })
    const environment = source.environment ?? process.env
    assertObject(environment, 'importKeysFrom: environment')
    where = `environment variable ${source.env}`
    const value = environment[source.env]
    if (typeof value !== 'string' || value.trim() === '')
      throw new DatagateError('ERR_KEY_INVALID', `${where} is not set`)
    text = value
  } else invalidArgument('type', 'importKeysFrom: source', '{ file } or { env }')
  const ring = await importKeys(parseJwkSet(text, where).map((jwk) => ({ jwk })))
  // Checked on the imported key, not by member name: a public key with a stray "k" is public.
  if (ring.current.privateKey === undefined)
    throw new DatagateError(
      'ERR_KEY_INVALID',
      `${where}: the first key signs, so it must be a private key`,
    )
  return ring
}

/** The keys of a JWK set text; JSON.parse's own message quotes the text, so it is not kept. */
function parseJwkSet(text: string, where: string): JWK[] {
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    throw new DatagateError('ERR_KEY_INVALID', `${where} is not JSON`)
  }
  const keys = (parsed as { keys?: unknown } | null)?.keys
  if (!Array.isArray(keys) || keys.length === 0 || !keys.every(isObject))
    throw new DatagateError('ERR_KEY_INVALID', `${where} is not a JWK set { "keys": [...] }`)
  const first = keys[0] as JWK
  if (typeof first.d !== 'string' && typeof first.k !== 'string')
    throw new DatagateError(
      'ERR_KEY_INVALID',
      `${where}: the first key signs, so it must be a private key`,
    )
  return keys as JWK[]
}

const isObject = (value: unknown) =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

/**
 * The private JWK set of a ring (each key with its `kid` and `alg`, in ring order), for storing
 * in a secret that {@link importKeysFrom} reads on every instance. Verify-only keys are written
 * as their public JWK. Handle the result as the secret it is.
 *
 * @example
 * ```ts
 * import { exportPrivateJwks } from 'datagate/node'
 * import { generateKeys } from 'datagate/export'
 *
 * const set = await exportPrivateJwks(await generateKeys({ alg: 'ES256', kid: 'k1' }))
 * console.log(set.keys[0]?.kid, typeof set.keys[0]?.d) // 'k1' 'string'
 * ```
 */
export async function exportPrivateJwks(ring: KeyRing): Promise<{ keys: JWK[] }> {
  if (!isKeyRing(ring)) invalidArgument('type', 'exportPrivateJwks: ring', 'a KeyRing')
  const keys: JWK[] = []
  for (const key of ring.keys) {
    const source = key.privateKey ?? (key.alg === 'HS256' ? key.verifyKey : undefined)
    const jwk = source === undefined ? { ...key.publicJwk } : await exportJWK(source)
    const { key_ops: _ops, ext: _ext, ...rest } = jwk
    keys.push({ ...rest, kid: key.kid, alg: key.alg })
  }
  return { keys }
}
