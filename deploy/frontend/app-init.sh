#!/bin/sh
# One-shot first step of deploy/truenas.yaml (service `init`): runs as root with only the CHOWN,
# DAC_OVERRIDE and FOWNER capabilities and no network, then exits. In the app's dataset (/data)
# it makes, once, and keeps after:
#   secrets/api-key, secrets/internal-token   random (openssl rand -hex 32); the key is the one
#                                             to type into the web UI
#   tls/cert.pem, tls/key.pem                 a self-signed certificate for HTTPS (tls-init; your
#                                             own pair put there is kept)
#   tool-monitoring/internal-token            tool-monitoring's own copy of the token
# and at every start puts each folder's owner right: 568 (the apps user, which the gateway,
# orchestrator, llm-adapter and web UI run as) for secrets, database, audit and tls; 65532 for
# tool-monitoring, so that it does not own, and cannot read, every app's data.
set -eu
APPS=568
MONITORING=65532
umask 077
cd /data

for dir in secrets database audit tls; do
  mkdir -p "$dir"
  chown "$APPS:$APPS" "$dir"
  chmod 0700 "$dir"
done
mkdir -p tool-monitoring
chown "$MONITORING:$MONITORING" tool-monitoring
chmod 0700 tool-monitoring

for name in api-key internal-token; do
  if [ ! -s "secrets/$name" ]; then
    openssl rand -hex 32 > "secrets/$name.new"
    mv "secrets/$name.new" "secrets/$name"
    echo "app-init: made secrets/$name"
  fi
  chown "$APPS:$APPS" "secrets/$name"
  chmod 0400 "secrets/$name"
done
cp secrets/internal-token tool-monitoring/internal-token.new
chown "$MONITORING:$MONITORING" tool-monitoring/internal-token.new
chmod 0400 tool-monitoring/internal-token.new
mv tool-monitoring/internal-token.new tool-monitoring/internal-token

# /tls is this dataset's tls folder: tls-init keeps a pair that is there, or makes one.
HTTPS=on /usr/local/bin/tls-init
chown "$APPS:$APPS" /tls/cert.pem /tls/key.pem
chmod 0444 /tls/cert.pem
chmod 0400 /tls/key.pem

echo "app-init: ready. The key to type into the web UI is in secrets/api-key of the app's dataset."
