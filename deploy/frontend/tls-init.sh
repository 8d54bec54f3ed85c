#!/bin/sh
# One-shot start step of the compose stack (service tls-init). It puts cert.pem and key.pem into
# the tls volume, which the gateway and the web UI mount read-only: the user's own files from
# /provided (TLS_DIR) when both are there, otherwise a self-signed certificate made on the first
# start and kept after (TLS_HOSTNAMES adds names to it). HTTPS is on by default; HTTPS=off makes
# only the web UI's port plain HTTP, so a certificate is made either way (the gateway serves it).
set -eu
case "${HTTPS:-on}" in
  on) ;;
  off) echo "tls-init: HTTPS=off: the web UI's port serves plain HTTP; the gateway keeps HTTPS" ;;
  *) echo "tls-init: HTTPS must be on or off, not '${HTTPS}'" >&2; exit 2 ;;
esac
umask 077
if [ -s /provided/cert.pem ] && [ -s /provided/key.pem ]; then
  cp /provided/cert.pem /tls/cert.pem.new && cp /provided/key.pem /tls/key.pem.new
  mv /tls/cert.pem.new /tls/cert.pem && mv /tls/key.pem.new /tls/key.pem
  echo "tls-init: using the certificate from TLS_DIR"
  exit 0
fi
if [ -s /tls/cert.pem ] && [ -s /tls/key.pem ]; then
  echo "tls-init: keeping the certificate made earlier"
  exit 0
fi
san="DNS:localhost,DNS:gateway,IP:127.0.0.1"
for name in $(echo "${TLS_HOSTNAMES:-}" | tr ',' ' '); do
  case "$name" in
    *[!0-9.]*) san="$san,DNS:$name" ;;
    *) san="$san,IP:$name" ;;
  esac
done
# A server certificate, not a CA (openssl's default for -x509): rustls, which a remote agent's
# orchestrator uses, refuses a CA certificate presented by a server.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 825 \
  -subj "/CN=homelab-assistant" -addext "subjectAltName=$san" \
  -addext "basicConstraints=critical,CA:FALSE" -addext "extendedKeyUsage=serverAuth" \
  -keyout /tls/key.pem.new -out /tls/cert.pem.new 2>/dev/null
mv /tls/key.pem.new /tls/key.pem && mv /tls/cert.pem.new /tls/cert.pem
echo "tls-init: made a self-signed certificate for $san"
openssl x509 -in /tls/cert.pem -noout -fingerprint -sha256
