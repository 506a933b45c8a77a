//! The activations' loops over raw floats (`nets::activation` calls them on the CPU): LeakyReLU's
//! slope of every element, and tanh with its derivative without libm's scalar `expf`.

/// LeakyReLU's derivative at every element: 1 where x ≥ 0 (or NaN), `slope` elsewhere; x times it
/// is LeakyReLU(x), bit for bit Burn's.
pub fn leaky_slopes(x: &[f32], slope: f32) -> Vec<f32> {
    x.iter()
        .map(|&v| if v >= 0.0 || v.is_nan() { 1.0 } else { slope })
        .collect()
}

/// tanh and 1 − tanh² of every element, in a loop the compiler vectorises (no calls, no branches).
pub fn tanh_and_derivative(x: &[f32]) -> (Vec<f32>, Vec<f32>) {
    let t: Vec<f32> = x.iter().map(|&v| tanh_f32(v)).collect();
    let d = t.iter().map(|&t| 1.0 - t * t).collect();
    (t, d)
}

/// tanh(x) = sign(x)·(1 − e)/(1 + e) with e = exp(−2|x|) ∈ (0, 1]. Absolute error ≤ 2.5e-7 (the
/// test beside Burn's composition asks < 3e-7); NaN stays NaN, ±∞ gives ±1.
#[inline(always)]
fn tanh_f32(x: f32) -> f32 {
    // Beyond |x| = 10, tanh is 1 in f32 (1 − 4e-9); the clamp keeps 2^k a normal number.
    let y = -2.0 * x.abs();
    let y = if y < -20.0 { -20.0 } else { y };
    let e = exp_nonpositive(y);
    let t = (1.0 - e) / (1.0 + e);
    f32::from_bits(t.to_bits() | (x.to_bits() & 0x8000_0000))
}

/// e^y for y in [−20, 0] (and NaN): e^y = 2^k · e^r with k = round(y / ln 2), |r| ≤ ln 2 / 2, and
/// e^r by its Taylor series to r⁶ (truncation ≤ 1.2e-7 relative).
#[inline(always)]
fn exp_nonpositive(y: f32) -> f32 {
    // Round to nearest by the 1.5·2²³ trick (|y / ln 2| < 2²²): one add and one subtract, which
    // vectorise where `f32::round` would not.
    const ROUND: f32 = 12_582_912.0;
    let k = (y * std::f32::consts::LOG2_E + ROUND) - ROUND;
    // ln 2 in two parts (Cody and Waite): k·LN2_HI is exact for the k here, so r keeps its bits.
    const LN2_HI: f32 = 355.0 / 512.0; // ln 2 to 9 bits
    const LN2_LO: f32 = -2.121_944_4e-4; // ln 2 − LN2_HI
    let r = (y - k * LN2_HI) - k * LN2_LO;
    let p = 1.0
        + r * (1.0
            + r * (1.0 / 2.0
                + r * (1.0 / 6.0 + r * (1.0 / 24.0 + r * (1.0 / 120.0 + r * (1.0 / 720.0))))));
    // 2^k from its exponent bits (k in [−29, 0]; a NaN k casts to 0 and p carries the NaN).
    let two_k = f32::from_bits(((k as i32 + 127) as u32) << 23);
    p * two_k
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tanh_f32_matches_f64_tanh_everywhere() {
        let mut worst = 0f64;
        let mut x = -12.0f32;
        while x <= 12.0 {
            let err = (tanh_f32(x) as f64 - (x as f64).tanh()).abs();
            worst = worst.max(err);
            x += 1e-4;
        }
        assert!(worst < 2.5e-7, "max |error| {worst:.2e}");
        for (x, t) in [
            (0.0f32, 0.0f32),
            (f32::INFINITY, 1.0),
            (f32::NEG_INFINITY, -1.0),
            (1e30, 1.0),
            (-1e30, -1.0),
        ] {
            assert_eq!(tanh_f32(x), t, "tanh({x})");
        }
        assert!(tanh_f32(f32::NAN).is_nan());
        assert!(tanh_f32(-0.0).is_sign_negative());
        // Odd, bit for bit.
        for x in [1e-6f32, 0.1, 0.5, 1.0, 3.0, 9.0] {
            assert_eq!(tanh_f32(-x), -tanh_f32(x));
        }
    }

    #[test]
    fn exp_nonpositive_is_exp() {
        let mut y = -20.0f32;
        while y <= 0.0 {
            let rel = ((exp_nonpositive(y) as f64 - (y as f64).exp()) / (y as f64).exp()).abs();
            assert!(rel < 3e-7, "exp({y}): relative error {rel:.2e}");
            y += 1e-3;
        }
    }
}
