//! Native CPU benchmark of the anchors' workloads (shared/bench/anchors/WORKLOADS.md) on the same
//! trainer the page runs. Prints one JSON line per workload in the anchors' result schema.
//!
//!     cargo run --release --bin bench [-- --budget-s 15] [--scaling-budget-s 3] [--only small-gan,scaling]
//!
//! Besides the anchors' workloads: the same three on Burn's deprecated `ndarray` CPU backend (the
//! `flex` one's predecessor, for comparison), and the batch-scaling workloads `small-gan@b16` ..
//! `ref-gan@b256` (`scaling`).
//!
//! Built with `--features webgpu`, `--backends wgpu` measures Burn's wgpu backend natively (Vulkan
//! on Linux: `scripts/device-check.sh` on a machine with a GPU); built with `--features ndarray`
//! (`./build.sh bench`), `--backends flex,ndarray` is the default, else `flex`.

#[cfg(target_arch = "wasm32")]
fn main() {}

/// Whole-machine CPU busy % over 2 s (from /proc/stat), recorded with each result like the
/// anchors do; `null` where /proc/stat cannot be read.
#[cfg(not(target_arch = "wasm32"))]
fn busy_pct() -> String {
    fn sample() -> Option<(u64, u64)> {
        let s = std::fs::read_to_string("/proc/stat").ok()?;
        let v: Vec<u64> = s
            .lines()
            .next()?
            .split_whitespace()
            .skip(1)
            .take(8)
            .filter_map(|x| x.parse().ok())
            .collect();
        (v.len() == 8).then(|| (v.iter().sum(), v[3] + v[4]))
    }
    let Some((t0, i0)) = sample() else {
        return "null".into();
    };
    std::thread::sleep(std::time::Duration::from_secs(2));
    let Some((t1, i1)) = sample() else {
        return "null".into();
    };
    let (dt, di) = (t1.saturating_sub(t0), i1.saturating_sub(i0));
    if dt == 0 {
        return "null".into();
    }
    format!("{:.1}", 100.0 * (dt - di) as f64 / dt as f64)
}

/// The anchors' protocol for a workload that does its own read-backs: 5 warm-up steps, then 3
/// timed repeats of ~budget_s each; the median steps/s as a JSON line.
#[cfg(not(target_arch = "wasm32"))]
fn timed(
    name: &str,
    backend: &str,
    busy: String,
    budget_s: f64,
    step: &mut dyn FnMut(usize),
) -> String {
    use std::time::Instant;
    let mut times = Vec::new();
    for _ in 0..5 {
        let s = Instant::now();
        step(1);
        times.push(s.elapsed().as_secs_f64());
    }
    // Estimate from the median of the last 3 warm-up steps.
    let mut est = {
        let mut last: Vec<f64> = times[2..].to_vec();
        last.sort_by(f64::total_cmp);
        last[1]
    };
    let mut rates = Vec::new();
    for _ in 0..3 {
        let n = ((budget_s / est).round() as usize).max(3);
        let s = Instant::now();
        step(n);
        let el = s.elapsed().as_secs_f64();
        rates.push(n as f64 / el);
        est = el / n as f64;
    }
    rates.sort_by(f64::total_cmp);
    let sps = rates[1];
    format!(
        "{{\"tool\": \"earthmover\", \"backend\": \"native-{backend}\", \"workload\": \"{name}\", \"steps_per_s\": {sps:.2}, \"ms_per_step\": {:.3}, \"repeats\": 3, \"notes\": {{\"bg_cpu_busy_pct_before\": {busy}}}}}",
        1000.0 / sps
    )
}

/// flex, and ndarray where this build has it.
#[cfg(all(not(target_arch = "wasm32"), feature = "ndarray"))]
const DEFAULT_BACKENDS: &str = "flex,ndarray";
#[cfg(all(not(target_arch = "wasm32"), not(feature = "ndarray")))]
const DEFAULT_BACKENDS: &str = "flex";

/// Flags (see the module's header).
#[cfg(not(target_arch = "wasm32"))]
#[derive(clap::Parser)]
#[command(about = "Native benchmark of the anchors' workloads (JSON lines)")]
struct Args {
    /// Seconds of timed repeats per workload.
    #[arg(long, default_value_t = 15.0)]
    budget_s: f64,
    /// Seconds per batch-scaling workload.
    #[arg(long, default_value_t = 3.0)]
    scaling_budget_s: f64,
    /// Only these workloads (`scaling`: all batch-scaling ones).
    #[arg(long, value_delimiter = ',')]
    only: Option<Vec<String>>,
    /// flex, ndarray, wgpu (ndarray and wgpu need --features ndarray / webgpu).
    #[arg(long, value_delimiter = ',', default_value = DEFAULT_BACKENDS)]
    backends: Vec<String>,
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    use clap::Parser;
    use earthmover::config::{NetSize, Objective, Preset, RunConfig};
    use earthmover::train::Trainer;

