#!/usr/bin/env bash
# Install the Debian packages named as arguments when they are missing and we have the rights
# (root, or passwordless sudo). Otherwise say which are missing and carry on: the README lists them.
set -u
missing=()
for pkg in "$@"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -eq 0 ]; then SUDO=""; elif sudo -n true 2>/dev/null; then SUDO="sudo -n"; else
  echo "youguan: missing system packages (install them as root): ${missing[*]}" >&2
  exit 0
fi
echo "youguan: installing system packages: ${missing[*]}" >&2
$SUDO apt-get update -qq >/dev/null 2>&1 || true
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
  || { echo "youguan: apt-get install failed for: ${missing[*]}" >&2; exit 1; }
