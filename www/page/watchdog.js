// The first script the page runs (a classic script, so it runs where the page's modules cannot).
//
// 1. Language tags every Intl call can use. A browser started with a minimal locale reports
//    navigator.language "C" or "POSIX" (WebKitGTK without LANG), "en_US.UTF-8", "" or junk, and
//    `new Intl.NumberFormat(navigator.language)` (uPlot runs it as it loads) throws a RangeError
//    that stopped the whole page. The browser's tags are tidied ("en_US.UTF-8" -> "en-US"), the
//    ones Intl rejects dropped, "en-US" used when none is left, and navigator.language(s) answer
//    the tidy list for the rest of the page. window.earthmoverLocale says what was found and used.
(function () {
  var tidy = function (tag) {
    var s = String(tag == null ? '' : tag).split('.')[0].split('@')[0].replace(/_/g, '-').trim();
    if (!s || s.length > 80 || /^(c|posix)$/i.test(s)) return null;
    try {
      var c = Intl.getCanonicalLocales(s)[0];
      // NumberFormat is what uPlot builds; a tag it cannot take is no use to the page.
      return c && new Intl.NumberFormat(c) ? c : null;
    } catch (e) { return null; }
  };
  var raw = [];
  try { raw = Array.prototype.slice.call(navigator.languages || []); } catch (e) { raw = []; }
  try { raw.push(navigator.language); } catch (e) { /* no navigator.language */ }
  var used = [];
  for (var i = 0; i < raw.length; i++) {
    var c = tidy(raw[i]);
    if (c && used.indexOf(c) < 0) used.push(c);
  }
  if (!used.length) used.push('en-US');
  var same = false;
  try { same = navigator.language === used[0] && String(navigator.languages) === String(used); } catch (e) { same = false; }
  var patched = false;
  if (!same && typeof Intl === 'object') {
    try {
      Object.defineProperty(navigator, 'language', { configurable: true, get: function () { return used[0]; } });
      Object.defineProperty(navigator, 'languages', { configurable: true, get: function () { return used.slice(); } });
      patched = true;
    } catch (e) { /* a navigator that cannot be changed: the modules guard their own Intl calls */ }
  }
  window.earthmoverLocale = { found: raw.map(String), used: used.slice(), patched: patched };
})();
// 2. A matchMedia that throws (a locked-down or broken browser; uPlot and app.js call it) is
// replaced by one that answers (min-width: Npx) and (max-width: Npx) from the window's width, the
// only queries the page asks, and matches nothing else.
(function () {
  try {
    window.matchMedia('(min-width: 1px)');
  } catch (e) {
    try {
      window.matchMedia = function (q) {
        var noop = function () {};
        var m = /^\(\s*(min|max)-width:\s*(\d+(?:\.\d+)?)px\s*\)$/.exec(String(q).trim());
        var matches = !!m && (m[1] === 'min' ? window.innerWidth >= +m[2] : window.innerWidth <= +m[2]);
        return { matches: matches, media: String(q), onchange: null, addEventListener: noop, removeEventListener: noop,
          addListener: noop, removeListener: noop, dispatchEvent: function () { return false; } };
      };
    } catch (e2) { /* nothing more to do */ }
  }
})();

// 3. Never a blank page (issue 18): opened from the file system, a missing vendor file, a module
// that fails to load or throws while it starts. It says what happened and what to do, in the page's
// language, unless app.js has started (window.earthmover) or already said why not (#fatal).
(function () {
  var zh = /(^|[?&])lang=zh/.test(location.search) || (!/(^|[?&])lang=en/.test(location.search)
    && /^zh/i.test((navigator.languages && navigator.languages[0]) || navigator.language || ''));
  var words = {
    file: ['This page has to come from a web server: browsers do not run its modules and workers from a file. '
      + 'Run ./build.sh serve in the project folder (or python3 -m http.server in the folder that holds index.html) '
      + 'and open http://localhost:8080/.',
    '此页面必须通过网页服务器打开：浏览器不会从本地文件运行它的模块和工作线程。请在项目文件夹中运行 ./build.sh serve'
      + '（或在 index.html 所在的文件夹中运行 python3 -m http.server），然后打开 http://localhost:8080/。'],
    // A script that threw while the page started: the browser, its version or one of its settings
    // (a blocked storage, a missing API) is the cause, not the site, so say so and name the error.
    crashed: ['The page could not start in this browser: it stopped with "{what}". The site is complete; '
      + 'this browser, its version or one of its settings lacks something the page needs. Update the browser or open '
      + 'the page in another one (Chrome, Edge, Firefox or Safari), and tell whoever runs the site the message above.',
    '页面无法在此浏览器中启动：它因“{what}”而停止。网站文件是完整的；是此浏览器、它的版本或某项设置缺少页面所需的功能。'
      + '请更新浏览器或换用其他浏览器（Chrome、Edge、Firefox 或 Safari）打开，并把上面的信息告诉网站管理员。'],
    failed: ['The page could not start: {what} did not load. Reload the page; if this stays, the site is incomplete: '
      + 'rebuild it with ./build.sh (or upload the whole dist/ folder that ./build.sh dist writes).',
    '页面无法启动：{what} 未能加载。请重新加载页面；如果问题依旧，说明网站文件不完整：请用 ./build.sh 重新构建'
      + '（或上传 ./build.sh dist 生成的整个 dist/ 文件夹）。'],
    slow: ['The page has not started after {s} seconds. Reload it; if this stays, open the browser\'s console '
      + '(F12) for the reason, and check that the whole site was copied.',
    '页面在 {s} 秒后仍未启动。请重新加载；如果问题依旧，请打开浏览器控制台（F12）查看原因，并检查整个网站是否已完整复制。'],
  };
  var say = function (key, what) {
    var el = document.getElementById('fatal');
    if (!el || window.earthmover || !el.hidden) return;
    el.textContent = words[key][zh ? 1 : 0].replace('{what}', what || '').replace('{s}', String(LIMIT_S));
    el.hidden = false;
    el.setAttribute('data-watchdog', key);
    document.body.classList.remove('booting'); // whatever did get built is shown with the message
  };
  var LIMIT_S = 20;
  if (location.protocol === 'file:') {
    document.addEventListener('DOMContentLoaded', function () { say('file'); });
    return;
  }
  // A script, module or stylesheet that failed to load, or a module that threw while it ran.
  window.addEventListener('error', function (ev) {
    var t = ev.target;
    var file = t && t !== window && (t.src || t.href);
    var what = file ? String(file).split('?')[0].split('/').slice(-2).join('/')
      : String(ev.message || (ev.error && ev.error.message) || 'an error').replace(/^Uncaught /, '');
    setTimeout(function () { say(file ? 'failed' : 'crashed', what); }, 1500);
  }, true);
  setTimeout(function () { say('slow'); }, LIMIT_S * 1000);
})();
