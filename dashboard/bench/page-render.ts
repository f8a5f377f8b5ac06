/**
 * Page benchmark (a script, not a test): each dashboard page's server render time against the
 * API calls it makes, and the JavaScript a first load of it downloads.
 *
 *   cd services/server && npx tsx bench/storage-load.ts --calls 10000000 --batch 500000 \
 *       --dir /tmp/costscope-pages/clickhouse --project default --end now
 *   cd dashboard && npx tsx bench/page-render.ts --data-dir /tmp/costscope-pages [--loads 20] [--pages '/features /weekly']
 *
 * It starts the real server on that data directory and the dashboard's production build (as the
 * browser tests do), signs in once through the real form, then loads every page `--loads` times
 * in a row over HTTP (after two warm-up loads). Render time is the full HTML answer of a page load
 * (every API call it waits for included). The dashboard runs with `COSTSCOPE_DASHBOARD_API_TIMING=1`,
 * so the API calls each load made are read from its log and set beside it: the goal is a p50
 * under 300 ms and never more than 50 ms above the page's slowest API call. First-load JS is
 * every script the page's HTML names, gzipped, but for the `noModule` polyfills no supported browser
 * downloads (goal: under 250 kB). A last block says, per page, which budget is met. The
 * dashboard's CPU time per load (from /proc) is printed beside the wall clock, as the figure to
 * work against on a busy machine.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { launchChromium } from '../e2e/support/chromium.js';
import { ensureDashboardCredentials } from '../src/lib/server/credentials.js';
import { E2E_ADMIN_PASSWORD, buildDashboardForTests, freePort, startCostscopeServer, startDashboard } from '../e2e/support/stack.js';

function flag(name: string, fallback: string): string {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? (process.argv[index + 1] ?? fallback) : fallback;
}

const DATA_DIR = flag('data-dir', '');
const LOADS = Number(flag('loads', '20'));
if (!DATA_DIR) {
  console.error('--data-dir is required: a Costscope data directory holding calls of the default project (see the header).');
  process.exit(2);
}

const ALL_PAGES = [
  '/',
  '/features',
  '/features/feature-042',
  '/explore?groupBy=feature,model',
  '/models',
  '/users',
  '/alerts',
  '/weekly',
  '/calculator',
  '/settings',
];
/** `--pages '/features /weekly'`: only these (space-separated, as queries may hold commas). */
const PAGES = flag('pages', '') === '' ? ALL_PAGES : flag('pages', '').split(' ').filter((page) => page !== '');

/** Each page's budgets (docs/dashboard.md). */
const RENDER_BUDGET_MS = 300;
const ABOVE_API_BUDGET_MS = 50;
const FIRST_LOAD_JS_BUDGET_KB = 250;

/**
 * CPU time (user + system) the dashboard's processes have used so far, from /proc: its own work
 * per page load, which other work on the machine does not inflate the way it does wall-clock time.
 */
function cpuMsOfTree(pid: number): number {
  const processes = new Map<number, { parent: number; ticks: number }>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // Fields after the command name (which may hold spaces): state is field 3, ppid 4, utime 14, stime 15.
      const fields = readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ').at(-1)!.split(' ');
      processes.set(Number(entry), { parent: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) });
    } catch {
      // The process ended between the listing and the read.
    }
  }
  const inTree = (id: number): boolean => {
    for (let current: number | undefined = id; current !== undefined && current > 1; current = processes.get(current)?.parent) {
      if (current === pid) return true;
    }
    return false;
  };
  let ticks = 0;
  for (const [id, { ticks: own }] of processes) if (inTree(id)) ticks += own;
  return (ticks * 1000) / CLOCK_TICKS_PER_SECOND;
}
/** Linux's USER_HZ, the unit of /proc's CPU times (100 on every Linux build Costscope runs on). */
const CLOCK_TICKS_PER_SECOND = 100;

const quantile = (values: number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
};

// The session secret the dashboard signs with lives in the data directory, as on any first start.
await ensureDashboardCredentials({ ...process.env, COSTSCOPE_DATA_DIR: DATA_DIR, COSTSCOPE_ADMIN_PASSWORD: E2E_ADMIN_PASSWORD });
const serverPort = await freePort();
const dashboardPort = await freePort();
console.log('Building the dashboard (or reusing the build of these sources)…');
const build = await buildDashboardForTests(console.log);
const server = await startCostscopeServer({
  dataDir: DATA_DIR,
  port: serverPort,
  dashboardUrl: `http://127.0.0.1:${dashboardPort}`,
  // The alert rules would otherwise run every 10 s over the whole month, inside the timings.
  env: { COSTSCOPE_ALERTS_INTERVAL: '1h', COSTSCOPE_RETENTION_DAYS: '3650' },
});
const dashboard = await startDashboard({
  distDir: build.distDir,
  port: dashboardPort,
  serverUrl: server.url,
  dataDir: DATA_DIR,
  env: { COSTSCOPE_DASHBOARD_API_TIMING: '1' },
});
const dashboardPid = dashboard.child.process.pid!;

