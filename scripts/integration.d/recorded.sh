# Loki and Elasticsearch/OpenSearch have no Debian package: scripts/recorded-http-server
# plays them from the cassettes in Tests/IntegrationTests/Data/recorded (one per
# conversation, in the documented formats of their HTTP APIs), checking every request.
it_start_recorded() { # DIR
  local dir=$1 port
  port=$(free_port)
  scripts/recorded-http-server "$port" Tests/IntegrationTests/Data/recorded "$dir/requests.log" \
    >"$dir/server.log" 2>&1 &
  server_pid[recorded]=$!
  wait_ready recorded "http://127.0.0.1:$port/__state/none" "$dir/server.log" 404
  it_env+=(PMHOST_IT_RECORDED_URL="http://127.0.0.1:$port" PMHOST_IT_RECORDED_LOG="$dir/requests.log")
  it_urls+=("http://127.0.0.1:$port")
}
