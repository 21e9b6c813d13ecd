#!/usr/bin/env bash
# Install the Debian packages the tests need: GNU make, git, strace (process counts),
# python3-venv (the README's commands make a venv; Debian's python3 lacks ensurepip without
# it), and for tests/engine the 20.10 docker client and daemon (BuildKit without buildx), a
# loopback registry, and a static busybox for FROM-scratch base images.
# Idempotent: installs only the packages that are missing. See ../shared/spec/ENGINE.md.
set -euo pipefail

packages=(make git strace python3-venv docker.io docker-registry busybox-static)

is_installed() {
  dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q '^install ok installed$'
}

missing=()
for pkg in "${packages[@]}"; do
  is_installed "$pkg" || missing+=("$pkg")
done

if ((${#missing[@]} == 0)); then
  echo "packages.sh: ${packages[*]} already installed"
  exit 0
fi

if ((EUID != 0)); then
  echo "packages.sh: installing ${missing[*]} needs root; rerun as root" >&2
  exit 1
fi

echo "packages.sh: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y "${missing[@]}"
