// signCompactToken with encodeInPlace (every export, stream chunk and delta token) writes the
// payload's base64url natively into the token's buffer 48 KiB at a time (#hash base64urlInto).
// Payload views of every kind (a subarray at an odd offset, a Buffer from Node's pool, a Buffer
// view of a larger allocation) and lengths at and around the 49,152-byte parts must give the very
// token jose's CompactSign gives (Ed25519 and HS256 are deterministic), and jwcrypto must verify it.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { CompactSign, compactVerify, importJWK } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { KeyRing } from '../../src/export/key-ring.js'
import { generateKeys } from '../../src/export/keys.js'
import { signCompactToken } from '../../src/lib/jws.js'

const PYTHON = '/usr/bin/python3'
const SCRIPT = fileURLToPath(new URL('../interop/jwcrypto_verify.py', import.meta.url))
const noJwcrypto = !existsSync(PYTHON) || spawnSync(PYTHON, ['-c', 'import jwcrypto']).status !== 0
const PART = 49_152

/** UTF-8 text of exactly `length` bytes with every kind of byte (1- to 4-byte characters). */
function textOfBytes(length: number, seed: number): Uint8Array {
  const pieces = ['a', 'é', '中', '😀', '~', '\u0001', 'Z', '\u07ff', '\uffee']
  const parts: string[] = []
  let size = 0
  for (let i = seed; ; i++) {
    const piece = pieces[(i * 7) % pieces.length] as string
    const bytes = Buffer.byteLength(piece)
    if (size + bytes > length) break
    parts.push(piece)
    size += bytes
  }
  parts.push('x'.repeat(length - size))
  const out = new TextEncoder().encode(parts.join(''))
  expect(out.length).toBe(length)
  return out
}

/** The same bytes as a plain array, a subarray at an odd offset, a pooled Buffer and a Buffer view. */
function viewsOf(bytes: Uint8Array): [string, Uint8Array][] {
  const wide = new Uint8Array(bytes.length + 20).fill(0x41)
  wide.set(bytes, 7)
  const big = Buffer.alloc(bytes.length + 33, 0x42)
  big.set(bytes, 13)
  return [
    ['array', Uint8Array.from(bytes)],
    ['subarray+7', wide.subarray(7, 7 + bytes.length)],
    ['pooled Buffer', Buffer.from(new TextDecoder().decode(bytes))],
    ['Buffer view+13', big.subarray(13, 13 + bytes.length)],
  ]
}

const LENGTHS = [
  1,
  2,
  3,
  4,
  5,
  PART - 1,
  PART,
  PART + 1,
  PART + 2,
  2 * PART - 1,
  2 * PART,
  2 * PART + 1,
  3 * PART + 2,
]

let ring: KeyRing
let dir: string
const secret = Uint8Array.from({ length: 32 }, (_, i) => (i * 37 + 11) & 0xff)

beforeAll(async () => {
  ring = await generateKeys({ alg: 'EdDSA' })
  dir = mkdtempSync(join(tmpdir(), 'datagate-jws-in-place-'))
})

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true })
})

describe('signCompactToken encoding in place', () => {
  it("gives jose's own token for every view and length, Ed25519 and HS256, in place or not", async () => {
    const signer = ring.current
    const header = { alg: 'EdDSA', kid: signer.kid, typ: 'datagate-chunk+jwt' }
    const hsHeader = { alg: 'HS256', kid: 'hs', typ: 'datagate-chunk+jwt' }
    for (const length of LENGTHS) {
      const bytes = textOfBytes(length, length)
      const expected = await new CompactSign(bytes)
        .setProtectedHeader(header)
        .sign(signer.privateKey as CryptoKey)
      const expectedHs = await new CompactSign(bytes).setProtectedHeader(hsHeader).sign(secret)
      for (const [label, view] of viewsOf(bytes)) {
        const before = Uint8Array.from(view)
        for (const inPlace of [true, false]) {
          const made = await signCompactToken(view, signer.privateKey as CryptoKey, header, inPlace)
          expect(made.token, `${length} ${label} ${inPlace}`).toBe(expected)
          expect(Buffer.from(made.bytes).toString('latin1')).toBe(expected)
          const hs = await signCompactToken(view, secret, hsHeader, inPlace)
          expect(hs.token, `HS256 ${length} ${label} ${inPlace}`).toBe(expectedHs)
        }
        // The payload view is read, never written (nor what surrounds it).
        expect(Buffer.compare(view, before), `${length} ${label}`).toBe(0)
      }
    }
  })

  it('a 20 MB payload from a view at an odd offset: the same token as jose, which verifies it', async () => {
    const signer = ring.current
    const header = { alg: 'EdDSA', kid: signer.kid, typ: 'datagate-chunk+jwt' }
    const bytes = textOfBytes(20 * 1024 * 1024 + 1, 3)
    const wide = new Uint8Array(bytes.length + 3)
    wide.set(bytes, 3)
    const made = await signCompactToken(
      wide.subarray(3),
      signer.privateKey as CryptoKey,
      header,
      true,
    )
    const expected = await new CompactSign(bytes)
      .setProtectedHeader(header)
      .sign(signer.privateKey as CryptoKey)
    expect(made.token === expected).toBe(true)
    const { payload } = await compactVerify(
      made.token,
      await importJWK(ring.jwks().keys[0] as never, 'EdDSA'),
    )
    expect(Buffer.compare(payload, bytes)).toBe(0)
  })

  it.skipIf(noJwcrypto)(
    'jwcrypto verifies the in-place tokens of every length and view',
    async () => {
      const signer = ring.current
      const header = { alg: 'EdDSA', kid: signer.kid, typ: 'datagate-chunk+jwt' }
      const cases: { name: string; kind: 'jws'; token: string; text: string }[] = []
      for (const length of LENGTHS)
        for (const [label, view] of viewsOf(textOfBytes(length, length + 1))) {
          const { token } = await signCompactToken(
            view,
            signer.privateKey as CryptoKey,
            header,
            true,
          )
          cases.push({
            name: `${length} ${label}`,
            kind: 'jws',
            token,
            text: new TextDecoder().decode(view),
          })
        }
      const job = join(dir, 'job.json')
      writeFileSync(
        job,
        JSON.stringify({ jwks: ring.jwks(), cases: cases.map(({ text: _t, ...c }) => c) }),
      )
      const run = spawnSync(PYTHON, [SCRIPT, job], {
        encoding: 'utf8',
        timeout: 60_000,
        maxBuffer: 64 * 1024 * 1024,
      })
      expect(run.status, run.stderr).toBe(0)
      const { results } = JSON.parse(run.stdout) as {
        results: Record<string, { payload?: string; error?: string }>
      }
      for (const c of cases)
        expect(results[c.name], c.name).toEqual(expect.objectContaining({ payload: c.text }))
      expect(Object.keys(results)).toHaveLength(LENGTHS.length * 4)
    },
  )
})
