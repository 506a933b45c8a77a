//! Recorded runs that ship with the page (issue 17), for machines that train too slowly: trains a
//! pair of runs natively, with the page's code, preset and seed, logging as the page does, and
//! writes the page's run export (`www/page/exporter.js`, format `earthmover-run` version 1) with
//! frames of the sample grid and the mode meter over time, so that a playback grows its curves
//! and changes its digits as a live run would.
//!
//!     cargo run --release --bin record -- --pair gan,wgan --pace 15.1,7.8 --minutes 10 \
//!         --out www/recordings/gan-wgan.json      (./build.sh record writes both recordings)
//!
//! `--pace` is each run's steps per second on the default page on a 2-core machine (both runs
//! training, CPU backend), as measured there: the recording covers `--minutes` of that pace, and
//! each frame and logged point carries `t`, the page time it stands for. Frames at 0, 15 and 30 s,
//! 1, 2, 3, 4, 5, 7, 9 and 10 minutes of page time (more often early, where most changes).
//!
//! Size (issue 17: the page and its recordings under 3 MB gzip): the logged numbers keep 5
//! significant digits and the sample grids 16 grey levels, which the playback cannot tell apart
//! on a projector; both are said in the file's `recording.how`.

#[cfg(target_arch = "wasm32")]
fn main() {}

/// Flags (see the module's header).
#[cfg(not(target_arch = "wasm32"))]
#[derive(clap::Parser)]
#[command(
    name = "record",
    about = "Write a recorded run pair for the page (www/recordings)"
)]
struct Args {
    /// The two objectives, left and right.
    #[arg(long, value_delimiter = ',', default_value = "gan,wgan", value_parser = objective)]
    pair: Vec<earthmover::config::Objective>,
    /// Each run's steps per second on the default page (2 cores, CPU backend).
    #[arg(long, value_delimiter = ',', default_value = "15.1,7.8")]
    pace: Vec<f64>,
    /// Page time the recording covers.
    #[arg(long, default_value_t = 10.0)]
    minutes: f64,
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// The JSON file to write.
    #[arg(long)]
    out: String,
}

