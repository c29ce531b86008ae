#!/usr/bin/env bash
# System libraries that Python packages build against (PyICU needs ICU's headers and pkg-config).
set -euo pipefail
if pkg-config --exists icu-uc 2>/dev/null; then exit 0; fi
echo "Installing ICU development files for PyICU..."
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq libicu-dev pkg-config >/dev/null
