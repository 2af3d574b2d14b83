#!/usr/bin/env bash
# Installs Debian's nginx for `make serve` (several app processes behind one address) when it is missing. The
# package's own service is not wanted (gmm_ui.proxy runs nginx with its own configuration), so it is stopped if
# the installation started it.
set -euo pipefail
if command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ]; then exit 0; fi
if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
echo "nginx not found: installing Debian's nginx package" >&2
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq nginx >/dev/null
if [ -s /run/nginx.pid ]; then $SUDO /usr/sbin/nginx -s stop 2>/dev/null || true; fi
