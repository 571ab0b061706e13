# Real PostgreSQL and Redis for the store tests (test/stores/, bench/stores.ts). Source it:
#   . scripts/test-services.sh        (from .ci/run, or by hand on a developer machine)
# It installs Debian's postgresql and redis-server only when missing (apt-get install of a present
# package still upgrades and costs seconds), starts both on custom ports on 127.0.0.1 in a
# temporary directory, stops them on exit (a trap), and exports DATAGATE_TEST_PG (a postgres:// URL)
# and DATAGATE_TEST_REDIS (a redis:// URL). fsync is off unless DATAGATE_TEST_PG_FSYNC=on.
# Bash only: arrays and a trap on EXIT.

datagate_services_start() {
  local started_ns
  started_ns=$(date +%s%N)
  local missing=()
  command -v redis-server >/dev/null || missing+=(redis-server)
  if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then missing+=(postgresql); fi
  if [ ${#missing[@]} -gt 0 ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
  local bin
  bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
  local pg_port=${DATAGATE_TEST_PG_PORT:-55432}
  local redis_port=${DATAGATE_TEST_REDIS_PORT:-56379}
  local fsync=${DATAGATE_TEST_PG_FSYNC:-off}

  # initdb refuses to run as root: the cluster belongs to the postgres user, in a directory it
  # can reach (mktemp under /tmp, handed over with chown).
  DATAGATE_SERVICES_DIR=$(mktemp -d /tmp/datagate-services.XXXXXX)
  export DATAGATE_SERVICES_DIR
  # From here on, whatever fails, what was started is stopped and the directory removed.
  trap datagate_services_stop EXIT
  chmod 755 "$DATAGATE_SERVICES_DIR"
  local as_pg=()
  if [ "$(id -u)" = 0 ]; then
    chown postgres:postgres "$DATAGATE_SERVICES_DIR"
    as_pg=(runuser -u postgres --)
  fi
  local no_sync=()
  [ "$fsync" = off ] && no_sync=(--no-sync)
  "${as_pg[@]}" "$bin/initdb" -D "$DATAGATE_SERVICES_DIR/pg" -U postgres -E UTF8 --locale=C "${no_sync[@]}" \
    --auth=trust >"$DATAGATE_SERVICES_DIR/initdb.log" 2>&1 ||
    { cat "$DATAGATE_SERVICES_DIR/initdb.log"; datagate_services_stop; return 1; }
  "${as_pg[@]}" "$bin/pg_ctl" -D "$DATAGATE_SERVICES_DIR/pg" -l "$DATAGATE_SERVICES_DIR/pg.log" -w \
    -o "-p $pg_port -c listen_addresses=127.0.0.1 -c unix_socket_directories=$DATAGATE_SERVICES_DIR -c fsync=$fsync -c max_connections=200" \
    start >/dev/null || { cat "$DATAGATE_SERVICES_DIR/pg.log"; datagate_services_stop; return 1; }
  redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no \
    --daemonize yes --pidfile "$DATAGATE_SERVICES_DIR/redis.pid" \
    --logfile "$DATAGATE_SERVICES_DIR/redis.log" || { datagate_services_stop; return 1; }

  # Redis answers once it has daemonised and bound; wait for it like pg_ctl -w waits for PG. It
  # writes its pid file only once it listens, so a PING answered without one came from another
  # server already on the port (this one failed to bind): refuse it. Each PING has a timeout: a
  # port held by something that never answers would otherwise wait for ever.
  local tries=0
  until [ -s "$DATAGATE_SERVICES_DIR/redis.pid" ] &&
    timeout 1 redis-cli -p "$redis_port" ping >/dev/null 2>&1; do
    tries=$((tries + 1))
    [ $tries -gt 100 ] && { cat "$DATAGATE_SERVICES_DIR/redis.log"; datagate_services_stop; return 1; }
    sleep 0.05
  done

  export DATAGATE_TEST_PG="postgres://postgres@127.0.0.1:$pg_port/postgres"
  export DATAGATE_TEST_REDIS="redis://127.0.0.1:$redis_port"
  export DATAGATE_TEST_PG_DATA="$DATAGATE_SERVICES_DIR/pg"
  export DATAGATE_TEST_REDIS_BIN
  DATAGATE_TEST_REDIS_BIN=$(command -v redis-server)
  local elapsed_ms=$((($(date +%s%N) - started_ns) / 1000000))
  echo "test services: PostgreSQL on 127.0.0.1:$pg_port (fsync $fsync), Redis on 127.0.0.1:$redis_port, started in ${elapsed_ms} ms"
}

datagate_services_stop() {
  [ -n "${DATAGATE_SERVICES_DIR:-}" ] || return 0
  local bin
  bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
  if [ -f "$DATAGATE_SERVICES_DIR/redis.pid" ]; then
    kill "$(cat "$DATAGATE_SERVICES_DIR/redis.pid")" 2>/dev/null || true
  fi
  if [ -d "$DATAGATE_SERVICES_DIR/pg" ]; then
    if [ "$(id -u)" = 0 ]; then
      runuser -u postgres -- "$bin/pg_ctl" -D "$DATAGATE_SERVICES_DIR/pg" -m immediate stop >/dev/null 2>&1 || true
    else
      "$bin/pg_ctl" -D "$DATAGATE_SERVICES_DIR/pg" -m immediate stop >/dev/null 2>&1 || true
    fi
  fi
  rm -rf "$DATAGATE_SERVICES_DIR"
  DATAGATE_SERVICES_DIR=
}

datagate_services_start
