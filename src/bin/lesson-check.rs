//! Does the default page teach the lesson? Trains the page's default pair (classroom GAN and
//! WGAN) natively for as many steps as the page reaches in its first 3 minutes on a 2-core machine,
//! logging as the page does, for seeds 1, 2 and 3, and prints per run: the rank correlations of
//! its own estimate with the feature distance and with the EMD, the feature distance's path, the
//! JS levels (own, probe, near-optimal D), the digit classes covered, and when the digits came:
//! the first logged step at which the mode meter sees >= 8 classes and the first at which the
//! feature distance is <= 300 (issue 19's bars, as `scripts/digits.mjs` reads them on the page),
//! with the native seconds of training and measuring until then.
//!
//!     cargo run --release --bin lesson-check [-- --seeds 1,2,3 --gan-steps 4700 --wgan-steps 2340
//!         --runs gan,wgan --csv DIR]   (DIR/<run>-seed<n>.csv: every logged point)
//!
//! Step counts: issue 16 measured 6,265 GAN and 3,124 WGAN steps after 4 minutes on the default
//! page (both runs training, CPU backend, 2 cores): 4,700 and 2,340 are 3 minutes of that pace,
//! and "after 30 s" is the first sixth of them. Extra settings go to both runs as KEY=VALUE
//! arguments (e.g. `wgan.clip=0.02`).

#[cfg(target_arch = "wasm32")]
fn main() {}

/// Flags (see the module's header).
#[cfg(not(target_arch = "wasm32"))]
#[derive(clap::Parser)]
#[command(about = "Does the default page teach the lesson? (classroom GAN and WGAN, natively)")]
struct Args {
    #[arg(long, value_delimiter = ',', default_value = "1,2,3")]
    seeds: Vec<u64>,
    /// GAN steps: 3 minutes of the page's pace on 2 cores.
    #[arg(long, default_value_t = 4700)]
    gan_steps: u64,
    /// WGAN steps: 3 minutes of the page's pace on 2 cores.
    #[arg(long, default_value_t = 2340)]
    wgan_steps: u64,
    /// Which runs to train.
    #[arg(long, value_delimiter = ',', default_value = "gan,wgan")]
    runs: Vec<String>,
    /// Write every logged point to DIR/<run>-seed<n>.csv.
    #[arg(long, value_name = "DIR")]
    csv: Option<String>,
    /// Extra settings, e.g. wgan.clip=0.02.
    #[arg(value_name = "RUN.KEY=VALUE")]
    settings: Vec<earthmover::tools::RunSetting>,
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    use burn::tensor::Device;
    use clap::Parser;
    use earthmover::config::{Objective, Preset, RunConfig};
    use earthmover::metrics::spearman;
    use earthmover::tools::PageData;
    use earthmover::train::LogPoint;

    let Args {
        seeds,
        gan_steps,
        wgan_steps,
        runs,
        csv,
        settings,
    } = Args::parse();
    let data = PageData::load();

