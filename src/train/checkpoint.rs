//! A run's state as bytes: the networks and the optimisers' moments in Burn's own record format
//! (burnpack), plus the step count, the batch stream and the logged series behind the rank
//! correlations.
//!
//! The page keeps the latest checkpoint of every WebGPU run, so that when the GPU device is lost
//! (driver reset, a long-backgrounded tab) the run continues on the CPU backend from its last
//! state, and the same bytes carry a run across a backend switch.
//!
//! The networks are read back asynchronously into a host copy (the only read WebGPU allows in a
//! browser) and recorded from there, with their parameter ids, so that the optimisers' records,
//! keyed by those ids, apply to the restored networks. Burn 0.22 writes an optimiser's record
//! with synchronous reads only, so the moments are included where the run's device allows that
//! (the CPU backends); a WebGPU run's checkpoint restarts Adam / RMSProp from zero moments.
//!
//! Layout: 8-byte magic, then the header numbers, then length-prefixed burnpack blobs.

use burn::module::Module;
use burn::optim::ModuleOptimizer;
use burn::store::ModuleRecord;
use burn::tensor::{Bytes, Device};

use super::{Nets, Trainer};
use crate::config::GanLoss;
use crate::rng::SplitMix64;
use crate::tensors::host_copy;

const MAGIC: &[u8; 8] = b"EMCK\x00\x00\x00\x03";

/// Everything [`Trainer::restore`] needs, besides the settings the run was built with.
#[derive(Clone, Debug, PartialEq)]
pub struct Checkpoint {
    pub step: u64,
    pub rng_state: u64,
    pub gan_loss: GanLoss,
    /// Per logged point: own estimate, probe JS, EMD, feature distance (NaN where absent).
    pub series: Vec<[f64; 4]>,
    pub series_steps_last: Option<u64>,
    /// The generator, critic, probe and encoder as one burnpack module record.
    pub nets: Vec<u8>,
    /// The optimisers' records (burnpack), in the order generator, critic, probe, encoder (those
    /// the run has); `None` when the run's device could not write them (WebGPU).
    pub optim: Option<Vec<Vec<u8>>>,
}

/// Whether tensors on `device` can be read synchronously (Burn's record writers need that): the
/// CPU backends. Devices compare by hardware identity, ignoring autodiff.
fn sync_reads(device: &Device) -> bool {
    // The benchmark's comparison backend, deprecated in Burn 0.22 (feature `ndarray`).
    #[cfg(all(not(target_arch = "wasm32"), feature = "ndarray"))]
    #[allow(deprecated)]
    if *device == Device::ndarray() {
        return true;
    }
    *device == Device::flex()
}

fn optim_bytes(o: &ModuleOptimizer) -> Result<Vec<u8>, String> {
    o.into_bytes()
        .map(|b| b.to_vec())
        .map_err(|e| format!("could not record an optimiser: {e}"))
}

impl Trainer {
    /// The optimisers, in the checkpoint's order.
    fn optimizers(&self) -> Vec<&ModuleOptimizer> {
        let mut o = vec![&self.opts.g, &self.opts.d];
        o.extend(self.opts.probe.as_ref());
        o.extend(self.opts.enc.as_ref());
        o
    }

    /// Read this run's state back from its device.
    pub async fn checkpoint(&self) -> Result<Checkpoint, String> {
        let host = Device::flex();
        let nets = Nets {
            g: host_copy(&self.nets.g, &host).await?,
            d: host_copy(&self.nets.d, &host).await?,
            probe: match &self.nets.probe {
                Some(p) => Some(host_copy(p, &host).await?),
                None => None,
            },
            enc: match &self.nets.enc {
                Some(e) => Some(host_copy(e, &host).await?),
                None => None,
            },
        };
        let nets = nets
            .into_record()
            .into_bytes()
            .map_err(|e| format!("could not record the networks: {e}"))?
            .to_vec();
        let optim = if sync_reads(&self.plain) {
            let o: Result<Vec<_>, _> = self.optimizers().into_iter().map(optim_bytes).collect();
            Some(o?)
        } else {
            None
        };
        Ok(Checkpoint {
            step: self.step,
            rng_state: self.rng.state(),
            gan_loss: self.cfg.gan_loss,
            series: self.instruments.series.clone(),
            series_steps_last: self.instruments.series_steps_last,
            nets,
            optim,
        })
    }

