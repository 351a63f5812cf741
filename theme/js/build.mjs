// Builds theme/static/vendor/vega-runtime.min.js and LICENSES.txt from the
// pinned packages in node_modules (run `invoke bundle-js`, which does
// `npm ci` first). Deterministic: same lock file, same bytes.
//
//   node build.mjs          build, write, print sizes, refresh README sizes
//   node build.mjs --check  build in memory and fail if the committed files differ
import {build} from 'esbuild';
import {readFileSync, writeFileSync, existsSync, readdirSync} from 'node:fs';
import {dirname, join, relative} from 'node:path';
import {fileURLToPath} from 'node:url';
import {gzipSync, brotliCompressSync, constants as zc} from 'node:zlib';

const here = dirname(fileURLToPath(import.meta.url));
const vendor = join(here, '..', 'static', 'vendor');
const OUT = join(vendor, 'vega-runtime.min.js');
const LICENSES = join(vendor, 'LICENSES.txt');
const README = join(here, 'README.md');
const check = process.argv.includes('--check');

const pkg = name => JSON.parse(readFileSync(join(here, 'node_modules', name, 'package.json'), 'utf8'));
const vegaVersion = pkg('vega').version;

// src/transforms.js imports single transform modules from these packages'
// source folders; their `exports` maps only expose the prebuilt file.
const TRANSFORM_SOURCES = /^(vega-transforms|vega-view-transforms|vega-encode|vega-voronoi)\/src\/[\w/]+\.js$/;
const deepImports = {
  name: 'vega-transform-sources',
  setup(b) {
    b.onResolve({filter: TRANSFORM_SOURCES}, args => ({path: join(here, 'node_modules', args.path)}));
  }
};

async function bundle(entry) {
  const result = await build({
    entryPoints: [join(here, 'src', entry)],
    bundle: true,
    minify: true,
    format: 'iife',
    globalName: 'vegaRuntime',
    target: 'es2018',
    platform: 'browser',
    // Licences go to LICENSES.txt in full; the banner points there.
    legalComments: 'none',
    banner: {js: `/*! vega-runtime: Vega ${vegaVersion} runtime, vega-interpreter, vega-tooltip. Licences: LICENSES.txt */`},
    define: {VEGA_VERSION: JSON.stringify(vegaVersion)},
    charset: 'utf8',
    metafile: true,
    write: false,
    logLevel: 'warning',
    absWorkingDir: here,
    plugins: [deepImports]
  });
  return {code: result.outputFiles[0].contents, meta: result.metafile};
}

const gz = buf => gzipSync(buf, {level: 9}).length;
const br = buf => brotliCompressSync(buf, {params: {[zc.BROTLI_PARAM_QUALITY]: 11}}).length;
const kb = n => (n / 1024).toFixed(1) + ' KiB';

// Packages published without a licence file whose text is another package's:
// vega-interpreter lives in the vega/vega monorepo (see its package.json
// `repository`), whose BSD-3-Clause LICENSE ships in the `vega` package.
const LICENCE_FROM = {'vega-interpreter': 'vega'};

// One entry per bundled package: name, version, licence id and full text.
function licences(meta) {
  const roots = new Set();
  for (const input of Object.keys(meta.inputs)) {
    const m = input.match(/^(?:.*\/)?node_modules\/((?:@[^/]+\/)?[^/]+)\//);
    if (m) roots.add(m[1]);
  }
  const parts = [];
  for (const name of [...roots].sort()) {
    const info = pkg(name);
    const source = existsSync(join(here, 'node_modules', name, 'LICENSE')) ? name : (LICENCE_FROM[name] || name);
    const dir = join(here, 'node_modules', source);
    const file = readdirSync(dir).find(f => /^(licen[cs]e|copying)(\.(md|txt))?$/i.test(f));
    if (!file) {
      throw new Error(`theme/js/node_modules/${name}: no LICENSE file; its licence text must be added to LICENSES.txt by hand before it can be bundled.`);
    }
    const text = readFileSync(join(dir, file), 'utf8').trim();
    const note = source === name ? '' : `(no licence file in the package; text from ${source}, same repository)\n`;
    parts.push(`${'='.repeat(72)}\n${name}@${info.version} (${info.license})\n${'='.repeat(72)}\n${note}${text}\n`);
  }
  const head = 'Third-party software bundled in vega-runtime.min.js (built from theme/js/ with `invoke bundle-js`).\n' +
    `Packages: ${roots.size}. Each package's licence text follows.\n\n`;
  return {text: head + parts.join('\n'), count: roots.size};
}

const ours = await bundle('runtime.js');
const full = await bundle('runtime-full.js');
const vegaMin = readFileSync(join(here, 'node_modules', 'vega', 'build', 'vega.min.js'));
const lic = licences(ours.meta);

const sizes = [
  ['vega.min.js (Vega ' + vegaVersion + ', as published, no interpreter, no tooltip)', vegaMin],
  ['full Vega + vega-interpreter + vega-tooltip (every transform registered)', full.code],
  ['vega-runtime.min.js (shipped: only the transforms our charts use)', ours.code]
];
const table = ['| bundle | raw | gzip -9 | brotli 11 |', '| --- | ---: | ---: | ---: |',
  ...sizes.map(([label, buf]) => `| ${label} | ${kb(buf.length)} | ${kb(gz(buf))} | ${kb(br(buf))} |`)].join('\n');

if (gz(ours.code) >= gz(full.code)) {
  throw new Error('The transform subset is no smaller than full Vega; ship the full build instead (see README).');
}

const outputs = [[OUT, Buffer.from(ours.code)], [LICENSES, Buffer.from(lic.text)]];
const readme = readFileSync(README, 'utf8');
const marked = /(<!-- sizes:start -->\n)[\s\S]*?(<!-- sizes:end -->)/;
if (!marked.test(readme)) throw new Error('theme/js/README.md lost its <!-- sizes:start --> / <!-- sizes:end --> markers.');
outputs.push([README, Buffer.from(readme.replace(marked, `$1${table}\n$2`))]);

if (check) {
  const stale = outputs.filter(([path, buf]) => !existsSync(path) || !readFileSync(path).equals(buf))
    .map(([path]) => relative(join(here, '..', '..'), path));
  if (stale.length) {
    console.error(`Out of date (rebuild with \`invoke bundle-js\` and commit): ${stale.join(', ')}`);
    process.exit(1);
  }
  console.log('vega-runtime.min.js, LICENSES.txt and README sizes match a fresh build.');
} else {
  for (const [path, buf] of outputs) writeFileSync(path, buf);
  console.log(`wrote ${relative(join(here, '..', '..'), OUT)} (${lic.count} packages; licences in LICENSES.txt)`);
}
console.log(table);
