#!/usr/bin/env bash
# Installs what the test suite needs from Debian's packages, once: Chromium (UI tests),
# Radicale and Xandikos (CalDAV tests against two servers) and PostgreSQL 15 (concurrency and RLS tests). Safe to re-run.
set -euo pipefail

missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -x /usr/bin/radicale ] || missing+=(radicale)
[ -x /usr/bin/xandikos ] || missing+=(xandikos)
if ! command -v initdb >/dev/null 2>&1 && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  missing+=(postgresql postgresql-contrib)
fi
command -v runuser >/dev/null 2>&1 || missing+=(util-linux)

if [ ${#missing[@]} -gt 0 ]; then
  echo "[setup] installing: ${missing[*]}"
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then SUDO=sudo; else
      echo "[setup] need root to install ${missing[*]} (apt-get install -y ${missing[*]})" >&2; exit 1
    fi
  else SUDO=""; fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

id postgres >/dev/null 2>&1 || { echo "[setup] the postgres OS user is missing (install postgresql)" >&2; exit 1; }
echo "[setup] chromium, radicale, xandikos and postgresql are present"