    let Args {
        budget_s,
        scaling_budget_s,
        only,
        backends,
    } = Args::parse();
    let mnist = earthmover::tools::mnist("www/data/mnist-train-2k.bin.gz");
    let mut workloads = vec![
        ("small-gan", {
            let mut c = RunConfig::preset(Objective::Gan, Preset::Paper);
            c.net = NetSize::Small;
            c.latent = 64;
            c
        }),
        ("ref-gan", RunConfig::preset(Objective::Gan, Preset::Paper)),
        (
            "ref-wgan",
            RunConfig::preset(Objective::Wgan, Preset::Paper),
        ),
        // Issue 6's objectives (no anchor figure to compare with).
        (
            "ref-wgan-gp",
            RunConfig::preset(Objective::WganGp, Preset::Paper),
        ),
        (
            "ref-energy",
            RunConfig::preset(Objective::Energy, Preset::Paper),
        ),
        // One MALA step of the 64 grid chains on a small energy GAN's U(G(z)).
        ("mcmc-mala", {
            let mut c = RunConfig::preset(Objective::Energy, Preset::Paper);
            c.net = NetSize::Small;
            c.latent = 64;
            c
        }),
    ];
    for (net, base) in [
        ("small", workloads[0].1.clone()),
        ("ref", workloads[1].1.clone()),
    ] {
        for batch in [16, 32, 64, 128, 256] {
            let mut c = base.clone();
            c.batch = batch;
            let name: &'static str = Box::leak(format!("{net}-gan@b{batch}").into_boxed_str());
            workloads.push((name, c));
        }
    }
    #[cfg(not(feature = "ndarray"))]
    if backends.iter().any(|b| b == "ndarray") {
        eprintln!("--backends ndarray needs a build with --features ndarray (./build.sh bench has it); measuring the others");
    }
    #[cfg(not(feature = "webgpu"))]
    if backends.iter().any(|b| b == "wgpu") {
        eprintln!("--backends wgpu needs a build with --features webgpu (scripts/device-check.sh)");
        std::process::exit(2);
    }
    #[cfg(feature = "webgpu")]
    let mut wgpu = None;
    for (name, mut cfg) in workloads {
        let scaling = name.contains('@');
        let wanted = |w: &str| only.as_ref().is_none_or(|o| o.iter().any(|x| x == w));
        if !(wanted(name) || scaling && wanted("scaling")) {
            continue;
        }
        let budget_s = if scaling { scaling_budget_s } else { budget_s };
        // The anchors' workloads train G and D only: no probe discriminator.
        cfg.probe = false;
        let mut devices = Vec::new();
        if backends.iter().any(|b| b == "flex") {
            devices.push(("flex", burn::tensor::Device::flex()));
        }
        // Deprecated in Burn 0.22 (flex replaces it): measured here only for comparison, in a
        // build with --features ndarray (./build.sh bench).
        #[cfg(feature = "ndarray")]
        if backends.iter().any(|b| b == "ndarray")
            && ["small-gan", "ref-gan", "ref-wgan"].contains(&name)
        {
            #[allow(deprecated)]
            devices.push(("ndarray", burn::tensor::Device::ndarray()));
        }
        #[cfg(feature = "webgpu")]
        if backends.iter().any(|b| b == "wgpu") {
            match wgpu.get_or_insert_with(|| burn::tensor::Device::wgpu_options().init()) {
                Ok(d) => devices.push(("wgpu", d.clone())),
                Err(e) => {
                    println!("{{\"tool\": \"earthmover\", \"backend\": \"native-wgpu\", \"workload\": \"{name}\", \"error\": \"no wgpu adapter: {}\"}}", format!("{e}").replace('"', "'"));
                }
            }
        }
        for (backend, device) in devices {
            let busy = busy_pct();
            let mut t = Trainer::new(cfg.clone(), &mnist, &device).expect("trainer");
            if name == "mcmc-mala" {
                let opts = earthmover::lab::refine::RefineOptions::new(
                    earthmover::lab::mcmc::Sampler::Mala,
                );
                let mut r =
                    pollster::block_on(earthmover::lab::refine::Refinement::start(&t, opts))
                        .expect("chains");
                let mut step = |n: usize| {
                    pollster::block_on(r.step(n)).expect("MCMC step");
                };
                println!("{}", timed(name, backend, busy, budget_s, &mut step));
                continue;
            }
            // A timed block of n steps ends with one read-back, which forces the queued work.
            let mut step = |n: usize| {
                for _ in 0..n {
                    t.train_step();
                }
                pollster::block_on(t.samples()).expect("read-back");
            };
            println!("{}", timed(name, backend, busy, budget_s, &mut step));
        }
    }
}
