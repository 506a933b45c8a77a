//! A run's state as bytes: the weights of the generator, the critic and the probe, the step
//! count, the batch stream and the logged series behind the rank correlations.
//!
//! The page keeps the latest checkpoint of every WebGPU run, so that when the GPU device is lost
//! (driver reset, a long-backgrounded tab) the run continues on the CPU backend from its last
//! weights, and the same bytes carry a run across a backend switch. Weights are read back
//! asynchronously (the only read WebGPU allows in a browser) and written into a freshly built
//! run of the same settings. Not included: the optimisers' moment estimates (Adam / RMSProp
//! restart from zero, one step of size ~lr) and batch-norm running statistics (the page's
//! generators use batch statistics when they draw).

use burn::module::{Module, ModuleMapper, Param};
use burn::tensor::{Tensor, TensorData};

use crate::config::GanLoss;
use crate::rng::SplitMix64;
use crate::tensors::read_module_params;
use crate::train::Trainer;

const MAGIC: &[u8; 8] = b"EMCK\x00\x00\x00\x01";

/// Everything [`Trainer::restore`] needs, besides the settings the run was built with.
#[derive(Clone, Debug, PartialEq)]
pub struct Checkpoint {
    pub step: u64,
    pub rng_state: u64,
    pub gan_loss: GanLoss,
    pub series: Vec<(f64, f64, f64)>,
    pub series_steps_last: Option<u64>,
    pub g: Vec<f32>,
    pub d: Vec<f32>,
    pub probe: Option<Vec<f32>>,
}

impl Checkpoint {
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut b = Vec::with_capacity(64 + 4 * (self.g.len() + self.d.len()));
        b.extend_from_slice(MAGIC);
        b.extend_from_slice(&self.step.to_le_bytes());
        b.extend_from_slice(&self.rng_state.to_le_bytes());
        b.push(match self.gan_loss {
            GanLoss::Saturating => 0,
            GanLoss::NonSaturating => 1,
        });
        match self.series_steps_last {
            Some(s) => {
                b.push(1);
                b.extend_from_slice(&s.to_le_bytes());
            }
            None => b.push(0),
        }
        b.extend_from_slice(&(self.series.len() as u64).to_le_bytes());
        for &(x, y, z) in &self.series {
            for v in [x, y, z] {
                b.extend_from_slice(&v.to_le_bytes());
            }
        }
        for part in [Some(&self.g), Some(&self.d), self.probe.as_ref()] {
            match part {
                Some(v) => {
                    b.push(1);
                    b.extend_from_slice(&(v.len() as u64).to_le_bytes());
                    for x in v {
                        b.extend_from_slice(&x.to_le_bytes());
                    }
                }
                None => b.push(0),
            }
        }
        b
    }

    pub fn from_bytes(bytes: &[u8]) -> Result<Checkpoint, String> {
        let mut r = Reader { b: bytes, at: 0 };
        if r.take(8)? != MAGIC {
            return Err("not an Earthmover checkpoint (wrong header)".into());
        }
        let step = r.u64()?;
        let rng_state = r.u64()?;
        let gan_loss = match r.u8()? {
            0 => GanLoss::Saturating,
            1 => GanLoss::NonSaturating,
            x => return Err(format!("unknown generator loss code {x}")),
        };
        let series_steps_last = match r.u8()? {
            0 => None,
            _ => Some(r.u64()?),
        };
        let n = r.len(24)?;
        let mut series = Vec::with_capacity(n);
        for _ in 0..n {
            series.push((r.f64()?, r.f64()?, r.f64()?));
        }
        let mut parts = Vec::new();
        for _ in 0..3 {
            parts.push(match r.u8()? {
                0 => None,
                _ => {
                    let n = r.len(4)?;
                    let raw = r.take(4 * n)?;
                    Some(
                        raw.chunks_exact(4)
                            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                            .collect::<Vec<f32>>(),
                    )
                }
            });
        }
        if r.at != bytes.len() {
            return Err(format!(
                "{} unexpected bytes after the checkpoint",
                bytes.len() - r.at
            ));
        }
        let probe = parts.pop().flatten();
        let d = parts
            .pop()
            .flatten()
            .ok_or("the checkpoint has no critic")?;
        let g = parts
            .pop()
            .flatten()
            .ok_or("the checkpoint has no generator")?;
        Ok(Checkpoint {
            step,
            rng_state,
            gan_loss,
            series,
            series_steps_last,
            g,
            d,
            probe,
        })
    }
}

struct Reader<'a> {
    b: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn take(&mut self, n: usize) -> Result<&[u8], String> {
        if self.b.len() - self.at < n {
            return Err("the checkpoint is truncated".into());
        }
        self.at += n;
        Ok(&self.b[self.at - n..self.at])
    }
    fn u8(&mut self) -> Result<u8, String> {
        Ok(self.take(1)?[0])
    }
    fn u64(&mut self) -> Result<u64, String> {
        Ok(u64::from_le_bytes(self.take(8)?.try_into().unwrap()))
    }
    fn f64(&mut self) -> Result<f64, String> {
        Ok(f64::from_le_bytes(self.take(8)?.try_into().unwrap()))
    }
    /// A count of items of `size` bytes that must still fit in the input.
    fn len(&mut self, size: usize) -> Result<usize, String> {
        let n = self.u64()?;
        if n > ((self.b.len() - self.at) / size) as u64 {
            return Err("the checkpoint is truncated".into());
        }
        Ok(n as usize)
    }
}

