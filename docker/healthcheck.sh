#!/bin/bash
# The image's HEALTHCHECK: GET /api/ping must answer 200 (it does before a password is set, too).
# bash's /dev/tcp instead of curl: one request a minute needs no extra package in the image.
host=${HOST:-0.0.0.0}
case $host in 0.0.0.0|::|'') host=127.0.0.1 ;; esac
exec 3<>"/dev/tcp/$host/${PORT:-5000}" || exit 1
printf 'GET /api/ping HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n' >&3
IFS=$' \r' read -r -t 5 _ status _ <&3 || exit 1
[ "$status" = 200 ]
