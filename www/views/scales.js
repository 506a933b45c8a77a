// Axis ranges and tick labels for the charts, pure so that Node tests them (tests/charts.test.mjs).

// A divergence axis in nats fixed at [lo, hi] so that curves compare across runs and reloads, which
// still widens to show a point outside it: the JS estimates (log 2 − the discriminator's loss) are
// noisy lower bounds and can dip below 0 or pass log 2 for a point, and a fixed range cut such a
// point off at the edge as if it were the edge's value. A uPlot `range` function: (u, dataMin,
// dataMax) -> [min, max]; no data (null or not finite) keeps [lo, hi].
export const nats = (lo, hi) => (u, min, max) => {
  const pad = 0.02 * (hi - lo);
  return [Number.isFinite(min) && min < lo ? min - pad : lo, Number.isFinite(max) && max > hi ? max + pad : hi];
};

// Tick labels of a log axis: small values in exponent form (uPlot's default rounds them to 0).
export const logTicks = (u, vals) => vals.map((v) => (v == null ? '' : v >= 0.01 && v < 1e4 ? String(+v.toPrecision(2)) : v.toExponential(0)));

// Each series' last index with a value (null for a series with none): the legend shows these
// while no cursor is on the chart.
export function latestIdxs(data) {
  return data.map((col) => {
    for (let i = (col || []).length - 1; i >= 0; i--) if (col[i] != null) return i;
    return null;
  });
}
