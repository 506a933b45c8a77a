//! The sweeps a class can run: each a short list of variants, and how a joining student gets one.
//!
//! A variant says which runs it applies to (`gan`, `wgan`) and how they differ from the page's
//! classroom preset: `settings` in the page's own vocabulary (`www/common/schema.js`), and
//! `scale` to multiply a preset value (the learning rates). Every student also trains its own
//! seed (its number), so that no two students repeat a run.

use serde::Serialize;

/// The runs a page trains.
pub const RUNS: [&str; 2] = ["gan", "wgan"];

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Variant {
    /// Unique within the sweep; what the API and the export call it.
    pub name: String,
    /// How the dashboard labels it.
    pub label: String,
    /// The runs it applies to: a student trains one of them, or all where its machine is fast.
    pub runs: Vec<&'static str>,
    /// Settings that differ from the preset, as the page's settings form takes them.
    pub settings: Vec<(String, String)>,
    /// Preset values to multiply (key, factor).
    pub scale: Vec<(String, f64)>,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Sweep {
    pub name: &'static str,
    pub title: &'static str,
    /// One sentence on what it shows, for the teacher's choice.
    pub shows: &'static str,
    pub variants: Vec<Variant>,
}

fn variant(name: &str, label: &str, runs: &[&'static str]) -> Variant {
    Variant {
        name: name.into(),
        label: label.into(),
        runs: runs.to_vec(),
        settings: Vec::new(),
        scale: Vec::new(),
    }
}

/// Two significant digits, trailing zeros dropped: the clip values (0.005, 0.011, ...).
fn sig2(x: f64) -> String {
    let digits = (1 - x.log10().floor() as i32).max(0) as usize;
    let s = format!("{x:.digits$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// Every sweep, in the order the teacher's list shows them.
pub fn all() -> Vec<Sweep> {
    let both = &RUNS[..];
    // 0.005 to 0.5, log-spaced: three per decade.
    let clips: Vec<f64> = (0..7)
        .map(|k| {
            let c = 0.005 * 10f64.powf(k as f64 / 3.0);
            sig2(c).parse().unwrap_or(c)
        })
        .collect();
    vec![
        Sweep {
            name: "seeds",
            title: "GAN vs WGAN across seeds",
            shows: "The same two objectives on a different seed per laptop: how often the GAN collapses or stalls, and whether the WGAN's estimate tracks quality on every seed.",
            variants: vec![variant("seeds", "one seed each", both)],
        },
        Sweep {
            name: "clip",
            title: "WGAN weight clip c from 0.005 to 0.5",
            shows: "The clipped WGAN's one knob: too small and the critic cannot tell the sets apart, too large and it stops being a Lipschitz critic.",
            variants: clips
                .iter()
                .map(|&c| {
                    let mut v = variant(&format!("clip-{}", sig2(c)), &format!("c = {}", sig2(c)), &["wgan"]);
                    v.settings.push(("clip".into(), sig2(c)));
                    v
                })
                .collect(),
        },
        Sweep {
            name: "lr",
            title: "Learning rate ×0.1 to ×10, both runs",
            shows: "Both objectives at five learning rates: where each trains, where it stalls and where it diverges.",
            variants: [0.1, 0.3, 1.0, 3.0, 10.0]
                .iter()
                .map(|&f| {
                    let mut v = variant(&format!("lr-x{f}"), &format!("lr ×{f}"), both);
                    v.scale.push(("lr_d".into(), f));
                    v.scale.push(("lr_g".into(), f));
                    v
                })
                .collect(),
        },
        Sweep {
            name: "n_critic",
            title: "n_critic from 1 to 10",
            shows: "Discriminator or critic updates per generator step: the WGAN wants a critic near its optimum, the GAN's discriminator at its optimum gives no gradient.",
            variants: [1, 2, 5, 10]
                .iter()
                .map(|&n| {
                    let mut v = variant(&format!("n_critic-{n}"), &format!("n_critic = {n}"), both);
                    v.settings.push(("n_critic".into(), n.to_string()));
                    v
                })
                .collect(),
        },
        Sweep {
            name: "gan_loss",
            title: "The GAN's minimax loss vs −log D",
            shows: "The original minimax generator loss saturates when the discriminator wins; −log D keeps a gradient but is not the JS divergence it was derived from.",
            variants: [("saturating", "minimax"), ("nonsaturating", "−log D")]
                .iter()
                .map(|&(value, label)| {
                    let mut v = variant(value, label, &["gan"]);
                    v.settings.push(("gan_loss".into(), value.into()));
                    v
                })
                .collect(),
        },
    ]
}

pub fn find(name: &str) -> Option<Sweep> {
    all().into_iter().find(|s| s.name == name)
}

/// The next student's variant and runs, given every student's so far: the (variant, run) pair
/// with the fewest students (the first such in the sweep's order), so that each pair of the
/// dashboard's table fills evenly. A `fast` machine trains every run of its variant.
pub fn assign(
    sweep: &Sweep,
    so_far: &[(String, Vec<String>)],
    fast: bool,
) -> (String, Vec<String>) {
    let count = |v: &str, run: &str| {
        so_far
            .iter()
            .filter(|(sv, runs)| sv == v && runs.iter().any(|r| r == run))
            .count()
    };
    let mut best: Option<(&Variant, &str, usize)> = None;
    for v in &sweep.variants {
        for &run in &v.runs {
            let n = count(&v.name, run);
            if best.is_none_or(|(_, _, b)| n < b) {
                best = Some((v, run, n));
            }
        }
    }
    match best {
        Some((v, _, _)) if fast => (
            v.name.clone(),
            v.runs.iter().map(|r| r.to_string()).collect(),
        ),
        Some((v, run, _)) => (v.name.clone(), vec![run.to_string()]),
        None => (String::new(), Vec::new()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clip_values_are_log_spaced_from_0_005_to_0_5() {
        let s = find("clip").unwrap();
        let labels: Vec<_> = s.variants.iter().map(|v| v.settings[0].1.clone()).collect();
        assert_eq!(
            labels,
            ["0.005", "0.011", "0.023", "0.05", "0.11", "0.23", "0.5"]
        );
    }

    #[test]
    fn assignment_fills_every_variant_and_run_evenly() {
        let s = find("lr").unwrap();
        let mut so_far = Vec::new();
        for _ in 0..20 {
            let next = assign(&s, &so_far, false);
            assert_eq!(next.1.len(), 1);
            so_far.push(next);
        }
        for v in &s.variants {
            for run in RUNS {
                let n = so_far
                    .iter()
                    .filter(|(sv, r)| *sv == v.name && r[0] == run)
                    .count();
                assert_eq!(n, 2, "{} {run}", v.name);
            }
        }
        let fast = assign(&s, &so_far, true);
        assert_eq!(fast.1, ["gan", "wgan"]);
    }
}
