// Never a blank page (issue 18): a classic script, so it runs where the page's modules cannot
// (opened from the file system, a missing vendor file, a module that fails to load or to run).
// It says what happened and what to do, in the page's language, unless app.js has started
// (window.earthmover) or already said why not (#fatal).
(function () {
  var zh = /(^|[?&])lang=zh/.test(location.search) || (!/(^|[?&])lang=en/.test(location.search)
    && /^zh/i.test((navigator.languages && navigator.languages[0]) || navigator.language || ''));
  var words = {
    file: ['This page has to come from a web server: browsers do not run its modules and workers from a file. '
      + 'Run ./build.sh serve in the project folder (or python3 -m http.server in the folder that holds index.html) '
      + 'and open http://localhost:8080/.',
    '此页面必须通过网页服务器打开：浏览器不会从本地文件运行它的模块和工作线程。请在项目文件夹中运行 ./build.sh serve'
      + '（或在 index.html 所在的文件夹中运行 python3 -m http.server），然后打开 http://localhost:8080/。'],
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
  };
  var LIMIT_S = 20;
  if (location.protocol === 'file:') {
    document.addEventListener('DOMContentLoaded', function () { say('file'); });
    return;
  }
  // A script, module or stylesheet that failed to load, or a module that threw while it ran.
  window.addEventListener('error', function (ev) {
    var t = ev.target;
    var what = t && t !== window && (t.src || t.href) ? String(t.src || t.href).split('?')[0].split('/').slice(-2).join('/')
      : (ev.message || 'a script');
    setTimeout(function () { say('failed', what); }, 1500);
  }, true);
  setTimeout(function () { say('slow'); }, LIMIT_S * 1000);
})();
