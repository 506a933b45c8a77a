// Runs only in browsers too old for module scripts (they skip app.js): say so instead of a blank page.
(function () {
  var el = document.getElementById('fatal');
  if (!el) return;
  el.hidden = false;
  el.removeAttribute('hidden');
  el.innerHTML = 'This browser is too old for Earthmover (it cannot run module scripts or WebAssembly). ' +
    'Please open the page in a current Chrome, Edge, Firefox or Safari.<br>' +
    '此浏览器版本过旧，无法运行 Earthmover（不支持模块脚本或 WebAssembly）。请使用新版 Chrome、Edge、Firefox 或 Safari。';
})();
