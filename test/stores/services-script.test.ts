// scripts/test-services.sh on its failure paths: when Redis cannot start (its port is taken) the
// script must fail, leave no PostgreSQL running behind it, and never hand
// the tests a Redis it did not start (one already listening on the port answers PING).
import { spawn, spawnSync } from 'node:child_process'
import { createServer, type Server, Socket } from 'node:net'
import { fileURLToPath } from 'node:url'
import { expect, it } from 'vitest'
import { describeWith, PG_URL, REDIS_URL } from './services.js'

const root = fileURLToPath(new URL('../../', import.meta.url))

async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise((resolve) => server.close(resolve))
  return port
}

const listening = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = new Socket()
    socket.once('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.once('error', () => resolve(false))
    socket.connect(port, '127.0.0.1')
  })

/**
 * Sources the script in a bash of its own, as .ci/run does: its exit code (null when it was still
 * running after 60 s and was killed) and output. Async, so this process's own servers answer.
 */
function source(pgPort: number, redisPort: number) {
  const child = spawn(
    'bash',
    ['-c', '. scripts/test-services.sh || exit; echo "redis=$DATAGATE_TEST_REDIS"'],
    {
      cwd: root,
      env: {
        ...process.env,
        DATAGATE_TEST_PG_PORT: String(pgPort),
        DATAGATE_TEST_REDIS_PORT: String(redisPort),
      },
    },
  )
  let stdout = ''
  child.stdout.on('data', (data: Buffer) => {
    stdout += data.toString('utf8')
  })
  child.stderr.on('data', (data: Buffer) => {
    stdout += data.toString('utf8')
  })
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000)
  return new Promise<{ status: number | null; stdout: string }>((resolve) =>
    child.on('close', (status) => {
      clearTimeout(timer)
      resolve({ status, stdout })
    }),
  )
}

/** Stops a PostgreSQL a failed run left on `port` (only the old script did), so tests stay clean. */
function stopLeftover(port: number) {
  spawnSync('bash', [
    '-c',
    `for d in /tmp/datagate-services.*; do
       if [ "$(sed -n 4p "$d/pg/postmaster.pid" 2>/dev/null)" = "${port}" ]; then
         runuser -u postgres -- "$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)/pg_ctl" -D "$d/pg" -m immediate stop
         rm -rf "$d"
       fi
     done`,
  ])
}

describeWith(PG_URL && REDIS_URL, 'DATAGATE_TEST_PG', 'scripts/test-services.sh', () => {
  it('fails, and leaves nothing running, when the Redis port is taken by something that never answers', async () => {
    // It accepts and stays silent: redis-cli PING without a timeout waited for ever.
    const held: Socket[] = []
    const squatter: Server = createServer((socket) => {
      held.push(socket)
    })
    await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', resolve))
    const redisPort = (squatter.address() as { port: number }).port
    const pgPort = await freePort()
    try {
      const run = await source(pgPort, redisPort)
      expect(run.status, run.stdout).toBe(1)
      expect(run.stdout).not.toContain('redis=redis://')
      expect(await listening(pgPort)).toBe(false)
    } finally {
      stopLeftover(pgPort)
      for (const socket of held) socket.destroy()
      await new Promise((resolve) => squatter.close(resolve))
    }
  }, 90_000)

  it('refuses a port where another Redis already answers', async () => {
    const redisPort = Number(new URL(REDIS_URL!).port)
    const pgPort = await freePort()
    try {
      const run = await source(pgPort, redisPort)
      expect(run.status, run.stdout).toBe(1)
      expect(run.stdout).not.toContain('redis=redis://')
      expect(await listening(pgPort)).toBe(false)
    } finally {
      stopLeftover(pgPort)
    }
  }, 90_000)
})
