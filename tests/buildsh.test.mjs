// build.sh runs where developers are (issue 35): macOS's own bash 3.2 and BSD tools as well as
// Debian's. shellcheck cannot tell bash 4 from bash 3, and Debian has no bash 3.2 to run it with,
// so this reads the script for what bash 3.2 or BSD tools lack; ../build.sh test` also runs the
// dist step with macOS-like stand-ins for stat, sed, du and sha256sum (tests/macos-shims/).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

const SCRIPT = readFileSync(process.env.BUILD_SH || new URL('../build.sh', import.meta.url), 'utf8');
// The script's code: comments and the stand-in tools' own names in strings are not calls.
const code = SCRIPT.split('\n').map((l, i) => [i + 1, l.replace(/(^|\s)#.*$/, '')]).filter(([, l]) => l.trim());

const FORBIDDEN = [
  [/\b(declare|local|typeset)\s+-[a-zA-Z]*A/, 'associative arrays (bash 4)'],
  [/\b(declare|local|typeset)\s+-[a-zA-Z]*n\b/, 'namerefs (bash 4.3)'],
  [/\b(mapfile|readarray|coproc)\b/, 'mapfile/readarray/coproc (bash 4)'],
  [/\$\{[^}]*(,,|\^\^|@[QEPAa])\}/, 'case conversion or ${x@Q} (bash 4)'],
  [/&>>|\|&/, '&>> or |& (bash 4)'],
  [/\bwait\s+-n\b/, 'wait -n (bash 4.3)'],
  [/\[\[\s+-v\s/, '[[ -v ]] (bash 4.2)'],
  [/\bstat\s+-c\b/, 'stat -c (GNU; BSD stat has -f)'],
  [/\bsed\s+(-[a-zA-Z]*\s+)*-i(\s|$)/, 'sed -i without a suffix (GNU)'],
  [/\bdu\s+-[a-zA-Z]*b/, 'du -b (GNU)'],
  [/\breadlink\s+-f\b/, 'readlink -f (GNU before macOS 12.3)'],
  [/\b(date|touch)\s+-d\b/, 'date/touch -d (GNU)'],
  [/\bsort\s+-V\b/, 'sort -V (GNU)'],
  [/\bgrep\s+(-[a-zA-Z]*\s+)*-[a-zA-Z]*P/, 'grep -P (GNU)'],
  [/\bxargs\s+(-[a-zA-Z0-9]*\s+)*-r\b/, 'xargs -r (GNU)'],
  // Not a portability matter: a bare `wait` returns 0 whatever its jobs did (issue 36).
  [/(^|[;&|]\s*|\s)wait\s*(;|$)/, 'a bare wait (exit status 0 even when a job failed)'],
];

test('build.sh uses nothing that bash 3.2 or BSD tools lack', () => {
  const found = [];
  for (const [n, line] of code) {
    for (const [re, what] of FORBIDDEN) if (re.test(line)) found.push(`build.sh:${n}: ${what}: ${line.trim()}`);
    // sha256sum only inside the sha256 helper, as the fallback after shasum.
    if (/\bsha256sum\b/.test(line) && !/^sha256\(\)/.test(line.trim())) found.push(`build.sh:${n}: sha256sum outside sha256(): ${line.trim()}`);
  }
  assert.deepEqual(found, []);
});

test('the checker itself finds each construct it looks for', () => {
  const samples = ['declare -A JOBS=()', 'local -n ref=x', 'mapfile -t a < f', 'echo ${x,,}', 'cmd &>> log', 'wait -n',
    '[[ -v X ]]', 'stat -c %s f', "sed -i 's/a/b/' f", 'du -sb dist', 'readlink -f x', 'date -d now', 'sort -V', 'grep -oP x', 'xargs -0 -r rm', '  wait', 'a & b; wait'];
  for (const s of samples) assert.ok(FORBIDDEN.some(([re]) => re.test(s)), s);
  for (const ok of ["sed 's/a/b/' f > g", 'sed -i.bak s/a/b/ f', 'wc -c < f', 'declare -a list', 'local v', 'wait "$first"', 'wait "${!v}" || rc=$?']) {
    assert.ok(!FORBIDDEN.some(([re]) => re.test(ok)), ok);
  }
});

test('build.sh says what to install when a tool is missing, before anything else runs', () => {
  for (const tool of ['cargo', 'rustup', 'node', 'npm']) assert.match(SCRIPT, new RegExp(`need ${tool} "`), tool);
});
