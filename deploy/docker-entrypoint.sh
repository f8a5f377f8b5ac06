#!/bin/sh
# Entry point of Costscope's images. Each secret below may be given as <NAME>_FILE instead of
# <NAME>: the variable is then read from that file (trailing newlines dropped), so secrets can come
# from Docker or Compose secrets mounted under /run/secrets rather than from the environment
# `docker inspect` shows. Only these names: other *_FILE variables (SSL_CERT_FILE…) are paths
# that must stay paths. Then runs the command in place of this shell.
set -eu

SECRET_VARIABLES="COSTSCOPE_API_KEY COSTSCOPE_SECRET_KEY CLICKHOUSE_PASSWORD COSTSCOPE_ADMIN_PASSWORD COSTSCOPE_SESSION_SECRET SLACK_BOT_TOKEN SLACK_WEBHOOK_URL SMTP_URL"

for name in $SECRET_VARIABLES; do
  file_variable="${name}_FILE"
  # The names are fixed above ([A-Z_] only), so eval sees no other characters.
  eval "file=\${${file_variable}-}"
  [ -n "$file" ] || continue
  eval "direct=\${${name}-}"
  if [ -n "$direct" ]; then
    echo "costscope: both $name and $file_variable are set; set only one" >&2
    exit 64
  fi
  if [ ! -r "$file" ]; then
    echo "costscope: $file_variable names $file, which cannot be read" >&2
    exit 64
  fi
  value=$(cat "$file")
  export "$name=$value"
  unset "$file_variable"
done

exec "$@"