    /// Continue from `c`: a run built with the same settings (on any device) takes its weights,
    /// optimiser moments (when recorded), step count, batch stream and logged series. On error
    /// nothing is changed.
    pub fn restore(&mut self, c: &Checkpoint) -> Result<(), String> {
        let unfit = |e: burn::store::RecordError| {
            format!("its networks do not fit this run's (were the settings changed?): {e}")
        };
        let record = ModuleRecord::from_bytes(Bytes::from_bytes_vec(c.nets.clone()))
            .map_err(|e| format!("its networks are unreadable: {e}"))?;
        let nets = self.nets.clone().try_load_record(record).map_err(unfit)?;
        if nets.probe.is_some() != self.nets.probe.is_some()
            || nets.enc.is_some() != self.nets.enc.is_some()
        {
            return Err("its probe or encoder differs from this run's".into());
        }
        let optims = match &c.optim {
            Some(blobs) => {
                let mine = self.optimizers();
                if blobs.len() != mine.len() {
                    return Err(format!(
                        "it has {} optimisers, this run has {}",
                        blobs.len(),
                        mine.len()
                    ));
                }
                let loaded: Result<Vec<ModuleOptimizer>, String> = mine
                    .into_iter()
                    .zip(blobs)
                    .map(|(o, b)| {
                        o.clone()
                            .from_bytes(Bytes::from_bytes_vec(b.clone()))
                            .map_err(|e| format!("an optimiser's state is unreadable: {e}"))
                    })
                    .collect();
                Some(loaded?)
            }
            None => None,
        };
        // Nothing can fail from here on.
        self.nets = nets;
        if let Some(mut o) = optims.map(|v| v.into_iter()) {
            let opts = &mut self.opts;
            for opt in [
                Some(&mut opts.g),
                Some(&mut opts.d),
                opts.probe.as_mut(),
                opts.enc.as_mut(),
            ]
            .into_iter()
            .flatten()
            {
                if let Some(loaded) = o.next() {
                    *opt = loaded;
                }
            }
        }
        self.step = c.step;
        self.rng = SplitMix64::from_state(c.rng_state);
        self.cfg.gan_loss = c.gan_loss;
        self.instruments.series = c.series.clone();
        self.instruments.series_steps_last = c.series_steps_last;
        Ok(())
    }
}

impl Checkpoint {
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut b = Vec::with_capacity(64 + self.nets.len());
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
        for row in &self.series {
            for v in row {
                b.extend_from_slice(&v.to_le_bytes());
            }
        }
        let blob = |b: &mut Vec<u8>, v: &[u8]| {
            b.extend_from_slice(&(v.len() as u64).to_le_bytes());
            b.extend_from_slice(v);
        };
        blob(&mut b, &self.nets);
        match &self.optim {
            Some(o) => {
                b.push(o.len() as u8);
                for v in o {
                    blob(&mut b, v);
                }
            }
            None => b.push(0),
        }
        b
    }

    pub fn from_bytes(bytes: &[u8]) -> Result<Checkpoint, String> {
        let mut r = Reader { b: bytes, at: 0 };
        if r.take(8)? != MAGIC {
            return Err("not an Earthmover checkpoint of this version (wrong header)".into());
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
        let n = r.len(32)?;
        let mut series = Vec::with_capacity(n);
        for _ in 0..n {
            series.push([r.f64()?, r.f64()?, r.f64()?, r.f64()?]);
        }
        let nets = r.blob()?;
        let optim = match r.u8()? {
            0 => None,
            k => Some((0..k).map(|_| r.blob()).collect::<Result<Vec<_>, _>>()?),
        };
        if r.at != bytes.len() {
            return Err(format!(
                "{} unexpected bytes after the checkpoint",
                bytes.len() - r.at
            ));
        }
        Ok(Checkpoint {
            step,
            rng_state,
            gan_loss,
            series,
            series_steps_last,
            nets,
            optim,
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
        let s = &self.b[self.at..self.at + n];
        self.at += n;
        Ok(s)
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
    fn blob(&mut self) -> Result<Vec<u8>, String> {
        let n = self.len(1)?;
        Ok(self.take(n)?.to_vec())
    }
}
