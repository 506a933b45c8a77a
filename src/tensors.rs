//! Tensor helpers every layer uses: asynchronous read-back (the only read WebGPU allows in a
//! browser), random rows and noise from the project's own RNG, images as bytes, and module maps
//! (weight clipping, eager initialisation). Depends on Burn and [`crate::rng`] only.

use burn::module::{Module, ModuleMapper, ModuleVisitor, Param};
use burn::tensor::{Device, Int, Tensor, TensorData};

use crate::rng::SplitMix64;

/// Keeps every float parameter in [-c, c] (WGAN weight clipping) as a module map; with
/// `f64::INFINITY` it only materialises lazily initialised parameters.
struct Clip(f64);

impl ModuleMapper for Clip {
    fn map_float<const D: usize>(&mut self, param: Param<Tensor<D>>) -> Param<Tensor<D>> {
        let (id, tensor, mapper) = param.consume();
        let require_grad = tensor.is_require_grad();
        let mut clipped = if self.0.is_finite() {
            Tensor::from_inner(tensor.inner().clamp(-self.0, self.0))
        } else {
            Tensor::from_inner(tensor.inner())
        };
        if require_grad {
            clipped = clipped.require_grad();
        }
        Param::from_mapped_value(id, clipped, mapper)
    }
}

/// Clamp every float parameter of any module to [-c, c].
pub fn clip_module<M: Module>(m: M, c: f64) -> M {
    m.map(&mut Clip(c))
}

/// Initialise every parameter of a fresh module now. Burn initialises parameters lazily, and a
/// clone made before that (e.g. a `no_grad()` copy for measuring) would share the pending
/// initialisation, so its flags could leak into the original.
pub fn materialize<M: Module>(m: M) -> M {
    m.map(&mut Clip(f64::INFINITY))
}

/// `n` x `latent` standard normal numbers from `rng`, on `device`: [n, latent].
pub fn normal_noise(rng: &mut SplitMix64, n: usize, latent: usize, device: &Device) -> Tensor<2> {
    Tensor::from_data(
        TensorData::new(rng.normals(n * latent), [n, latent]),
        device,
    )
}

/// `count` rows of `data` [n_data, d] drawn uniformly with replacement, gathered on its device.
pub fn random_rows(
    data: &Tensor<2>,
    n_data: usize,
    count: usize,
    rng: &mut SplitMix64,
) -> Tensor<2> {
    let idx: Vec<i32> = (0..count).map(|_| rng.below(n_data) as i32).collect();
    let idx = Tensor::<1, Int>::from_data(TensorData::new(idx, [count]), &data.device());
    data.clone().select(0, idx) // [count, d]
}

/// A CPU tensor's floats, read synchronously (moved out when nothing else holds the buffer).
pub fn host<const D: usize>(t: Tensor<D>) -> Vec<f32> {
    t.into_data()
        .try_into_vec::<f32>()
        .expect("a float tensor on the CPU holds f32")
}

/// Images in [-1, 1] as bytes, 0 = background, 255 = ink.
pub fn to_bytes(v: &[f32]) -> Vec<u8> {
    v.iter()
        .map(|&p| ((p + 1.0) * 127.5).round().clamp(0.0, 255.0) as u8)
        .collect()
}

/// Read a tensor back as f32, asynchronously (the only kind of read WebGPU allows in a browser).
pub async fn read_f32<const D: usize>(t: Tensor<D>) -> Result<Vec<f32>, String> {
    let data = t
        .into_data_async()
        .await
        .map_err(|e| format!("device read-back failed: {e:?}"))?;
    data.try_to_vec::<f32>()
        .map_err(|e| format!("device read-back gave unexpected data: {e:?}"))
}

/// All float parameters of a module, flattened and concatenated.
pub async fn read_module_params<M: Module>(m: &M) -> Result<Vec<f32>, String> {
    struct Collect(Vec<Tensor<1>>);
    impl ModuleVisitor for Collect {
        fn visit_float<const D: usize>(&mut self, p: &Param<Tensor<D>>) {
            let t = p.val().inner();
            let n = t.shape().num_elements();
            self.0.push(t.reshape([n]));
        }
    }
    let mut c = Collect(Vec::new());
    m.visit(&mut c);
    read_f32(Tensor::cat(c.0, 0)).await
}

/// Seed `device`'s random stream and build modules with it, holding a process-wide lock across
/// both. Burn's device RNG is shared by the whole process, so two runs initialised on concurrent
/// threads (native tests) would otherwise interleave their draws. `init` must materialise what it
/// builds (see [`materialize`]): Burn draws lazily, and a draw after the lock is released is not
/// covered.
pub fn seeded<T>(device: &Device, seed: u64, init: impl FnOnce() -> T) -> T {
    static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _guard = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    device.seed(seed);
    init()
}

/// Writes a flat parameter vector into a module's parameters, in the order [`read_module_params`]
/// reads them, keeping each parameter's id: on `device` (without gradients), or on each
/// parameter's own device (keeping its gradient flag) when `device` is `None`.
struct Load<'a> {
    values: &'a [f32],
    at: usize,
    short: bool,
    device: Option<Device>,
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
        let data = TensorData::new(self.values[self.at..self.at + n].to_vec(), shape);
        self.at += n;
        let t = match &self.device {
            Some(device) => Tensor::<D>::from_data(data, device),
            None => {
                let t = Tensor::<D>::from_data(data, &tensor.device());
                if tensor.is_require_grad() {
                    t.require_grad()
                } else {
                    t
                }
            }
        };
        Param::from_mapped_value(id, t, mapper)
    }
}

/// Number of float weights of a module.
fn count<M: Module>(m: &M) -> usize {
    struct Count(usize);
    impl ModuleVisitor for Count {
        fn visit_float<const D: usize>(&mut self, p: &Param<Tensor<D>>) {
            self.0 += p.shape().num_elements();
        }
    }
    let mut c = Count(0);
    m.visit(&mut c);
    c.0
}

fn load<M: Module>(m: M, values: &[f32], device: Option<Device>) -> Result<M, String> {
    // Checked before mapping: a half-applied map can leak into other clones of lazily initialised
    // parameters.
    let n = count(&m);
    if n != values.len() {
        return Err(format!(
            "{} values for a module of {n} weights",
            values.len()
        ));
    }
    let mut l = Load {
        values,
        at: 0,
        short: false,
        device,
    };
    let m = m.map(&mut l);
    if l.short || l.at != values.len() {
        return Err(format!(
            "{} values do not fit the module's shapes",
            values.len()
        ));
    }
    Ok(m)
}

/// `m` with its float parameters replaced by `values`, in the order [`read_module_params`] reads
/// them (for tests that perturb single weights); an error when the count differs.
pub fn load_params<M: Module>(m: M, values: &[f32]) -> Result<M, String> {
    load(m, values, None)
}

/// A copy of `m` on `host` (a CPU device), with the same parameter ids, read back
/// asynchronously: what Burn's synchronous record writers may then read on any backend.
pub async fn host_copy<M: Module>(m: &M, host: &Device) -> Result<M, String> {
    let values = read_module_params(m).await?;
    load(m.clone(), &values, Some(host.clone()))
}
