# Debian's clickhouse-server (18.16 on Debian 12/13), on 127.0.0.1 only, in a time zone
# that is not UTC (Asia/Kathmandu, +05:45: a DateTime read as text would be off by 5h45m),
# holding a few million generated log rows (scripts/gen-logs) for the clickhouse collector.
# Also sourced by scripts/bench-clickhouse for ch_config and ch_load.
it_packages+=(clickhouse-server clickhouse-client)

# ch_config DIR HTTP_PORT TCP_PORT INTERSERVER_PORT: a server configuration of our own in
# DIR (data, logs and users there too), listening on loopback only.
ch_config() {
  local dir=$1 http=$2 tcp=$3 inter=$4
  mkdir -p "$dir/data/tmp" "$dir/data/user_files" "$dir/log"
  cat >"$dir/config.xml" <<XML
<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><log>$dir/log/server.log</log><errorlog>$dir/log/error.log</errorlog></logger>
  <listen_host>127.0.0.1</listen_host>
  <http_port>$http</http_port>
  <tcp_port>$tcp</tcp_port>
  <interserver_http_port>$inter</interserver_http_port>
  <interserver_http_host>127.0.0.1</interserver_http_host>
  <path>$dir/data/</path>
  <tmp_path>$dir/data/tmp/</tmp_path>
  <user_files_path>$dir/data/user_files/</user_files_path>
  <format_schema_path>$dir/data/format_schemas/</format_schema_path>
  <users_config>$dir/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <timezone>Asia/Kathmandu</timezone>
  <mark_cache_size>268435456</mark_cache_size>
  <max_concurrent_queries>20</max_concurrent_queries>
</yandex>
XML
  # default: no password (loading, the tests' own checks); pmhost: a password that the
  # collector reads from PMHOST_IT_CLICKHOUSE_PASSWORD and sends in a header.
  cat >"$dir/users.xml" <<XML
<?xml version="1.0"?>
<yandex>
  <profiles><default><max_memory_usage>2000000000</max_memory_usage></default></profiles>
  <users>
    <default><password></password><networks><ip>127.0.0.1</ip></networks><profile>default</profile><quota>default</quota></default>
    <pmhost><password>s3cret-pmhost</password><networks><ip>127.0.0.1</ip></networks><profile>default</profile><quota>default</quota></pmhost>
  </users>
  <quotas><default><interval><duration>3600</duration><queries>0</queries><errors>0</errors><result_rows>0</result_rows><read_rows>0</read_rows><execution_time>0</execution_time></interval></default></quotas>
</yandex>
XML
}

# ch_load URL ROWS [LOG WINDOW_START WINDOW_END]: creates table logs (scripts/gen-logs
# --schema) and streams ROWS generated rows into it (INSERT ... FORMAT TabSeparated over
# HTTP); with LOG, the same pass also writes the rows of the window as log lines there.
ch_load() {
  local url=$1 rows=$2 log=${3:-}
  curl -sfS "$url/" --data-binary "DROP TABLE IF EXISTS logs" >/dev/null
  curl -sfS "$url/" --data-binary "$(scripts/gen-logs --schema)" >/dev/null
  local extra=()
  [ -n "$log" ] && extra=(--log "$log" --log-window "$4" "$5")
  scripts/gen-logs --rows "$rows" --tsv - "${extra[@]}" |
    curl -sfS "$url/?query=INSERT%20INTO%20logs%20FORMAT%20TabSeparated" -H 'Transfer-Encoding: chunked' \
      --data-binary @- >/dev/null
}

it_start_clickhouse() { # DIR
  local dir=$1 http tcp inter t0 rows=${PMHOST_IT_CLICKHOUSE_ROWS:-2000000}
  http=$(free_port) tcp=$(free_port) inter=$(free_port)
  ch_config "$dir" "$http" "$tcp" "$inter"
  clickhouse-server --config-file="$dir/config.xml" >"$dir/server.out" 2>&1 &
  server_pid[clickhouse]=$!
  wait_ready clickhouse "http://127.0.0.1:$http/ping" "$dir/log/error.log"
  t0=$(date +%s.%N)
  # The example incident's window with the collector's default margin (15m each side).
  ch_load "http://127.0.0.1:$http" "$rows" "$dir/window.log" 1739094600 1739102100
  say "clickhouse: loaded $rows rows in $(elapsed "$t0") ($(curl -s "http://127.0.0.1:$http/" \
    --data-binary 'SELECT version()'), time zone Asia/Kathmandu)"
  it_env+=(PMHOST_IT_CLICKHOUSE_URL="http://127.0.0.1:$http" PMHOST_IT_CLICKHOUSE_LOG="$dir/window.log"
    PMHOST_IT_CLICKHOUSE_PASSWORD=s3cret-pmhost)
  it_urls+=("http://127.0.0.1:$http")
}