#[cfg(not(target_arch = "wasm32"))]
fn objective(s: &str) -> Result<earthmover::config::Objective, String> {
    earthmover::config::Objective::parse(s).ok_or_else(|| format!("unknown objective {s:?}"))
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    use base64::Engine;
    use burn::tensor::Device;
    use clap::Parser;
    use earthmover::config::{Preset, RunConfig};
    use earthmover::tools::PageData;
    use earthmover::train::Trainer;
    use serde_json::{json, Value};

    let Args {
        pair,
        pace,
        minutes,
        seed,
        out,
    } = Args::parse();
    // Comma-separated, as build.sh passes them (clap's num_args = 2 wanted two words instead).
    for (flag, n) in [("--pair", pair.len()), ("--pace", pace.len())] {
        if n != 2 {
            use clap::CommandFactory;
            Args::command()
                .error(
                    clap::error::ErrorKind::WrongNumberOfValues,
                    format!("{flag} takes two comma-separated values, left and right (got {n})"),
                )
                .exit();
        }
    }
    let data = PageData::load();

    let seconds = minutes * 60.0;
    let frame_times: Vec<f64> = [
        15.0, 30.0, 60.0, 120.0, 180.0, 240.0, 300.0, 420.0, 540.0, 600.0,
    ]
    .into_iter()
    .filter(|&t| t < seconds)
    .chain([seconds])
    .collect();
    // 5 significant digits for every logged number; 16 grey levels for the grids.
    fn round5(v: &mut Value) {
        match v {
            Value::Number(n) if n.is_f64() => {
                let x = n.as_f64().unwrap();
                if x != 0.0 && x.is_finite() {
                    let scale = 10f64.powi(4 - x.abs().log10().floor() as i32);
                    *v = json!((x * scale).round() / scale);
                }
            }
            Value::Object(m) => m.values_mut().for_each(round5),
            Value::Array(a) => a.iter_mut().for_each(round5),
            _ => {}
        }
    }
    let levels16 = |px: Vec<u8>| -> Vec<u8> {
        px.into_iter()
            .map(|p| ((p as u32 + 8) / 17 * 17).min(255) as u8)
            .collect()
    };

    let device = Device::flex();
    let b64 = base64::engine::general_purpose::STANDARD;
    let mut runs = serde_json::Map::new();
    for (k, id) in ["gan", "wgan"].into_iter().enumerate() {
        let mut cfg = RunConfig::preset(pair[k], Preset::Classroom);
        cfg.seed = seed;
        let steps = (pace[k] * seconds).round() as u64;
        let every = cfg.log_every.max(1) as u64;
        let t0 = std::time::Instant::now();
        let (mut run, clf) = data.trainer(cfg.clone(), &device);
        let floor = pollster::block_on(run.emd_floor()).unwrap();
        let at = |step: u64| (step as f64 / pace[k] * 10.0).round() / 10.0;
        let point = |run: &mut Trainer, step: u64| {
            let p = pollster::block_on(run.measure()).unwrap();
            let mut v = serde_json::to_value(&p).unwrap();
            round5(&mut v);
            v["t"] = json!(at(step));
            v
        };
        let frame = |run: &Trainer, step: u64| {
            let samples = levels16(pollster::block_on(run.samples()).unwrap());
            let m = pollster::block_on(run.mode_stats(&clf)).unwrap();
            json!({
                "step": step, "t": at(step), "samples": b64.encode(&samples),
                "modes": { "counts": m.counts, "covered": m.covered, "entropy": m.entropy, "step": step },
            })
        };
        let mut history = vec![point(&mut run, 0)];
        let mut frames = vec![frame(&run, 0)];
        let frame_steps: Vec<u64> = frame_times
            .iter()
            .map(|&s| (s * pace[k]).round() as u64)
            .collect();
        for s in 1..=steps {
            run.train_step();
            if s % every == 0 || s == steps {
                history.push(point(&mut run, s));
            }
            if frame_steps.contains(&s) {
                frames.push(frame(&run, s));
            }
        }
        let last = frames.last().cloned().unwrap();
        let settings: Vec<Value> = cfg
            .pairs()
            .into_iter()
            .map(|(k, v)| json!([k, v]))
            .collect();
        eprintln!(
            "{id} ({}): {steps} steps, {} points, {} frames, {:.0} s",
            cfg.label(),
            history.len(),
            frames.len(),
            t0.elapsed().as_secs_f64()
        );
        runs.insert(
            id.to_string(),
            json!({
                "label": cfg.label(), "step": steps, "backend": "CPU (native, recorded)",
                "settings": settings, "emd_floor": floor, "history": history,
                "samples": last["samples"], "modes": last["modes"], "loss_switches": [],
                "frames": frames, "pace": pace[k],
            }),
        );
    }
    let objectives: Vec<&str> = pair.iter().map(|o| o.as_str()).collect();
    let doc = json!({
        "format": "earthmover-run", "version": 1, "exported": "recorded",
        "address": format!("?gan.objective={}&wgan.objective={}", objectives[0], objectives[1]),
        "recording": {
            "pair": objectives, "seed": seed, "preset": "classroom", "seconds": seconds,
            "how": "trained natively (Burn's CPU backend) with the page's code, preset and seed; \
                    t is the page time each point stands for at the pace measured on the default \
                    page on a 2-core machine; numbers kept to 5 significant digits, sample grids \
                    to 16 grey levels",
        },
        "runs": runs,
    });
    if let Some(dir) = std::path::Path::new(&out).parent() {
        std::fs::create_dir_all(dir).unwrap();
    }
    std::fs::write(&out, serde_json::to_string(&doc).unwrap()).unwrap();
    eprintln!("wrote {out}");
}
