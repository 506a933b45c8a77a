//! Does the default page teach the lesson? Trains the page's default pair (classroom GAN and
//! WGAN) natively for as many steps as the page reaches in its first 3 minutes on a 2-core machine,
//! logging as the page does, for seeds 1, 2 and 3, and prints per run: the rank correlations of
//! its own estimate with the feature distance and with the EMD, the feature distance's path, the
//! JS levels (own, probe, near-optimal D) and the digit classes covered.
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

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    use burn::tensor::Device;
    use earthmover::config::{Objective, Preset, RunConfig};
    use earthmover::data::Mnist;
    use earthmover::metrics::spearman;
    use earthmover::nets::Classifier;
    use earthmover::train::{LogPoint, Trainer};

    let root = std::path::PathBuf::from(
        std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_else(|| env!("CARGO_MANIFEST_DIR").into()),
    );
    let read = |rel: &str| std::fs::read(root.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"));
    let mnist = Mnist::decode(&read("www/data/mnist-train-2k.bin.gz")).unwrap();
    let held_out = Mnist::decode(&read("www/data/mnist-test-1k.bin.gz")).unwrap();
    let clf_bytes = read("www/data/classifier.bpk");

    let args: Vec<String> = std::env::args().skip(1).collect();
    let flag = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1).cloned())
    };
    let seeds: Vec<u64> = flag("--seeds")
        .unwrap_or_else(|| "1,2,3".into())
        .split(',')
        .map(|s| s.parse().unwrap())
        .collect();
    let gan_steps: u64 = flag("--gan-steps").map_or(4700, |s| s.parse().unwrap());
    let wgan_steps: u64 = flag("--wgan-steps").map_or(2340, |s| s.parse().unwrap());
    let extra: Vec<(String, String, String)> = args
        .iter()
        .filter_map(|a| {
            let (k, v) = a.split_once('=')?;
            let (run, key) = k.split_once('.')?;
            Some((run.to_string(), key.to_string(), v.to_string()))
        })
        .collect();

    let device = Device::flex();
    println!("| seed | run | steps | classes | rho(est, FD) | rho(W_opt, FD) | rho(est, EMD) | rho(EMD, FD) | FD first -> last (min) | est first -> last | probe JS mean after 30 s | JS_opt mean after 30 s | s |");
    println!(
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- | ---: | ---: | ---: |"
    );
    for &seed in &seeds {
        for (id, objective, steps) in [
            ("gan", Objective::Gan, gan_steps),
            ("wgan", Objective::Wgan, wgan_steps),
        ] {
            if flag("--runs").is_some_and(|r| !r.split(',').any(|x| x == id)) {
                continue;
            }
            let mut cfg = RunConfig::preset(objective, Preset::Classroom);
            cfg.seed = seed;
            for (run, key, value) in &extra {
                if run == id {
                    cfg.set(key, value).unwrap();
                }
            }
            let t0 = std::time::Instant::now();
            let mut t = Trainer::new(cfg.clone(), &mnist, &device).unwrap();
            let clf = Classifier::from_bytes(&clf_bytes, &device).unwrap();
            pollster::block_on(t.set_yardstick(clf.clone(), &held_out)).unwrap();
            let pts = pollster::block_on(t.train_measured(steps, cfg.log_every as u64)).unwrap();
            let modes = pollster::block_on(t.mode_stats(&clf)).unwrap();
            if let Some(dir) = flag("--csv") {
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
                std::fs::create_dir_all(&dir).unwrap();
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
                "| {seed} | {id} | {} | {} | {} | {} | {} | {} | {:.0} -> {:.0} ({fd_min:.0}) | {:.3} -> {:.3} | {:.3} | {:.3} | {:.0} |",
                last.step,
                modes.covered,
                r(&est, &fd),
                r(&w_norm, &fd),
                r(&est, &emd),
                r(&emd, &fd),
                first.feature_distance.unwrap_or(f64::NAN),
                pts.iter().rev().find_map(|p| p.feature_distance).unwrap_or(f64::NAN),
                est.first().copied().unwrap_or(f64::NAN),
                est.last().copied().unwrap_or(f64::NAN),
                mean(&|p| p.js_probe),
                mean(&|p| p.js_opt),
                t0.elapsed().as_secs_f64()
            );
        }
    }
}