try {
  const browser = await launchChromium();
  const page = await browser.newPage();
  await page.goto(`${dashboard.url}/login`);
  await page.fill('#password', E2E_ADMIN_PASSWORD);
  await page.press('#password', 'Enter');
  await page.waitForURL((url) => !url.pathname.startsWith('/login'));
  const cookie = (await page.context().cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
  await browser.close();

  type ApiTiming = { method: string; route: string; ms: number };
  // Every API call the dashboard makes, in order, from its timing log on stderr.
  const apiCalls: ApiTiming[] = [];
  let partial = '';
  dashboard.child.process.stderr?.on('data', (chunk: Buffer) => {
    const lines = (partial + chunk.toString()).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      if (line.startsWith('costscope-api-timing ')) apiCalls.push(JSON.parse(line.slice('costscope-api-timing '.length)) as ApiTiming);
    }
  });

  const verdict = (met: boolean) => (met ? 'met' : 'MISSED');
  const summary: string[] = [];
  for (const pathAndQuery of PAGES) {
    const renders: number[] = [];
    const slowestApi: number[] = [];
    const overheads: number[] = [];
    const cpu: number[] = [];
    let calls: ApiTiming[] = [];
    let scriptsKb = 0;
    let scriptCount = 0;
    let htmlKb = 0;
    let flightKb = 0;
    for (let load = -2; load < LOADS; load++) {
      const before = apiCalls.length;
      const cpuBefore = cpuMsOfTree(dashboardPid);
      const started = performance.now();
      const response = await fetch(`${dashboard.url}${pathAndQuery}`, { headers: { cookie }, redirect: 'manual' });
      const html = await response.text();
      const ms = performance.now() - started;
      if (response.status !== 200) throw new Error(`${pathAndQuery} answered ${response.status}`);
      // The log line of the last call may trail the answer by a moment.
      await new Promise((resolve) => setTimeout(resolve, 20));
      const made = apiCalls.slice(before);
      if (load < 0) continue;
      cpu.push(cpuMsOfTree(dashboardPid) - cpuBefore);
      calls = made;
      const slowest = Math.max(0, ...made.map((call) => call.ms));
      renders.push(ms);
      slowestApi.push(slowest);
      overheads.push(ms - slowest);
      if (load === 0) {
        htmlKb = Buffer.byteLength(html) / 1024;
        // The RSC payload: the page's Server Component tree (and every Client Component's props)
        // sent again inside the HTML as `self.__next_f.push(...)` scripts, for React to hydrate from.
        flightKb = [...html.matchAll(/<script>self\.__next_f\.push\((.*?)\)<\/script>/gs)].reduce((sum, match) => sum + Buffer.byteLength(match[1]!), 0) / 1024;
        // `noModule` scripts (Next's polyfills, ~38 kB gzipped) are for browsers without ES modules:
        // every browser the dashboard supports skips them without downloading them.
        const scripts = [...new Set([...html.matchAll(/<script([^>]+)>/g)].filter((match) => !/\bnomodule\b/i.test(match[1]!)).map((match) => /src="([^"]+)"/.exec(match[1]!)?.[1]).filter((src) => src !== undefined))];
        let gzipped = 0;
        for (const src of scripts) {
          const body = Buffer.from(await (await fetch(`${dashboard.url}${src}`)).arrayBuffer());
          gzipped += gzipSync(body).length;
        }
        scriptsKb = gzipped / 1024;
        scriptCount = scripts.length;
      }
    }
    const routes = [...new Set(calls.map((call) => call.route.split('?')[0]))].join(', ');
    const render = quantile(renders, 0.5);
    const above = quantile(overheads, 0.5);
    console.log(
      `${pathAndQuery.padEnd(32)} render p50 ${render.toFixed(0).padStart(5)} ms  p95 ${quantile(renders, 0.95).toFixed(0).padStart(5)} ms` +
        `  slowest API call p50 ${quantile(slowestApi, 0.5).toFixed(0).padStart(5)} ms  above it p50 ${above.toFixed(0).padStart(4)} ms` +
        `  dashboard CPU p50 ${quantile(cpu, 0.5).toFixed(0).padStart(4)} ms  HTML ${htmlKb.toFixed(0)} kB (RSC payload ${flightKb.toFixed(0)} kB)  first-load JS ${scriptsKb.toFixed(0)} kB gzip (${scriptCount} scripts)` +
        `  (${calls.length} calls: ${routes})`,
    );
    summary.push(
      `  ${pathAndQuery.padEnd(32)} render < 300 ms: ${verdict(render < RENDER_BUDGET_MS).padEnd(6)}  ≤ 50 ms above the slowest API call: ${verdict(above <= ABOVE_API_BUDGET_MS).padEnd(6)}  JS < 250 kB: ${verdict(scriptsKb < FIRST_LOAD_JS_BUDGET_KB)}`,
    );
  }
  console.log('\nBudgets (p50 of the loads above; the render budget also needs the API to answer in time):');
  for (const line of summary) console.log(line);
} finally {
  await dashboard.child.stop();
  await server.child.stop();
}
