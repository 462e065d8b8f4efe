#!/usr/bin/env bash
# Set-up and the two everyday jobs. `make run` / `make test` call this; so does .ci/run.
#
#   scripts/dev.sh setup   system packages the app needs + .venv with studio installed
#   scripts/dev.sh run     setup, then `studio run` on the bundled sample recording
#                          (a window with a display, JSON lines + a summary without one)
#   scripts/dev.sh test    setup (+ test packages), ruff and mypy (config in pyproject.toml),
#                          then the whole test suite with a private Xvfb and PulseAudio
#                          (scripts/test-rig.sh); a lint or type error fails the job first
#
# Works as root or as a user with sudo on Debian 12. Installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}

# Debian packages (see docs/user-guide.md): sound, Qt on X and offscreen.
APP_PKGS="python3 python3-venv libportaudio2 libasound2-plugins libgl1 libglib2.0-0 libjpeg62-turbo
  libfontconfig1 libdbus-1-3 libxkbcommon-x11-0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1
  libxcb-render-util0 libxcb-shape0 libxcb-xinerama0 libxcb-xkb1 libxcb-randr0 libxcb-xfixes0
  libxcb-cursor0 libegl1"
# For the tests: a virtual screen, a sound server, exiftool for sidecars, Chromium for the report.
TEST_PKGS="pulseaudio xvfb x11-utils x11-apps libimage-exiftool-perl chromium espeak-ng xdotool"

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@";
  else echo "dev.sh: need root or sudo to install: $*" >&2; return 1; fi
}

apt_install() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} = 0 ] && return 0
  if ! command -v apt-get >/dev/null; then
    echo "dev.sh: not a Debian system; please install: ${missing[*]}" >&2; return 0
  fi
  echo "dev.sh: installing ${missing[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

pick_python() {
  for py in python3.11 python3; do
    if command -v "$py" >/dev/null && "$py" -c 'import sys; assert sys.version_info[:2] == (3, 11)' 2>/dev/null; then
      echo "$py"; return
    fi
  done
  echo "dev.sh: studio needs Python 3.11 (Debian 12's python3)" >&2; exit 1
}

setup() {
  local extra=${1:-}
  apt_install $APP_PKGS
  [ "$extra" = test ] && apt_install $TEST_PKGS
  local stamp="$VENV/.studio-installed$extra"
  if [ ! -x "$VENV/bin/python" ]; then
    "$(pick_python)" -m venv "$VENV"
  fi
  if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
    local target=.
    [ "$extra" = test ] && target=".[test]"
    echo "dev.sh: installing studio and its dependencies into $VENV (log: $VENV/pip.log)"
    if ! { "$VENV/bin/python" -m pip install --upgrade pip &&
           "$VENV/bin/python" -m pip install -e "$target"; } >"$VENV/pip.log" 2>&1; then
      tail -30 "$VENV/pip.log" >&2
      echo "dev.sh: pip install failed (full log: $VENV/pip.log)" >&2
      exit 1
    fi
    touch "$stamp"
  fi
}

case "${1:-}" in
  setup) setup "${2:-}" ;;
  run)
    setup
    shift
    exec "$VENV/bin/studio" run "$@"
    ;;
  test)
    setup test
    shift
    failed=()
    "$VENV/bin/ruff" check . || failed+=(ruff)
    "$VENV/bin/mypy" || failed+=(mypy)  # studio/ and drivers/, as pyproject.toml says
    if [ ${#failed[@]} != 0 ]; then
      echo "dev.sh: ${failed[*]} failed: fix the errors above before the tests run" >&2
      exit 1
    fi
    set +e
    scripts/test-rig.sh "$VENV/bin/python" -m pytest "$@"
    rc=$?
    set -e
    if [ "$rc" = 5 ]; then echo "dev.sh: pytest collected no tests: that is a failure" >&2; exit 1; fi
    exit "$rc"
    ;;
  *) echo "usage: scripts/dev.sh setup|run|test [args]" >&2; exit 2 ;;
esac
