#!/bin/sh
# Healthy when the page is served and the gateway answers behind it (/api/health), over whatever
# the UI port speaks.
scheme=http
[ "${UI_TLS:-}" = on ] && scheme=https
for path in / /api/health; do
  wget -q -T 4 --no-check-certificate -O /dev/null "$scheme://127.0.0.1:3000$path" || exit 1
done
