// Fan-out benchmark: one publisher (720p simulcast + Opus), N subscribers that all receive the
// 720p layer and the audio, N stepped up until a step fails (1 % of packets lost, a stream that
// stalls, a subscriber off 720p, the publisher's 720p layer given up). The same
// load runs against Liveport and against Janus (Debian's, VideoRoom plugin, HTTP API) in the
// same run; each SFU's CPU seconds per forwarded megabit and subscribers per core, and the ratio.
//
// Everything runs in a network namespace the bench makes and removes: Janus never gathers on a
// device flagged loopback, so the namespace gets a veth with 127.0.0.2 as its only address
// (in the loopback range, so nothing can leave the machine), and Liveport runs there too so
// both SFUs see the same kernel path.
//
// `npm run bench -- fanout-profile` runs only Liveport, at FANOUT_PROFILE_N subscribers (16),
// under `node --cpu-prof` and lists where its time goes in the measurement window.
// FANOUT_STEPS=1,8,32 replaces the steps (quick looks; the figures are for the default steps).
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureJanus } from './fanout/janus.ts';
import { summarizeProfile } from './fanout/profile.ts';
import type { SessionOptions, SfuResult, Step } from './fanout/session.ts';

const STEPS = process.env.FANOUT_STEPS
  ? process.env.FANOUT_STEPS.split(',').map(Number)
  : [1, 2, 4, 8, 16, 24, 32, 48, 64, 96, 128, 160, 192];
const LOSS_LIMIT = 0.01;
const JANUS_ADDRESS = '127.0.0.2';

function ip(...args: string[]): void {
  execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'inherit'] });
}

/** A namespace with lo and one veth end holding a loopback-range address. */
function makeNamespace(name: string): void {
  if (!existsSync('/usr/sbin/ip') && !existsSync('/sbin/ip') && !existsSync('/usr/bin/ip')) {
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'iproute2'], {
      stdio: 'inherit',
      env,
    });
  }
  ip('netns', 'add', name);
  const inNs = (...args: string[]) => ip('netns', 'exec', name, 'ip', ...args);
  inNs('link', 'set', 'lo', 'up');
  inNs('link', 'add', 'fan0', 'type', 'veth', 'peer', 'name', 'fan1');
  inNs('addr', 'add', `${JANUS_ADDRESS}/32`, 'dev', 'fan0');
  inNs('link', 'set', 'fan0', 'up');
  inNs('link', 'set', 'fan1', 'up');
  // no IPv6 link-local candidates on the veth
  execFileSync('ip', ['netns', 'exec', name, 'sysctl', '-qw', 'net.ipv6.conf.all.disable_ipv6=1']);
}

function removeNamespace(name: string): void {
  try {
    // anything of ours still running in it (a session that crashed leaves its children)
    const pids = execFileSync('ip', ['netns', 'pids', name]).toString().split(/\s+/).filter(Boolean);
    for (const pid of pids) process.kill(Number(pid), 'SIGKILL');
  } catch {
    // already gone
  }
  try {
    ip('netns', 'del', name);
  } catch {
    // already gone
  }
}

export async function runSession(options: SessionOptions): Promise<SfuResult[]> {
  const namespace = `liveport-fanout-${process.pid}`;
  const dir = mkdtempSync(join(tmpdir(), 'liveport-fanout-result-'));
  const resultFile = join(dir, 'result.json');
  makeNamespace(namespace);
  try {
    const session = fileURLToPath(new URL('./fanout/session.ts', import.meta.url));
    const child = spawn(
      'ip',
      [
        'netns',
        'exec',
        namespace,
        process.execPath,
        '--import',
        'tsx',
        session,
        JSON.stringify(options),
        resultFile,
      ],
      { stdio: ['ignore', 'inherit', 'inherit'] },
    );
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    if (code !== 0 || !existsSync(resultFile)) throw new Error(`fan-out session failed (exit ${code})`);
    return JSON.parse(readFileSync(resultFile, 'utf8')) as SfuResult[];
  } finally {
    removeNamespace(namespace);
    rmSync(dir, { recursive: true, force: true });
  }
}

const held = (s: Step) => s.loss < LOSS_LIMIT && !s.error;
const cores = (s: Step) => s.sfuCpuSec / s.windowSec;
const cpuPerMbit = (s: Step) => (s.forwardedMbit > 0 ? s.sfuCpuSec / s.forwardedMbit : Infinity);
const round = (x: number, digits: number) => Number(x.toFixed(digits));

/**
 * CPU seconds each extra forwarded megabit costs: the least-squares slope of CPU against
 * megabits over the steps held, which leaves out the fixed cost of receiving the publisher.
 */
