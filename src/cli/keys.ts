// `datagate keys generate [--alg EdDSA|ES256] [--out DIR]`: a signing key pair for a gate: the
// private JWK (mode 0600, never printed) and the public JWKS for partners and verifiers.
import { existsSync } from 'node:fs'
import { chmod, mkdir, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import type { Command } from 'commander'
import { exportJWK } from 'jose'
import type { z } from 'zod'
import { generateKeys } from '../export/keys.js'
import { type CliState, emit, examples, formatOption, json } from './command.js'
import type { KeysReportSchema } from './schemas.js'
import { shownPath } from './shown-path.js'
import { usageError } from './usage.js'

type KeysReport = z.infer<typeof KeysReportSchema>

async function writeNew(file: string, text: string, mode: number): Promise<void> {
  try {
    // wx: never overwrite a key; mode applies at creation, chmod makes it exact whatever the umask.
    await writeFile(file, text, { flag: 'wx', mode })
    await chmod(file, mode)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    usageError(
      code === 'EEXIST'
        ? `${file} exists; keys are never overwritten`
        : `cannot write ${file}: ${code ?? 'error'}`,
    )
  }
}

/** Registers `datagate keys generate` under `keys`. */
export function keysCommand(program: Command, state: CliState): void {
  const keys = program.command('keys').description('signing keys of a gate')
  examples(keys, ['datagate keys generate --alg EdDSA --out ./keys'])
  const command = keys
    .command('generate')
    .description('write a private JWK (mode 0600) and the public JWKS')
    .option('--alg <alg>', 'EdDSA (Ed25519) or ES256 (P-256)', 'EdDSA')
    .option('--out <dir>', 'folder to write to (created with mode 0700)', '.')
  formatOption(command, ['text', 'json'])
  examples(command, [
    'datagate keys generate --out ./keys',
    'datagate keys generate --alg ES256 --out ./keys --format json',
  ])
  command.action(async (options: { alg: string; out: string; format: string }) => {
    if (options.alg !== 'EdDSA' && options.alg !== 'ES256')
      usageError(`--alg: expected EdDSA or ES256, got ${options.alg}`)
    const dir = resolve(state.io.cwd, options.out)
    await mkdir(dir, { recursive: true, mode: 0o700 })
    const ring = await generateKeys({ alg: options.alg })
    const key = ring.current
    if (!key.privateKey) throw new Error('generateKeys returned no private key')
    const privateJwk = {
      ...(await exportJWK(key.privateKey)),
      kid: key.kid,
      alg: key.alg,
      use: 'sig',
    }
    const privateFile = join(dir, `${key.kid}.private.jwk.json`)
    const jwksFile = join(dir, 'jwks.json')
    // Checked first so that a refusal leaves no private key behind without its JWKS.
    if (existsSync(jwksFile))
      usageError(`${jwksFile} exists; keys are never overwritten (use another --out)`)
    await writeNew(privateFile, `${JSON.stringify(privateJwk, null, 2)}\n`, 0o600)
    await writeNew(jwksFile, `${JSON.stringify(ring.jwks(), null, 2)}\n`, 0o644)
    const report: KeysReport = {
      alg: options.alg,
      kid: key.kid,
      privateKey: shownPath(state.io.cwd, privateFile),
      jwks: shownPath(state.io.cwd, jwksFile),
    }
    emit(
      state,
      {
        text: (r) =>
          `${r.alg} key ${r.kid}\n  private JWK (mode 0600, keep it secret): ${r.privateKey}\n  public JWKS (for partners and datagate log verify --jwks): ${r.jwks}`,
        json,
      },
      options.format,
      report,
    )
  })
}
