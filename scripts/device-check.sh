#!/usr/bin/env bash
# The real-GPU measurement (issue 19), ready for a session that is lent a machine with a GPU: on
# Linux with an NVIDIA GPU and no display it builds and runs the native benchmark on Burn's wgpu
# backend (Vulkan), then, where headless Chromium there exposes a hardware WebGPU adapter, the
# page's WebGPU benchmark. It prints the anchors' JSON lines and finishes in under 8 minutes on a
# 16-core machine. A machine without a GPU, or whose Vulkan has only a software device, is said to
# be so: its numbers are never reported as GPU numbers.
#
#   bash scripts/device-check.sh            (BUDGET_S=10 per timed repeat by default)
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
export PATH="$HOME/.cargo/bin:$PATH"
BUDGET_S="${BUDGET_S:-10}"
t0=$SECONDS
say() { printf '== [%3ds] %s\n' "$((SECONDS - t0))" "$*" >&2; }

say "GPU"
if ! nvidia-smi -L; then
  echo '{"tool": "earthmover", "backend": "native-wgpu", "error": "no NVIDIA GPU (nvidia-smi failed): nothing measured"}'
  exit 2
fi
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || true
if command -v vulkaninfo >/dev/null; then
  vulkaninfo --summary 2>/dev/null | grep -E 'deviceName|deviceType|driverName' || true
  if vulkaninfo --summary 2>/dev/null | grep -q 'PHYSICAL_DEVICE_TYPE_CPU' && ! vulkaninfo --summary 2>/dev/null | grep -q 'DISCRETE_GPU\|INTEGRATED_GPU'; then
    say "warning: Vulkan lists only a CPU device (llvmpipe): wgpu numbers would not be GPU numbers"
  fi
else
  say "vulkaninfo is not installed (apt-get install vulkan-tools): the adapter wgpu picks is printed by the bench"
fi

if ! command -v cargo >/dev/null; then
  echo '{"tool": "earthmover", "backend": "native-wgpu", "error": "no cargo on this machine: install Rust with rustup first"}'
  exit 3
fi
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target-device}"
say "building the native benchmark with Burn's wgpu backend (cargo build --release --features webgpu)"
cargo build --release --features webgpu --bin bench 2>&1 | tail -3
say "native wgpu: small-gan, ref-gan, ref-wgan (anchors' protocol, ${BUDGET_S} s repeats)"
WGPU_BACKEND=vulkan "$CARGO_TARGET_DIR/release/bench" --backends wgpu --budget-s "$BUDGET_S" --only small-gan,ref-gan,ref-wgan
say "native CPU on this machine, for the same table"
"$CARGO_TARGET_DIR/release/bench" --backends flex --budget-s "$BUDGET_S" --only small-gan,ref-gan,ref-wgan

if command -v chromium >/dev/null && command -v node >/dev/null && [[ -d node_modules/playwright-core ]] && [[ -e www/pkg-gpu/earthmover_bg.wasm ]]; then
  say "headless Chromium: which WebGPU adapter does it expose here?"
  adapter=$(EARTHMOVER_CHROMIUM_EXTRA="--enable-unsafe-webgpu --enable-features=Vulkan --use-angle=vulkan --ignore-gpu-blocklist" node scripts/webgpu-probe.mjs || true)
  echo "chromium webgpu: $adapter"
  if [[ "$adapter" == adapter:* && "$adapter" != *[Ss]wift[Ss]hader* ]]; then
    say "the page's backend trial on that adapter: the known-answer check and the race against the CPU"
    EARTHMOVER_CHROMIUM_EXTRA="--enable-unsafe-webgpu --enable-features=Vulkan --use-angle=vulkan --ignore-gpu-blocklist" \
      node scripts/trial.mjs || say "the page's backend trial failed"
    say "the page's WebGPU benchmark on that adapter"
    EARTHMOVER_CHROMIUM_EXTRA="--enable-unsafe-webgpu --enable-features=Vulkan --use-angle=vulkan --ignore-gpu-blocklist" \
      BENCH_BACKENDS=webgpu node scripts/bench.mjs || say "the page's WebGPU benchmark failed"
  else
    say "skipped: no hardware WebGPU adapter in headless Chromium here"
  fi
else
  say "skipped: the page's WebGPU benchmark needs chromium, node, npm ci and ./build.sh (www/pkg-gpu)"
fi
say "done"
