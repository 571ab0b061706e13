// Where the CLI finds its project: `--config FILE`, else DATAGATE_CONFIG, else the first
// datagate.config.{ts,mts,mjs,js,json,yaml,yml} from the working directory upward. Paths in the
// config are relative to the config file. TypeScript configs and dataset modules load through
// jiti (Node 20 cannot import .ts itself); JSON and YAML configs are parsed, never executed.
import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { dirname, extname, isAbsolute, join, resolve } from 'node:path'
import { createJiti } from 'jiti'
import { parse as parseYaml } from 'yaml'
import { z } from 'zod'
import type { Dataset } from '../classify/dataset.js'
import { DatagateError, type Finding } from '../errors.js'
import { loadPolicy, type Policy } from '../policy/load.js'
import type { LogSpec } from './log-source.js'
import { usageError } from './usage.js'

/** Config file names searched for, in this order, in each folder. */
export const CONFIG_NAMES = [
  'datagate.config.ts',
  'datagate.config.mts',
  'datagate.config.mjs',
  'datagate.config.js',
  'datagate.config.json',
  'datagate.config.yaml',
  'datagate.config.yml',
] as const

const configSchema = z.strictObject({
  datasets: z.string().min(1),
  policy: z.string().min(1),
  audit: z
    .union([
      z.string().min(1),
      z.strictObject({
        postgres: z.string().min(1),
        table: z.string().min(1).optional(),
        schema: z.string().min(1).optional(),
      }),
    ])
    .optional(),
  jwks: z.string().min(1).optional(),
  checkpoints: z.string().min(1).optional(),
})

/** A project config with every path made absolute. */
export interface ProjectConfig {
  /** The config file itself. */
  readonly file: string
  readonly datasets: string
  readonly policy: string
  /** A JSON Lines file (absolute), a `postgres://` URL, or `{ postgres, table?, schema? }`. */
  readonly audit: LogSpec | undefined
  readonly jwks: string | undefined
  readonly checkpoints: string | undefined
}

/** The config file to use; throws a usage error when there is none. */
export function findConfig(
  explicit: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
  cwd: string,
): string {
  const named = explicit ?? (env.DATAGATE_CONFIG === '' ? undefined : env.DATAGATE_CONFIG)
  if (named !== undefined) {
    const file = resolve(cwd, named)
    if (!existsSync(file))
      usageError(
        `config file ${named} not found (from ${explicit !== undefined ? '--config' : 'DATAGATE_CONFIG'})`,
      )
    return file
  }
  let dir = resolve(cwd)
  for (;;) {
    for (const name of CONFIG_NAMES) {
      const file = join(dir, name)
      if (existsSync(file)) return file
    }
    const parent = dirname(dir)
    if (parent === dir) break
    dir = parent
  }
  return usageError(
    `no datagate.config.{ts,mts,mjs,js,json,yaml,yml} in ${cwd} or above; pass --config FILE or set DATAGATE_CONFIG`,
  )
}

const jiti = createJiti(import.meta.url, { moduleCache: false, interopDefault: true })

/** Imports a JavaScript or TypeScript module through jiti. */
export async function importModule(file: string): Promise<Record<string, unknown>> {
  try {
    const loaded: unknown = await jiti.import(file)
    return typeof loaded === 'object' && loaded !== null ? (loaded as Record<string, unknown>) : {}
  } catch (error) {
    return usageError(`cannot load ${file}: ${(error as Error).message ?? String(error)}`)
  }
}

/** Reads and validates the config file. */
export async function readConfig(file: string): Promise<ProjectConfig> {
  const ext = extname(file)
  let raw: unknown
  if (ext === '.json' || ext === '.yaml' || ext === '.yml') {
    const text = await readText(file)
    try {
      raw = ext === '.json' ? JSON.parse(text) : parseYaml(text)
    } catch (error) {
      usageError(`config ${file} does not parse: ${(error as Error).message}`)
    }
  } else {
    const module = await importModule(file)
    raw = 'default' in module ? module.default : module
  }
  const parsed = configSchema.safeParse(raw)
  if (!parsed.success)
    usageError(
      `config ${file}: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`,
    )
  const dir = dirname(file)
  const at = (path: string | undefined) =>
    path === undefined ? undefined : isAbsolute(path) ? path : join(dir, path)
  const config = parsed.data
  return {
    file,
    datasets: at(config.datasets) as string,
    policy: at(config.policy) as string,
    audit:
      typeof config.audit === 'string' && !/^postgres(ql)?:\/\//i.test(config.audit)
        ? at(config.audit)
        : config.audit,
    jwks: at(config.jwks),
    checkpoints: at(config.checkpoints),
  }
}

/** Reads a text file; a missing or unreadable file is a usage error (exit 2). */
export async function readText(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8')
  } catch (error) {
    return usageError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`)
  }
}

function isDataset(value: unknown): value is Dataset {
  if (typeof value !== 'object' || value === null) return false
  const v = value as Partial<Dataset>
  return (
    typeof v.name === 'string' &&
    typeof v.version === 'string' &&
    Array.isArray(v.fields) &&
    typeof v.field === 'function'
  )
}

/** Every `Dataset` the module exports (named exports, a default export or a default array). */
export async function loadDatasets(file: string): Promise<Dataset[]> {
  const module = await importModule(file)
  const found = new Map<string, Dataset>()
  const visit = (value: unknown) => {
    if (isDataset(value)) found.set(value.name, value)
    else if (Array.isArray(value))
      for (const item of value) if (isDataset(item)) found.set(item.name, item)
  }
  for (const value of Object.values(module)) visit(value)
  if (found.size === 0) usageError(`${file} exports no dataset (defineDataset(...))`)
  return [...found.values()]
}

/** A policy file loaded against datasets: the policy, or every finding of why it does not load. */
export interface LoadedPolicy {
  readonly file: string
  readonly text: string
  readonly policy: Policy | undefined
  readonly findings: readonly Finding[]
}

/** Loads a policy file; its findings are data (lint reports them), other failures are usage errors. */
export async function loadPolicyFile(
  file: string,
  datasets: readonly Dataset[],
): Promise<LoadedPolicy> {
  const text = await readText(file)
  try {
    return { file, text, policy: loadPolicy(text, { datasets }), findings: [] }
  } catch (error) {
    if (error instanceof DatagateError && error.code === 'ERR_POLICY_INVALID') {
      const findings =
        error.findings.length > 0
          ? error.findings
          : [{ code: 'policy_invalid', path: '(policy)', message: error.message }]
      return { file, text, policy: undefined, findings }
    }
    throw error
  }
}

/** A project: config, datasets and the policy. */
export interface Project {
  readonly config: ProjectConfig
  readonly datasets: readonly Dataset[]
  readonly policy: LoadedPolicy
}

/** Finds and loads the project of the working directory. */
export async function loadProject(
  explicit: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
  cwd: string,
): Promise<Project> {
  const config = await readConfig(findConfig(explicit, env, cwd))
  const datasets = await loadDatasets(config.datasets)
  const policy = await loadPolicyFile(config.policy, datasets)
  return { config, datasets, policy }
}

/** The loaded policy, or a usage error listing why it does not load (commands other than lint). */
export function requirePolicy(loaded: LoadedPolicy): Policy {
  if (loaded.policy) return loaded.policy
  const lines = loaded.findings.slice(0, 20).map((f) => `  ${f.path}: ${f.message} (${f.code})`)
  return usageError(`policy ${loaded.file} does not load (run datagate lint):\n${lines.join('\n')}`)
}
