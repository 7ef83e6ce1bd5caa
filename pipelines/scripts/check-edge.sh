#!/usr/bin/env bash
# The automated check after a deployment: the edge answers a call without a token with 401 and a
# JSON body that carries a message (the gateway, its authorizer and its error responses work).
#
#   EDGE_URL    base URL of the edge stage, e.g. https://abc.execute-api.eu-west-1.amazonaws.com/dev/
#   CHECK_PATH  a route path behind the authorizer, e.g. orders/pipeline-check
#   CHECK_ATTEMPTS, CHECK_INTERVAL_SECONDS  retries while a fresh deployment settles (default 5, 5)
set -euo pipefail
: "${EDGE_URL:?}" "${CHECK_PATH:?}"
url="${EDGE_URL%/}/${CHECK_PATH#/}"
body="$(mktemp)"
for attempt in $(seq 1 "${CHECK_ATTEMPTS:-5}"); do
  status="$(curl --silent --show-error --max-time 10 --output "$body" --write-out '%{http_code}' "$url" || echo 000)"
  [ "$status" = "401" ] && break
  echo "attempt ${attempt}: ${url} answered ${status}; retrying" >&2
  sleep "${CHECK_INTERVAL_SECONDS:-5}"
done
if [ "$status" != "401" ]; then
  echo "expected 401 from ${url} without a token, got ${status}: $(head -c 500 "$body")" >&2
  exit 1
fi
if ! node -e 'const b = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")); if (typeof b.message !== "string") process.exit(1)' "$body"; then
  echo "expected a JSON body with a message from ${url}, got: $(head -c 500 "$body")" >&2
  exit 1
fi
echo "${url}: 401 with a JSON message, as expected"
