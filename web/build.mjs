// Builds what the binary embeds from npm packages into web/dist/:
// - echarts.js: ECharts with only what the dashboard draws (bar, line,
//   tooltip, legend, grid, SVG renderer), bundled by esbuild — the full
//   echarts.min.js is 1.1 MB, a phone should not download it;
// - icons.svg: one SVG sprite of the Lucide icons the pages use (ISC
//   licence), referenced as <use href="…#name">.
// Files are written only when their content changes, so cargo's
// rerun-if-changed does not rebuild the web crate for nothing.
import { build } from 'esbuild';
import { readFileSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, 'dist');
mkdirSync(dist, { recursive: true });

function put(name, text) {
  const path = join(dist, name);
  if (existsSync(path) && readFileSync(path, 'utf8') === text) return;
  writeFileSync(path, text);
  console.log(`web/build: wrote dist/${name} (${text.length} bytes)`);
}

// ECharts: the modular entry points, tree-shaken.
const entry = `
import * as echarts from 'echarts/core';
import { BarChart, LineChart } from 'echarts/charts';
import { GridComponent, TooltipComponent, LegendComponent } from 'echarts/components';
import { SVGRenderer } from 'echarts/renderers';
echarts.use([BarChart, LineChart, GridComponent, TooltipComponent, LegendComponent, SVGRenderer]);
window.echarts = { init: echarts.init };
`;
const out = await build({
  stdin: { contents: entry, resolveDir: here, loader: 'js' },
  bundle: true,
  minify: true,
  format: 'iife',
  target: 'es2019',
  legalComments: 'none',
  write: false,
});
put('echarts.js', '/*! ECharts (Apache-2.0), bar+line+tooltip+legend+grid, SVG renderer */\n' + out.outputFiles[0].text);

// The icon sprite. Names are Lucide's; the pages name them by these ids.
const ICONS = [
  'house', 'camera', 'message-circle', 'user', 'list-todo', 'users', 'clipboard-list',
  'chart-column', 'map', 'settings', 'bell', 'phone', 'megaphone', 'file-text', 'building-2',
  'shield', 'key-round', 'log-out', 'map-pin', 'search', 'inbox', 'circle-check', 'clock',
  'triangle-alert', 'chevron-right', 'x', 'volume-2', 'id-card', 'hand-heart', 'vote',
  'history', 'landmark', 'layout-grid', 'printer', 'upload', 'download', 'plus',
  'heart-handshake', 'gift', 'qr-code', 'calendar-days', 'handshake',
];
const symbols = ICONS.map((name) => {
  const svg = readFileSync(join(here, 'node_modules', 'lucide-static', 'icons', `${name}.svg`), 'utf8');
  const body = svg.replace(/<!--[\s\S]*?-->/g, '').replace(/^[\s\S]*?<svg[^>]*>/, '').replace(/<\/svg>\s*$/, '')
    .replace(/\s*\n\s*/g, '');
  return `<symbol id="${name}" viewBox="0 0 24 24"><g fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round">${body}</g></symbol>`;
});
put('icons.svg', `<svg xmlns="http://www.w3.org/2000/svg"><!-- Lucide icons, ISC licence -->${symbols.join('')}</svg>\n`);

// The vendor files the binary embeds, copied next to the bundle, each with
// a brotli copy (quality 11, made once here) that the server sends to
// browsers that accept it; the server gzips the rest on the fly.
import { brotliCompressSync, constants } from 'node:zlib';
const VENDOR = {
  'htmx.js': 'htmx.org/dist/htmx.min.js',
  'leaflet.js': 'leaflet/dist/leaflet.js',
  'leaflet.css': 'leaflet/dist/leaflet.css',
};
for (const [name, from] of Object.entries(VENDOR)) {
  put(name, readFileSync(join(here, 'node_modules', from), 'utf8'));
}
for (const name of [...Object.keys(VENDOR), 'echarts.js', 'icons.svg']) {
  const src = readFileSync(join(dist, name));
  const br = brotliCompressSync(src, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: src.length } });
  const path = join(dist, `${name}.br`);
  if (existsSync(path) && readFileSync(path).equals(br)) continue;
  writeFileSync(path, br);
  console.log(`web/build: wrote dist/${name}.br (${br.length} bytes)`);
}
