#!/bin/bash
# Healthy when GET /_ping through the proxy reaches the Docker engine and answers 200.
exec 3<>/dev/tcp/127.0.0.1/2375 || exit 1
printf 'GET /_ping HTTP/1.0\r\nHost: docker-proxy\r\n\r\n' >&3
IFS= read -r -t 4 status <&3 || exit 1
[[ "$status" == "HTTP/1."?" 200"* ]]
