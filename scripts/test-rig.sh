#!/usr/bin/env bash
# Run a command with the test rig up: a private Xvfb and a private PulseAudio server with a
# virtual speaker (vspk) and a virtual microphone (vmic, fed through the sink "micfeed").
# Both are stopped by PID when the command ends, whatever its outcome.
#
#   scripts/test-rig.sh COMMAND [ARGS...]
#
# Exports for the command:
#   STUDIO_TEST_DISPLAY  the Xvfb display (tests that want a real X server use it)
#   PULSE_SERVER         the private PulseAudio socket (sounddevice -> ALSA -> Pulse)
#   STUDIO_TEST_PULSE=1  when PulseAudio is up
# A part that cannot start is reported and left out; tests needing it skip with a reason.
set -u
rig=$(mktemp -d /tmp/studio-rig.XXXXXX)
pids=()

cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null; done
  rm -rf "$rig"
}
trap cleanup EXIT INT TERM

# --- Xvfb -----------------------------------------------------------------------------------
if command -v Xvfb >/dev/null; then
  for n in $(seq 90 140); do
    [ -e "/tmp/.X11-unix/X$n" ] || [ -e "/tmp/.X$n-lock" ] && continue
    Xvfb ":$n" -screen 0 1280x800x24 -nolisten tcp -noreset >"$rig/xvfb.log" 2>&1 &
    xpid=$!
    for _ in $(seq 50); do
      [ -e "/tmp/.X11-unix/X$n" ] && break
      kill -0 "$xpid" 2>/dev/null || break
      sleep 0.1
    done
    if kill -0 "$xpid" 2>/dev/null && [ -e "/tmp/.X11-unix/X$n" ]; then
      pids+=("$xpid"); export STUDIO_TEST_DISPLAY=":$n"; break
    fi
  done
  [ -n "${STUDIO_TEST_DISPLAY:-}" ] && echo "test-rig: Xvfb on $STUDIO_TEST_DISPLAY" \
    || echo "test-rig: Xvfb did not start; display tests will skip"
else
  echo "test-rig: no Xvfb; display tests will skip"
fi

# --- PulseAudio -----------------------------------------------------------------------------
if command -v pulseaudio >/dev/null; then
  export XDG_RUNTIME_DIR="$rig/run"; mkdir -p "$XDG_RUNTIME_DIR"; chmod 700 "$XDG_RUNTIME_DIR"
  cat >"$rig/pulse.pa" <<PA
load-module module-native-protocol-unix auth-anonymous=1 socket=$rig/pulse.sock
load-module module-null-sink sink_name=vspk rate=48000 channels=2
load-module module-null-sink sink_name=micfeed rate=48000 channels=1
load-module module-remap-source source_name=vmic master=micfeed.monitor channels=1
set-default-sink vspk
set-default-source vmic
PA
  HOME="$rig" pulseaudio -n -F "$rig/pulse.pa" --daemonize=no --exit-idle-time=-1 \
    --disable-shm=yes >"$rig/pulse.log" 2>&1 &
  ppid_=$!
  export PULSE_SERVER="unix:$rig/pulse.sock"
  up=0
  for _ in $(seq 100); do
    if pactl info >/dev/null 2>&1; then up=1; break; fi
    kill -0 "$ppid_" 2>/dev/null || break
    sleep 0.1
  done
  if [ "$up" = 1 ]; then
    pids+=("$ppid_")
    # Keep both sinks awake, or recordings stall and lose data (test-rig notes).
    pacat -p -d vspk --latency-msec=10 --raw --format=s16le --rate=48000 --channels=2 /dev/zero &
    pids+=("$!")
    pacat -p -d micfeed --latency-msec=10 --raw --format=s16le --rate=48000 --channels=1 /dev/zero &
    pids+=("$!")
    export STUDIO_TEST_PULSE=1
    echo "test-rig: PulseAudio on $PULSE_SERVER"
  else
    kill "$ppid_" 2>/dev/null
    unset PULSE_SERVER
    echo "test-rig: PulseAudio did not start (see below); audio tests will skip"
    tail -5 "$rig/pulse.log"
  fi
else
  echo "test-rig: no pulseaudio; audio tests will skip"
fi

"$@"
status=$?
exit $status
