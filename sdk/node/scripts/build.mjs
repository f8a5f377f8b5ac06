// Builds the published package: ESM + CommonJS bundles in dist/, with @costscope/core bundled in
// (core ships TypeScript source and is not published), and declarations in dist/types.
import { spawnSync } from 'node:child_process';
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

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  external,
  sourcemap: true,
  logLevel: 'warning',
  // guards/input-tokens.ts reads `import.meta.url` only where `__filename` is missing (ESM).
  logOverride: { 'empty-import-meta': 'silent' },
  define: { __COSTSCOPE_SDK_VERSION__: JSON.stringify(pkg.version) },
};
for (const [format, extension] of [
  ['esm', 'mjs'],
  ['cjs', 'cjs'],
]) {
  await build({
    ...common,
    entryPoints: [join(root, 'src/index.ts')],
    outfile: join(root, `dist/index.${extension}`),
    format,
    define: { ...common.define, __COSTSCOPE_MODULE_FORMAT__: JSON.stringify(format) },
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
const declarations = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { encoding: 'utf8' });
if (declarations.status !== 0) {
  // Core is checked by its own project; only the SDK's own type errors stop this build.
  process.stdout.write(declarations.stdout);
  if (declarations.stdout.includes('sdk/node/') || declarations.stdout.includes('error TS5')) process.exit(1);
  console.warn('build: type errors outside sdk/node (above); declarations emitted anyway');
}
const sdkTypes = join(root, 'dist/types/sdk/node/src');
// Point at the core module that declares the names, not core's index: the index would pull in
// core's zod schemas, whose types an SDK user does not have.
const coreModuleOf = { CostscopeError: 'errors.js', TokenUsage: 'pricing/token-usage.js' };
for (const file of await listFiles(sdkTypes)) {
  if (!file.endsWith('.d.ts')) continue;
  const text = await readFile(file, 'utf8');
  const rewritten = text.replace(/\{([^}]*)\}\s+from\s+'@costscope\/core'/g, (statement, names) => {
    const modules = new Set(names.split(',').map((name) => coreModuleOf[name.trim().replace(/^type\s+/, '')] ?? 'index.js'));
    const module = modules.size === 1 ? [...modules][0] : 'index.js';
    let path = relative(dirname(file), join(root, 'dist/types/sdk/core/src', module)).split('\\').join('/');
    if (!path.startsWith('.')) path = `./${path}`;
    return `{${names}} from '${path}'`;
  });
  await writeFile(file, rewritten.replaceAll("'@costscope/core'", `'${relative(dirname(file), join(root, 'dist/types/sdk/core/src/index.js'))}'`));
}

// CommonJS consumers (TypeScript `module: node16`) need CommonJS declarations: `.d.cts` twins
// whose relative imports point at `.cjs`, for the SDK's and core's files alike.
for (const file of await listFiles(join(root, 'dist/types'))) {
  if (!file.endsWith('.d.ts')) continue;
  const text = await readFile(file, 'utf8');
  await writeFile(file.replace(/\.d\.ts$/, '.d.cts'), text.replace(/(from\s+'\.{1,2}\/[^']*)\.js'/g, "$1.cjs'"));
}

async function listFiles(dir) {
  const entries = await readdir(dir, { withFileTypes: true });
  const files = await Promise.all(
    entries.map((entry) => (entry.isDirectory() ? listFiles(join(dir, entry.name)) : [join(dir, entry.name)])),
  );
  return files.flat();
}
