// Builds the published package: ESM + CommonJS bundles in dist/, with @costscope/core bundled in
// (core ships TypeScript source and is not published), and declarations in dist/types.
import { execFileSync } from 'node:child_process';
import { readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const pkg = JSON.parse(await readFile(join(root, 'package.json'), 'utf8'));
// Everything the package depends on stays an import; only our own core is bundled.
const external = Object.keys(pkg.dependencies ?? {});

await rm(join(root, 'dist'), { recursive: true, force: true });

/** Entry points import `./index.js`: point them at the bundle of the same format. */
const indexAsSibling = (extension) => ({
  name: 'index-as-sibling',
  setup(b) {
    b.onResolve({ filter: /^\.\/index\.js$/ }, () => ({ path: `./index.${extension}`, external: true }));
  },
});

const common = { bundle: true, platform: 'node', target: 'node20', external, sourcemap: true, logLevel: 'warning' };
for (const [format, extension] of [
  ['esm', 'mjs'],
  ['cjs', 'cjs'],
]) {
  await build({
    ...common,
    entryPoints: [join(root, 'src/index.ts')],
    outfile: join(root, `dist/index.${extension}`),
    format,
    define: { __COSTSCOPE_MODULE_FORMAT__: JSON.stringify(format) },
  });
}
await build({
  ...common,
  entryPoints: [join(root, 'src/register.ts')],
  outfile: join(root, 'dist/register.mjs'),
  format: 'esm',
  plugins: [indexAsSibling('mjs')],
});
await build({
  ...common,
  entryPoints: [join(root, 'src/register-commonjs.ts')],
  outfile: join(root, 'dist/register.cjs'),
  format: 'cjs',
  plugins: [indexAsSibling('cjs')],
});

// Declarations: tsc emits the SDK's and core's; the SDK's point at core's copy by relative path.
const tsc = require.resolve('typescript/bin/tsc');
execFileSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
const sdkTypes = join(root, 'dist/types/sdk/node/src');
const coreIndex = join(root, 'dist/types/sdk/core/src/index.js');
for (const file of await listFiles(sdkTypes)) {
  if (!file.endsWith('.d.ts')) continue;
  const text = await readFile(file, 'utf8');
  let relativeCore = relative(dirname(file), coreIndex).split('\\').join('/');
  if (!relativeCore.startsWith('.')) relativeCore = `./${relativeCore}`;
  await writeFile(file, text.replaceAll("'@costscope/core'", `'${relativeCore}'`));
}

async function listFiles(dir) {
  const entries = await readdir(dir, { withFileTypes: true });
  const files = await Promise.all(
    entries.map((entry) => (entry.isDirectory() ? listFiles(join(dir, entry.name)) : [join(dir, entry.name)])),
  );
  return files.flat();
}