    let device = Device::flex();
    println!("| seed | run | steps | classes | rho(est, FD) | rho(W_opt, FD) | rho(est, EMD) | rho(EMD, FD) | FD first -> last (min) | est first -> last | probe JS mean after 30 s | JS_opt mean after 30 s | s | 8 classes at step (native s) | FD <= 300 at step (native s) |");
    println!(
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- | ---: | ---: | ---: | ---: | ---: |"
    );
    for &seed in &seeds {
        for (id, objective, steps) in [
            ("gan", Objective::Gan, gan_steps),
            ("wgan", Objective::Wgan, wgan_steps),
        ] {
            if !runs.iter().any(|r| r == id) {
                continue;
            }
            let mut cfg = RunConfig::preset(objective, Preset::Classroom);
            cfg.seed = seed;
            for s in settings.iter().filter(|s| s.run == id) {
                cfg.set(&s.key, &s.value)
                    .unwrap_or_else(|e| panic!("{}.{}={}: {e}", s.run, s.key, s.value));
            }
            let t0 = std::time::Instant::now();
            let (mut t, clf) = data.trainer(cfg.clone(), &device);
            // The points the page logs, and the mode meter at each of them. The seconds count
            // training and measuring from the first point on, without the meter's own time: the
            // page runs it every few seconds, whatever the step.
            let every = cfg.log_every as u64;
            let (mut origin, mut meter) = (std::time::Instant::now(), std::time::Duration::ZERO);
            let (mut classes_at, mut fd_at) = (None, None);
            let pts = pollster::block_on(t.train_measured_with(steps, every, |t, s, p| {
                if s == 0 {
                    origin = std::time::Instant::now();
                    return;
                }
                let secs = (origin.elapsed() - meter).as_secs_f64();
                if fd_at.is_none() && p.feature_distance.is_some_and(|fd| fd <= 300.0) {
                    fd_at = Some((s, secs));
                }
                if classes_at.is_none() {
                    let m0 = std::time::Instant::now();
                    if pollster::block_on(t.mode_stats(&clf)).unwrap().covered >= 8 {
                        classes_at = Some((s, secs));
                    }
                    meter += m0.elapsed();
                }
            }))
            .unwrap();
            let modes = pollster::block_on(t.mode_stats(&clf)).unwrap();
            let at =
                |x: Option<(u64, f64)>| x.map_or("–".into(), |(s, t)| format!("{s} ({t:.1} s)"));
            if let Some(dir) = &csv {
                let mut out =
                    String::from("step,est,js_probe,js_opt,emd,feature_distance,w_opt,lipschitz\n");
                for p in &pts {
                    let f = |x: Option<f64>| x.map_or(String::new(), |v| format!("{v}"));
                    out += &format!(
                        "{},{},{},{},{},{},{},{}\n",
                        p.step,
                        f(p.js_hat.or(p.w_hat)),
                        f(p.js_probe),
                        f(p.js_opt),
                        p.emd,
                        f(p.feature_distance),
                        f(p.w_opt),
                        f(p.lipschitz)
                    );
                }
                std::fs::create_dir_all(dir).unwrap();
                std::fs::write(format!("{dir}/{id}-seed{seed}.csv"), out).unwrap();
            }
            let later: Vec<&LogPoint> = pts.iter().filter(|p| p.step >= steps / 6).collect();
            let mean = |f: &dyn Fn(&LogPoint) -> Option<f64>| {
                let v: Vec<f64> = later.iter().filter_map(|p| f(p)).collect();
                if v.is_empty() {
                    f64::NAN
                } else {
                    v.iter().sum::<f64>() / v.len() as f64
                }
            };
            let trained: Vec<&LogPoint> = pts.iter().filter(|p| p.step > 0).collect();
            let col =
                |f: &dyn Fn(&LogPoint) -> f64| trained.iter().map(|p| f(p)).collect::<Vec<f64>>();
            let est = col(&|p| p.js_hat.or(p.w_hat).unwrap_or(f64::NAN));
            let fd = col(&|p| p.feature_distance.unwrap_or(f64::NAN));
            let emd = col(&|p| p.emd);
            let w_norm = col(&|p| p.w_opt.unwrap_or(f64::NAN));
            // Over the points where both are measured (the yardstick and the judges measure
            // every JUDGE_EVERY-th point).
            let r = |a: &[f64], b: &[f64]| {
                let (a, b): (Vec<f64>, Vec<f64>) = a
                    .iter()
                    .zip(b)
                    .filter(|(x, y)| x.is_finite() && y.is_finite())
                    .map(|(x, y)| (*x, *y))
                    .unzip();
                spearman(&a, &b).map_or("–".into(), |x| format!("{x:+.2}"))
            };
            let (first, last) = (&pts[0], pts.last().unwrap());
            let fd_min = fd
                .iter()
                .cloned()
                .filter(|x| x.is_finite())
                .fold(f64::INFINITY, f64::min);
            println!(
                "| {seed} | {id} | {} | {} | {} | {} | {} | {} | {:.0} -> {:.0} ({fd_min:.0}) | {:.3} -> {:.3} | {:.3} | {:.3} | {:.0} | {} | {} |",
                last.step,
                modes.covered,
                r(&est, &fd),
                r(&w_norm, &fd),
                r(&est, &emd),
                r(&emd, &fd),
                first.feature_distance.unwrap_or(f64::NAN),
                pts.iter().rev().find_map(|p| p.feature_distance).unwrap_or(f64::NAN),
                // The clipped WGAN's W_hat is measured at the judged points only.
                est.iter().find(|x| x.is_finite()).copied().unwrap_or(f64::NAN),
                est.iter().rev().find(|x| x.is_finite()).copied().unwrap_or(f64::NAN),
                mean(&|p| p.js_probe),
                mean(&|p| p.js_opt),
                t0.elapsed().as_secs_f64(),
                at(classes_at),
                at(fd_at)
            );
        }
    }
}