function marginalCpuPerMbit(steps: Step[]): number {
  const points = steps.filter(held).map((s) => [s.forwardedMbit / s.windowSec, cores(s)] as const);
  if (points.length < 2) return 0;
  const mx = points.reduce((a, [x]) => a + x, 0) / points.length;
  const my = points.reduce((a, [, y]) => a + y, 0) / points.length;
  const sxy = points.reduce((a, [x, y]) => a + (x - mx) * (y - my), 0);
  const sxx = points.reduce((a, [x]) => a + (x - mx) ** 2, 0);
  return sxx > 0 ? sxy / sxx : 0;
}

function stepRow(name: string, s: Step): string {
  return (
    `| ${name} | ${s.subscribers} | ${s.at720p} | ${cores(s).toFixed(2)} | ` +
    `${(s.forwardedMbit / s.windowSec).toFixed(1)} | ${(cpuPerMbit(s) * 1000).toFixed(2)} | ` +
    `${(s.loss * 100).toFixed(2)} | ${(s.worstLoss * 100).toFixed(1)} | ${(s.delivered * 100).toFixed(1)} | ` +
    `${s.ingress === undefined ? '-' : (s.ingress * 100).toFixed(1)} | ` +
    `${s.publisher720pMbps.toFixed(2)} | ${s.recoverySec.toFixed(1)} | ` +
    `${(s.receiversCpuSec / s.windowSec).toFixed(2)} | ${(s.publisherCpuSec / s.windowSec).toFixed(2)} | ` +
    `${(s.machineCpuSec / s.windowSec).toFixed(2)} |` +
    (s.attempts > 1 ? ` second window` : '') +
    (s.error ? `${s.attempts > 1 ? ';' : ''} ${s.error}` : '')
  );
}

