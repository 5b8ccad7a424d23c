#!/usr/bin/env bash
# A three-node MariaDB Galera cluster on loopback, for the tests and for trying Clinic on a
# cluster: Debian's mariadb-server and galera-4, private datadirs, sockets and ports under DIR, no
# systemd and nothing of /etc/mysql. Nodes 2 and 3 join by rsync state transfer.
#
#   bash scripts/galera.sh start DIR [FIRST_PORT]  starts the nodes (client ports FIRST_PORT..+2,
#                                                  default 24306) and prints one
#                                                  mysql://root@127.0.0.1:PORT/ line per node
#   bash scripts/galera.sh stop DIR                stops them
#   bash scripts/galera.sh kill-node DIR N         kills node N (SIGKILL), as a crash would
#   bash scripts/galera.sh start-node DIR N        starts node N again on its datadir and ports
#                                                  and waits until it has rejoined (state
#                                                  transfer) and is Synced
set -euo pipefail

command=${1:-}
dir=${2:-}
[[ -n "$command" && -n "$dir" ]] || { sed -n '2,14p' "$0"; exit 2; }
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
provider=/usr/lib/galera/libgalera_smm.so

node_dir() { echo "$dir/node$1"; }

stop_node() {
  local socket
  socket="$(node_dir "$1")/mysqld.sock"
  if [[ -S "$socket" ]]; then
    mariadb-admin --no-defaults --socket="$socket" -uroot shutdown 2>/dev/null || true
  fi
}

# A free TCP port on 127.0.0.1, from $1 upwards.
free_port() {
  local port=$1
  while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
  echo "$port"
}

# Each node: client port, group communication port, incremental and full state transfer ports,
# chosen by `start` and kept in DIR/ports for kill-node and start-node. Keep FIRST_PORT below the
# kernel's ephemeral range (ip_local_port_range, from 32768): there any client connection may take
# a port found free here, and Galera's state-transfer listener, bound when a node (re)joins, then
# fails with "Address already in use" and the node aborts.
declare -a client_ports group_ports ist_ports sst_ports

choose_ports() {
  local next node
  next=$(free_port "$1")
  for node in 1 2 3; do
    client_ports[node]=$(free_port "$next")
    group_ports[node]=$(free_port $((client_ports[node] + 100)))
    ist_ports[node]=$(free_port $((group_ports[node] + 100)))
    sst_ports[node]=$(free_port $((ist_ports[node] + 100)))
    next=$((client_ports[node] + 1))
  done
  # Global (-g) when read back inside a function.
  declare -p client_ports group_ports ist_ports sst_ports | sed 's/^declare -a/declare -ga/' >"$dir/ports"
}

# The node number of kill-node and start-node: 1, 2 or 3.
node_argument() {
  [[ "${1:-}" =~ ^[123]$ ]] || { echo "galera.sh: the node must be 1, 2 or 3" >&2; exit 2; }
  [[ -f "$dir/ports" ]] || { echo "galera.sh: no cluster was started in $dir" >&2; exit 1; }
  # shellcheck source=/dev/null
  source "$dir/ports"
}

kill_node() {
  local pid_file pid
  pid_file="$(node_dir "$1")/mysqld.pid"
  [[ -f "$pid_file" ]] || return 0
  pid=$(cat "$pid_file")
  kill -KILL "$pid" 2>/dev/null || true
  while kill -0 "$pid" 2>/dev/null; do sleep 0.05; done
  rm -f "$pid_file"
}

start_node() {
  local node=$1 bootstrap=$2 data
  data="$(node_dir "$node")"
  mkdir -p "$data"
  local extra=()
  if [[ "$node" == 1 && ! -d "$data/data/mysql" ]]; then
    mariadb-install-db --no-defaults --user=root --datadir="$data/data" \
      --auth-root-authentication-method=normal --skip-test-db >"$data/install.log" 2>&1
  fi
  if [[ "$bootstrap" == bootstrap ]]; then
    extra+=(--wsrep-new-cluster)
  else
    # The joiner receives the state through an rsync daemon, which, started as root, drops to
    # the user nobody: the datadir, and what an earlier run of the node left in it, must be
    # nobody's to receive into.
    mkdir -p "$data/data"
    chown -R nobody:nogroup "$data/data"
  fi
  mkdir -p "$data/tmp"
  # The options Galera requires (row binlog format, interleaved auto-increment locks), the same
  # character set, time zone and limits as the standalone test server, and loopback addresses
  # for replication and state transfer.
  mariadbd --no-defaults --user=root --datadir="$data/data" --bind-address=127.0.0.1 \
    --port="${client_ports[node]}" --socket="$data/mysqld.sock" --pid-file="$data/mysqld.pid" \
    --tmpdir="$data/tmp" --log-error="$data/error.log" --skip-name-resolve --character-set-server=utf8mb4 \
    --collation-server=utf8mb4_unicode_520_ci --default-time-zone=+00:00 --max-connections=500 \
    --binlog-format=ROW --default-storage-engine=InnoDB --innodb-autoinc-lock-mode=2 \
    --wsrep-on=ON --wsrep-provider="$provider" --wsrep-cluster-name=clinic-test \
    --wsrep-cluster-address="$cluster" --wsrep-node-name="node$node" \
    --wsrep-node-address="127.0.0.1:${group_ports[node]}" \
    --wsrep-provider-options="gmcast.listen_addr=tcp://127.0.0.1:${group_ports[node]};ist.recv_addr=127.0.0.1:${ist_ports[node]};gcache.size=64M" \
    --wsrep-sst-method=rsync --wsrep-sst-receive-address="127.0.0.1:${sst_ports[node]}" \
    "${extra[@]}" >>"$data/mariadbd.out" 2>&1 &
}

# Waits until the node answers and reports itself synced with the cluster.
wait_synced() {
  local node=$1 socket state=""
  socket="$(node_dir "$node")/mysqld.sock"
  for _ in $(seq 1 600); do
    state=$(mariadb --no-defaults --socket="$socket" -uroot -N -e \
      "SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME = 'WSREP_LOCAL_STATE_COMMENT'" 2>/dev/null || true)
    [[ "$state" == Synced ]] && return 0
    sleep 0.2
  done
  echo "galera.sh: node $node did not become Synced (state '$state'); its log:" >&2
  tail -n 40 "$(node_dir "$node")/error.log" >&2
  return 1
}

case "$command" in
  stop)
    for node in 3 2 1; do stop_node "$node"; done
    ;;
  start)
    [[ -f "$provider" ]] || { echo "galera.sh: $provider is missing (apt-get install galera-4)" >&2; exit 1; }
    choose_ports "${3:-24306}"
    cluster="gcomm://127.0.0.1:${group_ports[1]},127.0.0.1:${group_ports[2]},127.0.0.1:${group_ports[3]}"
    for node in 1 2 3; do
      if [[ "$node" == 1 ]]; then start_node "$node" bootstrap; else start_node "$node" join; fi
      wait_synced "$node"
    done
    for node in 1 2 3; do echo "mysql://root@127.0.0.1:${client_ports[node]}/"; done
    ;;
  kill-node)
    node_argument "${3:-}"
    kill_node "$3"
    ;;
  start-node)
    node_argument "${3:-}"
    cluster="gcomm://127.0.0.1:${group_ports[1]},127.0.0.1:${group_ports[2]},127.0.0.1:${group_ports[3]}"
    start_node "$3" join
    wait_synced "$3"
    ;;
  *) sed -n '2,14p' "$0"; exit 2 ;;
esac
