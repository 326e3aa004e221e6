#!/usr/bin/env bash
# Set up promspec in .venv, then run one job:
#   ./dev.sh generate   generate out/ from specs/, with promtool's verdict
#   ./dev.sh test       run the test suite
#   ./dev.sh setup      set up only
# Works on a fresh Debian machine with Python 3.11: as root it installs the
# missing Debian packages (python3-venv, and prometheus for promtool and the
# Prometheus server) itself.
set -euo pipefail
cd "$(dirname "$0")"

python_bin() {
  for candidate in python3.11 python3; do
    if command -v "$candidate" >/dev/null && "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
      echo "$candidate"
      return
    fi
  done
  echo "promspec needs Python 3.11 or newer; install python3 (Debian 12 ships 3.11)" >&2
  exit 1
}

apt_install() {
  if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
    echo "missing Debian packages: $*; install them with: sudo apt-get install $*" >&2
    return 1
  fi
  echo "installing Debian packages: $*" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

setup_venv() {
  local python
  python=$(python_bin)
  if [ ! -x .venv/bin/python ] && ! "$python" -m venv .venv 2>/dev/null; then
    # Debian splits venv support into python3-venv.
    rm -rf .venv
    apt_install python3-venv || exit 1
    "$python" -m venv .venv
  fi
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
}

# Debian's prometheus package provides promtool, for the rule checks, and the
# Prometheus server that the end-to-end tests start.
setup_prometheus() {
  if { [ -z "${PROMTOOL:-}" ] && ! command -v promtool >/dev/null; } ||
     { [ -z "${PROMETHEUS:-}" ] && ! command -v prometheus >/dev/null; }; then
    apt_install prometheus
  fi
}

setup() {
  setup_prometheus
  setup_venv
}

case "${1:-}" in
  setup) setup ;;
  generate) setup; shift; exec .venv/bin/promspec generate --require-promtool "$@" ;;
  test) setup; shift; exec .venv/bin/python -m pytest "$@" ;;
  *) echo "usage: ./dev.sh setup | generate [promspec options] | test [pytest options]" >&2; exit 2 ;;
esac
