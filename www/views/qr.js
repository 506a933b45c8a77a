// A link as a QR code on a canvas (the Copy-link dialog, the class dashboard's join link).
// The link as a QR code for phones and laptops with a camera (qrcode-generator, loaded on first
// use so that the page's first load does not carry it).
export async function drawQr(canvas, text) {
  const g = canvas.getContext('2d');
  try {
    const { default: qrcode } = await import('../vendor/qrcode.mjs');
    const qr = qrcode(0, 'M');
    qr.addData(text);
    qr.make();
    const n = qr.getModuleCount();
    const cell = Math.floor(canvas.width / (n + 4));
    const off = Math.floor((canvas.width - cell * n) / 2);
    g.fillStyle = '#fff';
    g.fillRect(0, 0, canvas.width, canvas.height);
    g.fillStyle = '#000';
    for (let r = 0; r < n; r++) for (let c = 0; c < n; c++) if (qr.isDark(r, c)) g.fillRect(off + c * cell, off + r * cell, cell, cell);
    canvas.dataset.modules = String(n);
  } catch (_) {
    canvas.hidden = true; // no QR code (a missing vendor file): the link text is still there
  }
}
