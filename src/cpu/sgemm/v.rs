//! Four floats, the unit `sgemm`'s kernel and packing compute on: wasm's v128 in the browser
//! (SIMD128), an array natively (the tests run the same kernel code on it).

pub use imp::*;

#[cfg(target_arch = "wasm32")]
mod imp {
    use core::arch::wasm32::*;
    pub type V = v128;
    #[inline(always)]
    pub fn zero() -> V {
        f32x4_splat(0.0)
    }
    /// # Safety
    /// `p` points at four readable floats.
    #[inline(always)]
    pub unsafe fn load(p: *const f32) -> V {
        unsafe { v128_load(p as *const v128) }
    }
    /// # Safety
    /// `p` points at a readable float.
    #[inline(always)]
    pub unsafe fn splat(p: *const f32) -> V {
        unsafe { v128_load32_splat(p as *const u32) }
    }
    /// acc + a·b, as a multiply and an add.
    #[cfg(not(feature = "fma"))]
    #[inline(always)]
    pub fn mul_add(acc: V, a: V, b: V) -> V {
        f32x4_add(acc, f32x4_mul(a, b))
    }
    /// acc + a·b, one relaxed-SIMD multiply-add (fused where the CPU has FMA): the `fma` build.
    #[cfg(feature = "fma")]
    #[inline]
    #[target_feature(enable = "relaxed-simd")]
    pub fn mul_add(acc: V, a: V, b: V) -> V {
        f32x4_relaxed_madd(a, b, acc)
    }
    #[inline(always)]
    pub fn store(out: &mut [f32], x: V) {
        assert!(out.len() >= 4);
        unsafe { v128_store(out.as_mut_ptr() as *mut v128, x) }
    }
    /// # Safety
    /// `p` points at four writable floats.
    #[inline(always)]
    pub unsafe fn store_ptr(p: *mut f32, x: V) {
        unsafe { v128_store(p as *mut v128, x) }
    }
    /// The 4 × 4 matrix of four rows as its four columns.
    #[inline(always)]
    pub fn transpose([r0, r1, r2, r3]: [V; 4]) -> [V; 4] {
        let (t0, t1) = (
            i32x4_shuffle::<0, 4, 1, 5>(r0, r1),
            i32x4_shuffle::<2, 6, 3, 7>(r0, r1),
        );
        let (t2, t3) = (
            i32x4_shuffle::<0, 4, 1, 5>(r2, r3),
            i32x4_shuffle::<2, 6, 3, 7>(r2, r3),
        );
        [
            i64x2_shuffle::<0, 2>(t0, t2),
            i64x2_shuffle::<1, 3>(t0, t2),
            i64x2_shuffle::<0, 2>(t1, t3),
            i64x2_shuffle::<1, 3>(t1, t3),
        ]
    }
}

#[cfg(not(target_arch = "wasm32"))]
mod imp {
    pub type V = [f32; 4];
    #[inline(always)]
    pub fn zero() -> V {
        [0.0; 4]
    }
    /// # Safety
    /// `p` points at four readable floats.
    #[inline(always)]
    pub unsafe fn load(p: *const f32) -> V {
        unsafe { std::array::from_fn(|i| *p.add(i)) }
    }
    /// # Safety
    /// `p` points at a readable float.
    #[inline(always)]
    pub unsafe fn splat(p: *const f32) -> V {
        unsafe { [*p; 4] }
    }
    #[inline(always)]
    pub fn mul_add(acc: V, a: V, b: V) -> V {
        std::array::from_fn(|i| acc[i] + a[i] * b[i])
    }
    #[inline(always)]
    pub fn store(out: &mut [f32], x: V) {
        out[..4].copy_from_slice(&x);
    }
    /// # Safety
    /// `p` points at four writable floats.
    #[inline(always)]
    pub unsafe fn store_ptr(p: *mut f32, x: V) {
        for (i, &x) in x.iter().enumerate() {
            unsafe { *p.add(i) = x };
        }
    }
    /// The 4 × 4 matrix of four rows as its four columns.
    #[inline(always)]
    pub fn transpose(rows: [V; 4]) -> [V; 4] {
        std::array::from_fn(|j| std::array::from_fn(|i| rows[i][j]))
    }
}