export async function run() {
  ensureJanus();
  const options: SessionOptions = {
    sfus: ['liveport', 'janus'],
    steps: STEPS,
    settleMs: 3000,
    windowMs: 8000,
    budgetMs: 240_000,
    lossLimit: LOSS_LIMIT,
    janusAddress: JANUS_ADDRESS,
  };
  const [liveport, janus] = await runSession(options);
  if (!liveport || !janus) throw new Error('fan-out session returned no results');
  const best = (r: SfuResult) => [...r.steps].reverse().find(held);
  const lpBest = best(liveport);
  const jBest = best(janus);
  // CPU per megabit compared at the same load: the largest N both held under 1 % loss
  const common = Math.min(lpBest?.subscribers ?? 0, jBest?.subscribers ?? 0);
  const at = (r: SfuResult) => r.steps.find((s) => s.subscribers === common);
  const lpCommon = at(liveport);
  const jCommon = at(janus);
  const figures: Record<string, number> = {
    cpu_per_mbit_ratio_vs_janus:
      lpCommon && jCommon ? round(cpuPerMbit(lpCommon) / cpuPerMbit(jCommon), 2) : 0,
    liveport_cpu_per_mbit: lpCommon ? round(cpuPerMbit(lpCommon), 5) : 0,
    janus_cpu_per_mbit: jCommon ? round(cpuPerMbit(jCommon), 5) : 0,
    compared_at_subscribers: common,
    subscribers_per_core: lpBest ? round(lpBest.subscribers / cores(lpBest), 1) : 0,
    janus_subscribers_per_core: jBest ? round(jBest.subscribers / cores(jBest), 1) : 0,
    liveport_marginal_cpu_per_mbit: round(marginalCpuPerMbit(liveport.steps), 5),
    janus_marginal_cpu_per_mbit: round(marginalCpuPerMbit(janus.steps), 5),
    marginal_cpu_per_mbit_ratio_vs_janus: 0,
    liveport_max_subscribers: lpBest?.subscribers ?? 0,
    janus_max_subscribers: jBest?.subscribers ?? 0,
    janus_reached_step_limit: jBest?.subscribers === STEPS[STEPS.length - 1] ? 1 : 0,
    liveport_reached_step_limit: lpBest?.subscribers === STEPS[STEPS.length - 1] ? 1 : 0,
  };
  if (figures.janus_marginal_cpu_per_mbit)
    figures.marginal_cpu_per_mbit_ratio_vs_janus = round(
      figures.liveport_marginal_cpu_per_mbit! / figures.janus_marginal_cpu_per_mbit,
      2,
    );
  const table = [
    'fanout: one @roamhq/wrtc publisher (1280x720 VP8 simulcast 320/640/1280 + Opus), N node-datachannel',
    `subscribers counting RTP (no decoding), each receiving the 720p layer + audio; loopback in a network`,
    `namespace on ${availableParallelism()} cores; ${options.windowMs / 1000} s window per step after ${options.settleMs / 1000} s settling; steps stop at the first that fails.`,
    'SFU cores = CPU seconds of the SFU process (all threads, /proc) per wall second; machine busy = every process and the kernel.',
    'Everything shares the machine: where "machine busy" nears the core count the limit found is the machine as much as',
    'the SFU, which is why subscribers per core divides by the cores the SFU itself used.',
    '',
    'loss = sequence gaps / expected at the subscribers; delivered = packets received / (N x packets the publisher',
    'sent on its 720p layer + audio); SFU received = the share of those the node says arrived (Liveport only: below',
    '100 % the loss is on the way in). A step holds with loss < 1 %, delivered ≥ 97 %, every subscriber on 720p and the',
    "publisher's 720p layer at ≥ 80 % of its rate at N=1. Joins are a burst of work that can make the publisher's",
    'estimate back off: the window starts once its 720p layer is back at that rate (publisher recovery s, at most 20 s).',
    'The machine is shared, so a step that fails is measured a second time before it ends the run.',
    '',
    '| sfu | N | at 720p | SFU cores | forwarded Mbit/s | CPU ms per Mbit | loss % | worst subscriber loss % | delivered % | SFU received % | publisher 720p Mbit/s | publisher recovery s | receivers cores | publisher + driver cores | machine busy cores |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...liveport.steps.map((s) => stepRow('Liveport', s)),
    ...janus.steps.map((s) => stepRow('Janus', s)),
    '',
    '| figure | Liveport | Janus |',
    '| --- | ---: | ---: |',
    `| CPU ms per forwarded Mbit at N=${common} (both < 1 % loss) | ${(figures.liveport_cpu_per_mbit! * 1000).toFixed(2)} | ${(figures.janus_cpu_per_mbit! * 1000).toFixed(2)} |`,
    `| most subscribers held with < 1 % loss | ${figures.liveport_max_subscribers}${figures.liveport_reached_step_limit ? '+' : ''} | ${figures.janus_max_subscribers}${figures.janus_reached_step_limit ? '+' : ''} |`,
    `| SFU cores used there | ${lpBest ? cores(lpBest).toFixed(2) : '-'} | ${jBest ? cores(jBest).toFixed(2) : '-'} |`,
    `| subscribers per core (held N / cores used at N) | ${figures.subscribers_per_core} | ${figures.janus_subscribers_per_core} |`,
    `| marginal CPU ms per Mbit (slope over held steps) | ${(figures.liveport_marginal_cpu_per_mbit! * 1000).toFixed(2)} | ${(figures.janus_marginal_cpu_per_mbit! * 1000).toFixed(2)} |`,
    '',
    `Liveport CPU per forwarded Mbit = ${figures.cpu_per_mbit_ratio_vs_janus}x Janus (target ≤ 1.5x)` +
      `; per extra Mbit ${figures.marginal_cpu_per_mbit_ratio_vs_janus}x` +
      (figures.janus_reached_step_limit
        ? `; Janus held every step up to ${STEPS[STEPS.length - 1]} (its limit is higher)`
        : ''),
  ].join('\n');
  return { figures, table };
}

/** Liveport alone at a fixed N under the V8 profiler; the table is the top self-time functions. */
export async function runProfile(subscribers = Number(process.env.FANOUT_PROFILE_N ?? 16)) {
  const dir = mkdtempSync(join(tmpdir(), 'liveport-fanout-prof-'));
  try {
    const [result] = await runSession({
      sfus: ['liveport'],
      steps: [subscribers],
      settleMs: 2000,
      windowMs: 20000,
      budgetMs: 120_000,
      lossLimit: LOSS_LIMIT,
      janusAddress: JANUS_ADDRESS,
      cpuProfileDir: dir,
    });
    const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
    if (!file) throw new Error('the node wrote no CPU profile');
    const step = result!.steps[0]!;
    const summary = summarizeProfile(
      readFileSync(join(dir, file), 'utf8'),
      25,
      step.windowFromUs,
      step.windowToUs,
    );
    const table = [
      `fanout profile: Liveport at N=${subscribers}, ${cores(step).toFixed(2)} cores, ${(step.forwardedMbit / step.windowSec).toFixed(1)} Mbit/s forwarded, loss ${(step.loss * 100).toFixed(2)} %`,
      'self time in the measurement window only (V8 sampling profiler, main thread)',
      summary,
    ].join('\n');
    return {
      figures: { profiled_subscribers: subscribers, profiled_cpu_per_mbit: round(cpuPerMbit(step), 5) },
      table,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