/// Writes a flat parameter vector back into a module, in the order `read_module_params` read it.
struct Load<'a> {
    values: &'a [f32],
    at: usize,
    short: bool,
}

impl ModuleMapper for Load<'_> {
    fn map_float<const D: usize>(&mut self, param: Param<Tensor<D>>) -> Param<Tensor<D>> {
        let (id, tensor, mapper) = param.consume();
        let shape = tensor.shape();
        let n = shape.num_elements();
        if self.short || self.at + n > self.values.len() {
            self.short = true;
            return Param::from_mapped_value(id, tensor, mapper);
        }
        let require_grad = tensor.is_require_grad();
        let data = TensorData::new(self.values[self.at..self.at + n].to_vec(), shape);
        self.at += n;
        let mut t = Tensor::<D>::from_data(data, &tensor.device());
        if require_grad {
            t = t.require_grad();
        }
        Param::from_mapped_value(id, t, mapper)
    }
}

/// Number of float weights of a module.
fn count<M: Module>(m: &M) -> usize {
    struct Count(usize);
    impl burn::module::ModuleVisitor for Count {
        fn visit_float<const D: usize>(&mut self, p: &Param<Tensor<D>>) {
            self.0 += p.shape().num_elements();
        }
    }
    let mut c = Count(0);
    m.visit(&mut c);
    c.0
}

fn check<M: Module>(m: &M, values: &[f32], what: &str) -> Result<(), String> {
    let n = count(m);
    if n != values.len() {
        return Err(format!(
            "the checkpoint's {what} has {} weights, this run's has {n} (were the settings changed?)",
            values.len()
        ));
    }
    Ok(())
}

/// Write `values` into `m`; the caller has checked the count with [`check`] first, because a
/// half-applied map can leak into other clones of lazily initialised parameters.
fn load<M: Module>(m: M, values: &[f32], what: &str) -> Result<M, String> {
    let mut l = Load {
        values,
        at: 0,
        short: false,
    };
    let m = m.map(&mut l);
    if l.short || l.at != values.len() {
        return Err(format!(
            "the checkpoint's {what} has {} weights; this run's has a different shape (were the settings changed?)",
            values.len()
        ));
    }
    Ok(m)
}

/// `m` with its float parameters replaced by `values`, in the order `read_module_params` reads
/// them (for tests that perturb single weights); an error when the count differs.
pub fn load_params<M: Module>(m: M, values: &[f32]) -> Result<M, String> {
    check(&m, values, "module")?;
    load(m, values, "module")
}

impl Trainer {
    /// Read this run's state back from its device.
    pub async fn checkpoint(&self) -> Result<Checkpoint, String> {
        let probe = match &self.probe {
            Some((p, _)) => Some(read_module_params(p).await?),
            None => None,
        };
        Ok(Checkpoint {
            step: self.step,
            rng_state: self.rng.state(),
            gan_loss: self.cfg.gan_loss,
            series: self.series.clone(),
            series_steps_last: self.series_steps_last,
            // The energy GAN's encoder trains with the generator: its weights follow G's.
            g: match &self.enc {
                Some((e, _)) => {
                    let mut g = read_module_params(&self.g).await?;
                    g.extend(read_module_params(e).await?);
                    g
                }
                None => read_module_params(&self.g).await?,
            },
            d: read_module_params(&self.d).await?,
            probe,
        })
    }

    /// Continue from `c`: a run built with the same settings (on any device) takes its weights,
    /// step count, batch stream and logged series. On error nothing is changed.
    pub fn restore(&mut self, c: &Checkpoint) -> Result<(), String> {
        let n_g = count(&self.g);
        let n_e = self.enc.as_ref().map_or(0, |(e, _)| count(e));
        if c.g.len() != n_g + n_e {
            return Err(format!(
                "the checkpoint's generator has {} weights, this run's has {} (were the settings changed?)",
                c.g.len(),
                n_g + n_e
            ));
        }
        let (c_g, c_e) = c.g.split_at(n_g);
        check(&self.d, &c.d, "critic")?;
        match (&self.probe, &c.probe) {
            (Some((p, _)), Some(v)) => check(p, v, "probe")?,
            (None, None) => {}
            _ => return Err("the checkpoint's probe setting differs from this run's".into()),
        }
        let g = load(self.g.clone(), c_g, "generator")?;
        let enc = match &self.enc {
            Some((e, _)) => Some(load(e.clone(), c_e, "encoder")?),
            None => None,
        };
        let d = load(self.d.clone(), &c.d, "critic")?;
        let probe = match (&self.probe, &c.probe) {
            (Some((p, _)), Some(v)) => Some(load(p.clone(), v, "probe")?),
            (None, None) => None,
            _ => return Err("the checkpoint's probe setting differs from this run's".into()),
        };
        self.g = g;
        self.d = d;
        if let (Some((e, _)), Some(new)) = (self.enc.as_mut(), enc) {
            *e = new;
        }
        if let (Some((p, _)), Some(new)) = (self.probe.as_mut(), probe) {
            *p = new;
        }
        self.step = c.step;
        self.rng = SplitMix64::from_state(c.rng_state);
        self.cfg.gan_loss = c.gan_loss;
        self.series = c.series.clone();
        self.series_steps_last = c.series_steps_last;
        Ok(())
    }
}
