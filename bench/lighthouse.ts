/**
 * Lighthouse (npm `lighthouse`, its default mobile preset with simulated throttling) against
 * the booking page on the bench server: performance and accessibility scores (0–100) and LCP.
 * Chromium is Debian's `/usr/bin/chromium`, launched by Lighthouse's chrome-launcher through
 * `CHROME_PATH`. When Lighthouse cannot run, the figures are `null` and `error` says why —
 * never a made-up number.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CHROME_PATH = '/usr/bin/chromium';
const CHROME_FLAGS = '--headless --no-sandbox --disable-gpu --disable-background-networking';
const cli = fileURLToPath(new URL('../node_modules/lighthouse/cli/index.js', import.meta.url));

export interface LighthouseFigures {
  performance: number | null;
  accessibility: number | null;
  lcpMs: number | null;
  lighthouseVersion: string | null;
  error?: string;
}

interface Report {
  lighthouseVersion: string;
  runtimeError?: { code: string; message: string };
  runWarnings?: string[];
  categories: Record<string, { score: number | null } | undefined>;
  audits: Record<string, { numericValue?: number } | undefined>;
}

const nothing = (error: string): LighthouseFigures => ({ performance: null, accessibility: null, lcpMs: null, lighthouseVersion: null, error });

/** @example const lh = await runLighthouse('http://127.0.0.1:8787/c/demo'); lh.performance // 0–100 or null */
export async function runLighthouse(url: string, timeoutMs = 150_000): Promise<LighthouseFigures> {
  if (!existsSync(CHROME_PATH)) return nothing(`${CHROME_PATH} is missing (bash scripts/setup.sh installs Chromium)`);
  if (!existsSync(cli)) return nothing('the lighthouse package is not installed (npm install)');
  const dir = mkdtempSync(join(tmpdir(), 'slotline-lh-'));
  const out = join(dir, 'report.json');
  try {
    const args = [
      cli,
      url,
      '--output=json',
      `--output-path=${out}`,
      '--only-categories=performance,accessibility',
      `--chrome-flags=${CHROME_FLAGS}`,
      '--no-enable-error-reporting',
      '--quiet',
    ];
    const child = spawn(process.execPath, args, {
      env: { ...process.env, CHROME_PATH },
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group, so a timeout also ends the Chromium it launched.
      detached: true,
    });
    let log = '';
    child.stdout.on('data', (d) => (log += d));
    child.stderr.on('data', (d) => (log += d));
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    }, timeoutMs);
    const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
    clearTimeout(timer);
    if (!existsSync(out)) {
      return nothing(`lighthouse exited with ${code ?? 'a timeout'} and wrote no report: ${log.trim().slice(-600) || '(no output)'}`);
    }
    const report = JSON.parse(readFileSync(out, 'utf8')) as Report;
    if (report.runtimeError) return { ...nothing(`${report.runtimeError.code}: ${report.runtimeError.message}`), lighthouseVersion: report.lighthouseVersion };
    const score = (id: string) => {
      const s = report.categories[id]?.score;
      return typeof s === 'number' ? Math.round(s * 100) : null;
    };
    const lcp = report.audits['largest-contentful-paint']?.numericValue;
    const figures: LighthouseFigures = {
      performance: score('performance'),
      accessibility: score('accessibility'),
      lcpMs: typeof lcp === 'number' ? Math.round(lcp) : null,
      lighthouseVersion: report.lighthouseVersion,
    };
    if (figures.performance === null || figures.accessibility === null || figures.lcpMs === null) {
      figures.error = `incomplete report: ${(report.runWarnings ?? []).join('; ') || 'a category or LCP has no value'}`;
    }
    return figures;
  } catch (error) {
    return nothing(`lighthouse failed: ${(error as Error).message}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
