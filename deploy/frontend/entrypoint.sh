#!/bin/sh
# Starts nginx with deploy/nginx.conf. UI_TLS=on serves HTTPS on the same port with /tls/cert.pem
# and /tls/key.pem (made by tls-init); UI_TLS=off (or empty) serves plain HTTP, for a proxy of the
# user's own in front. Either way nginx speaks HTTPS to the gateway, which both deployment files
# run with the same certificate (not verified: its name is the user's).
set -eu
mkdir -p /tmp/nginx
site=/etc/nginx/homelab-site.conf
to_gateway='s#http://gateway:8000#https://gateway:8000#'
case "${UI_TLS:-}" in
  "" | off)
    sed -e "$to_gateway" "$site" > /tmp/nginx/site.conf
    ;;
  on)
    for f in /tls/cert.pem /tls/key.pem; do
      [ -r "$f" ] || { echo "frontend: UI_TLS=on but $f is missing or unreadable (tls-init makes it)" >&2; exit 1; }
    done
    # HTTPS on the UI port; the hop to the gateway is HTTPS as well, inside the compose network,
    # where the gateway presents the same certificate (not verified: its name is the user's).
    # HSTS is in every location's headers (nginx-headers.conf), for HTTPS answers.
    sed -e 's#^\( *\)listen 3000;#\1listen 3000 ssl;\n\1ssl_certificate /tls/cert.pem;\n\1ssl_certificate_key /tls/key.pem;\n\1ssl_protocols TLSv1.2 TLSv1.3;#' \
        -e 's#^\( *\)listen \[::\]:3000;#\1listen [::]:3000 ssl;#' \
        -e "$to_gateway" \
        "$site" > /tmp/nginx/site.conf
    ;;
  *)
    echo "frontend: UI_TLS must be on or off, not '${UI_TLS}'" >&2
    exit 2
    ;;
esac
exec nginx -g 'daemon off;'
