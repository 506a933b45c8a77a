import { t } from '../page/i18n.js';

// The mode-collapse meter's drawing: a bar per digit class, the 5% "covered" line, the numbers.
const W = 360;
const H = 170;

export function drawModes(canvas, stats, color) {
  const ctx = canvas.getContext('2d');
  ctx.clearRect(0, 0, W, H);
  ctx.font = '12px system-ui, sans-serif';
  const n = stats.counts.reduce((a, b) => a + b, 0) || 1;
  const top = 16;
  const base = H - 20;
  const maxShare = Math.max(0.3, ...stats.counts.map((c) => c / n));
  const y = (share) => base - (share / maxShare) * (base - top);
  const bw = (W - 40) / 10;
  stats.counts.forEach((c, k) => {
    const share = c / n;
    const x = 30 + k * bw;
    ctx.fillStyle = share >= 0.05 ? color : '#c8c6c0';
    ctx.fillRect(x + 3, y(share), bw - 6, base - y(share));
    ctx.fillStyle = '#1b1b1f';
    ctx.textAlign = 'center';
    ctx.fillText(String(k), x + bw / 2, H - 5);
    if (share > 0) ctx.fillText(`${Math.round(share * 100)}%`, x + bw / 2, Math.max(top - 2, y(share) - 3));
  });
  // The "covered" threshold.
  ctx.strokeStyle = '#5b5d66';
  ctx.setLineDash([4, 3]);
  ctx.beginPath();
  ctx.moveTo(28, y(0.05));
  ctx.lineTo(W - 8, y(0.05));
  ctx.stroke();
  ctx.setLineDash([]);
  ctx.fillStyle = '#5b5d66';
  ctx.textAlign = 'left';
  ctx.fillText('5%', 2, y(0.05) + 4);
}

export function modesText(title, stats, step) {
  return t('modes.text', { run: title, step, covered: stats.covered, entropy: stats.entropy.toFixed(2) });
}
