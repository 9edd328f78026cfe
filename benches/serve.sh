#!/usr/bin/env bash
# Live-preview benchmark: how long after saving one case study `casebook serve` serves the
# rebuilt page and sends the reload event, with saves far apart and with saves 1 s apart (an
# editor's autosave), and how much memory the server holds; next to a full build's time.
#
#   benches/serve.sh [N]            # default N: 10000
#
# Generates (or reuses) the corpus of ../shared/bench/gen_corpus.py under target/bench-corpus/N
# as benches/build.sh does, copies its casebook site to a temporary folder, times one full
# `casebook build`, then starts one `casebook serve` on a free port and, for each spacing of
# PAUSES in turn, saves case studies SAVES times, a save starting that many seconds after the
# one before (or at once when the page took longer). Each save writes a temporary file and
# renames it over the case study, as editors do, appending a unique sentence to its body. For
# each save it measures, from the rename:
#   page:   until GET of the case study's page returns the new sentence (polled every 2 ms);
#   reload: until the `reload` event arrives on an open /__casebook/events connection.
# Prints, per spacing, the median, minimum and maximum of each and the server's own rebuild
# times; and the server's resident memory (VmRSS, and its peak VmHWM, from /proc/<pid>/status)
# after the first build and after the last save (read once the page of that save is served),
# the size on disk of the temporary files with no name it keeps its pages, search index and
# text in (its spools, under the site's .casebook/; the page cache, not the server, holds
# them in memory), and the load average at the start and the end (wall times depend on it;
# memory does not).
#
# Environment: SAVES (per spacing, default 20), PAUSES (seconds from save to save, one run
# per value, default "6 1"), CASEBOOK_SHARED (default <repo>/../shared), CARGO_TARGET_DIR (as
# cargo), CASEBOOK_BIN (a casebook binary to measure instead of building this checkout's, such
# as a copy of an earlier one to compare with), KEEP=1 keeps the temporary folder.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(git -C "$HERE" rev-parse --show-toplevel 2>/dev/null || (cd "$HERE/.." && pwd))"
SHARED="${CASEBOOK_SHARED:-$REPO/../shared}"
GEN="$SHARED/bench/gen_corpus.py"
CHECK="$HERE/check_output.py"
TARGET="${CARGO_TARGET_DIR:-$REPO/target}"
case "$TARGET" in /*) ;; *) TARGET="$REPO/$TARGET" ;; esac
SAVES="${SAVES:-20}"
PAUSES="${PAUSES:-6 1}"
N="${1:-10000}"

die() { echo "benches/serve.sh: $*" >&2; exit 1; }
say() { echo "== $*" >&2; }

[[ "$N" =~ ^[1-9][0-9]*$ ]] || die "N must be a positive whole number, not '$N'"
[[ "$SAVES" =~ ^[1-9][0-9]*$ ]] || die "SAVES must be a positive whole number"
for pause in $PAUSES; do
  [[ "$pause" =~ ^[0-9]+([.][0-9]+)?$ ]] || die "PAUSES must be numbers of seconds, not '$pause'"
done
[ -f "$GEN" ] || die "no corpus generator at $GEN (set CASEBOOK_SHARED to the shared/ folder)"
command -v python3 >/dev/null || die "python3 is needed"

if [ -n "${CASEBOOK_BIN:-}" ]; then
  CASEBOOK="$CASEBOOK_BIN"
else
  say "building casebook (release)"
  (cd "$REPO" && cargo build --release --bin casebook >&2)
  CASEBOOK="$TARGET/release/casebook"
fi
[ -x "$CASEBOOK" ] || die "no casebook binary at $CASEBOOK"

CORPUS="$TARGET/bench-corpus/$N"
if [ -f "$CORPUS/manifest.json" ] && python3 "$CHECK" fresh "$CORPUS/manifest.json" "$GEN" 2>/dev/null; then
  say "N=$N: reusing corpus $CORPUS"
else
  say "N=$N: generating corpus in $CORPUS"
  rm -rf "$CORPUS"
  mkdir -p "$CORPUS"
  python3 "$GEN" "$N" "$CORPUS" >&2
fi
[ -d "$CORPUS/casebook/content" ] || die "the corpus has no casebook/content folder"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/casebook-serve-bench.XXXXXX")"
SERVER_PID=
cleanup() {
  if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  if [ "${KEEP:-}" = 1 ]; then say "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
cp -r "$CORPUS/casebook" "$WORK/site"

say "full build of N=$N"
start=$(date +%s.%N)
"$CASEBOOK" build --root "$WORK/site" --output "$WORK/public" --quiet
end=$(date +%s.%N)
FULL_BUILD=$(python3 -c "print(f'{$end - $start:.2f}')")
rm -rf "$WORK/public"

say "starting casebook serve"
"$CASEBOOK" serve --root "$WORK/site" --port 0 2>"$WORK/serve.log" &
SERVER_PID=$!

python3 - "$WORK" "$SAVES" "$PAUSES" "$FULL_BUILD" "$N" "$SERVER_PID" <<'PY'
import os, re, socket, statistics, sys, threading, time

work, saves, pauses, full_build, n, pid = sys.argv[1], int(sys.argv[2]), [float(p) for p in sys.argv[3].split()], sys.argv[4], sys.argv[5], sys.argv[6]
log_path = os.path.join(work, "serve.log")
load_at_start = open("/proc/loadavg").read().split()[:3]

def memory():
    """The server's VmRSS and VmHWM in MB."""
    fields = {}
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            name, _, value = line.partition(":")
            if name in ("VmRSS", "VmHWM"):
                fields[name] = int(value.split()[0]) / 1024
    return fields["VmRSS"], fields["VmHWM"]

def spooled():
    """The server's open files under the site's .casebook/ that have no name any more (its
    spools): how many, and their size on disk in MB."""
    count, size = 0, 0
    folder = os.path.join(work, "site", ".casebook")
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
            if target.startswith(folder) and target.endswith("(deleted)"):
                count += 1
                size += os.stat(f"/proc/{pid}/fd/{fd}").st_blocks * 512
        except OSError:
            pass
    return count, size / 1024 / 1024

deadline = time.time() + 600
address = None
while time.time() < deadline and address is None:
    with open(log_path, encoding="utf-8", errors="replace") as log:
        match = re.search(r"serving http://([0-9.]+):(\d+)/", log.read())
    if match:
        address = (match.group(1), int(match.group(2)))
    else:
        time.sleep(0.2)
if address is None:
    sys.exit("benches/serve.sh: the server printed no address within 10 minutes")
startup = open(log_path).read()
print(f"server: {startup.strip().splitlines()[-2].strip()}", file=sys.stderr)
after_first_build = memory()
spool_after_first_build = spooled()

def get(path):
    with socket.create_connection(address, timeout=30) as s:
        s.sendall(f"GET {path} HTTP/1.1\r\nHost: {address[0]}:{address[1]}\r\nConnection: close\r\n\r\n".encode())
        chunks = []
        while True:
            data = s.recv(1 << 16)
            if not data:
                break
            chunks.append(data)
    return b"".join(chunks)

events = []  # (time, name)
def listen():
    s = socket.create_connection(address, timeout=None)
    s.sendall(f"GET /__casebook/events HTTP/1.1\r\nHost: {address[0]}:{address[1]}\r\nAccept: text/event-stream\r\n\r\n".encode())
    buffer = b""
    while True:
        data = s.recv(4096)
        if not data:
            return
        buffer += data
        while b"\n\n" in buffer:
            message, buffer = buffer.split(b"\n\n", 1)
            for line in message.split(b"\n"):
                if line.startswith(b"event: "):
                    events.append((time.perf_counter(), line[7:].decode()))
threading.Thread(target=listen, daemon=True).start()
time.sleep(0.5)

folder = os.path.join(work, "site", "content", "case-studies")
files = sorted(f for f in os.listdir(folder) if f.endswith(".md"))
rebuilt = re.compile(r"rebuilt in (\d+) ms")

def series(run, pause):
    """SAVES saves `pause` seconds apart: page and reload times in ms, and the server's."""
    log_before = len(rebuilt.findall(open(log_path).read()))
    page_times, reload_times = [], []
    next_save = time.perf_counter()
    for i in range(saves):
        number = run * saves + i
        name = files[(number * 997) % len(files)]
        slug = name[:-3]
        marker = f"Benchmark sentence {number} {time.time_ns()}."
        path = os.path.join(folder, name)
        with open(path, encoding="utf-8") as f:
            text = f.read()
        temporary = os.path.join(folder, f".{name}.tmp")
        with open(temporary, "w", encoding="utf-8") as f:
            f.write(text.rstrip("\n") + f"\n\n{marker}\n")
        time.sleep(max(0.0, next_save - time.perf_counter()))
        seen = len(events)
        os.replace(temporary, path)
        saved = time.perf_counter()
        next_save = saved + pause
        page_at = reload_at = None
        while time.perf_counter() - saved < 120 and (page_at is None or reload_at is None):
            if reload_at is None:
                for at, name_ in events[seen:]:
                    if name_ == "reload":
                        reload_at = at
                        break
            if page_at is None and marker.encode() in get(f"/case-studies/{slug}/"):
                page_at = time.perf_counter()
            time.sleep(0.002)
        if page_at is None or reload_at is None:
            sys.exit(f"benches/serve.sh: save {i}: no {'page' if page_at is None else 'reload'} within 120 s")
        page_times.append((page_at - saved) * 1000)
        reload_times.append((reload_at - saved) * 1000)
        print(f"saves {pause:g} s apart, {i + 1:2}: page {page_times[-1]:7.1f} ms, reload event {reload_times[-1]:7.1f} ms", file=sys.stderr)
    server = [int(r) for r in rebuilt.findall(open(log_path).read())[log_before:]]
    return page_times, reload_times, server

results = [(pause, series(run, pause)) for run, pause in enumerate(pauses)]
after_last_save = memory()
spool_after_last_save = spooled()

def summary(values):
    return f"median {statistics.median(values):7.1f} ms (min {min(values):.1f}, max {max(values):.1f})"
print()
print(f"casebook serve, N={n} ({saves} saves of a case study per spacing, {os.cpu_count()} CPUs)")
print(f"  load average (1, 5, 15 min):        {' '.join(load_at_start)} at the start, {' '.join(open('/proc/loadavg').read().split()[:3])} at the end")
print(f"  full build (casebook build):        {full_build} s")
for pause, (page_times, reload_times, server) in results:
    print(f"  saves {pause:g} s apart:")
    print(f"    save → rebuilt page served:       {summary(page_times)}")
    print(f"    save → reload event:              {summary(reload_times)}")
    if server:
        print(f"    server's rebuild (pages) time:    median {statistics.median(server):g} ms over {len(server)} rebuilds")
print(f"  resident after the first build:     VmRSS {after_first_build[0]:.0f} MB (peak VmHWM {after_first_build[1]:.0f} MB)")
print(f"  resident after the last save:       VmRSS {after_last_save[0]:.0f} MB (peak VmHWM {after_last_save[1]:.0f} MB)")
for when, (count, size) in (("after the first build", spool_after_first_build), ("after the last save", spool_after_last_save)):
    print(f"  spools on disk {when + ':':22} {size:.0f} MB in {count} unnamed files")
PY
