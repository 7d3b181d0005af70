// One fan-out session, run inside the bench's network namespace (see fanout.ts): for each
// SFU in turn, one publisher and a growing number of subscribers, the SFU's CPU and what the
// subscribers received measured over a steady window at every step.
import { execSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Room } from '@liveport/sdk';
import { ReceiverFarm, type ReceiverStats } from './farm.ts';
import { JanusServer, JanusSession, type JanusHandle } from './janus.ts';
import { LiveportProcess, LiveportViewer } from './liveport.ts';
import {
  SyntheticMedia,
  loopbackOnly,
  publishToJanus,
  publishToLiveport,
  TOP_RID,
  WIDTH,
} from './publisher.ts';

export type SfuName = 'liveport' | 'janus';

export interface SessionOptions {
  sfus: SfuName[];
  steps: number[];
  settleMs: number;
  windowMs: number;
  /** stop stepping an SFU after this long, whatever N it reached */
  budgetMs: number;
  lossLimit: number;
  /** address Janus gathers its candidates on (a non-loopback-flagged device in the namespace) */
  janusAddress: string;
  cpuProfileDir?: string;
}

export interface Step {
  subscribers: number;
  /** subscribers whose last keyframe was the 720p layer */
  at720p: number;
  windowSec: number;
  sfuCpuSec: number;
  forwardedMbit: number;
  /** sequence gaps / expected, over all subscribers' streams in the window */
  loss: number;
  worstLoss: number;
  /**
   * packets received by all subscribers / (N x packets the publisher sent on the 720p layer
   * and the audio): a stream that stops shows here, not in the gaps
   */
  delivered: number;
  /** what the publisher sent on its 720p layer, Mbit/s */
  publisher720pMbps: number;
  /** the encoder's quality limitation on that layer at the end of the window */
  publisherLimitation: string;
  /** share of those packets the SFU says it received (Liveport only): loss on the way in */
  ingress?: number;
  receiversCpuSec: number;
  publisherCpuSec: number;
  /** the whole machine's busy CPU seconds in the window, kernel included */
  machineCpuSec: number;
  /** seconds the publisher needed after the joins to send its 720p layer at full rate again */
  recoverySec: number;
  /** 2 when the first window failed and this is the second */
  attempts: number;
  /** the window on the monotonic clock V8's profiler stamps its samples with, µs */
  windowFromUs: number;
  windowToUs: number;
  error?: string;
}

export interface SfuResult {
  name: SfuName;
  steps: Step[];
}

/**
 * Below this share of what the publisher sent, a step fails even without sequence gaps: a
 * stream that stalls (publisher throttled, layer paused) leaves none. Not 1: the publisher's
 * and the subscribers' counters are read a few milliseconds apart.
 */
const MIN_DELIVERED = 0.97;
/**
 * A loaded SFU answers late or loses what the publisher sends, and the publisher's bandwidth
 * estimate then gives up its top layer: a step holds only while the publisher keeps this
 * share of the 720p rate it had with one subscriber.
 */
const PUBLISHER_KEPT = 0.8;

/** Why a measured step does not count as held, if it does not. */
function stepFailure(step: Step, nominal720p: number, lossLimit: number): string | undefined {
  if (step.loss >= lossLimit) return `${(step.loss * 100).toFixed(2)} % of the packets lost`;
  if (step.at720p < step.subscribers)
    return `${step.subscribers - step.at720p} subscribers fell below 720p in the window`;
  if (step.publisher720pMbps < PUBLISHER_KEPT * nominal720p)
    return `the publisher's 720p layer fell to ${step.publisher720pMbps.toFixed(2)} Mbit/s (limited by ${step.publisherLimitation || 'nothing it reports'})`;
  if (step.delivered < MIN_DELIVERED)
    return `subscribers got ${(step.delivered * 100).toFixed(1)} % of the packets the publisher sent`;
  return undefined;
}

/**
 * Joins cost the SFU a burst of work (ICE, DTLS) and the publisher's estimate may back off
 * meanwhile; the steady state is measured once it sends its 720p layer at `minMbps` again.
 * Returns the seconds waited, or undefined after the timeout.
 */
async function publisherRecovered(sfu: Sfu, minMbps: number, timeoutMs: number): Promise<number | undefined> {
  const started = performance.now();
  let last = await publisher720pBytes(sfu);
  let lastAt = performance.now();
  while (performance.now() - started < timeoutMs) {
    await sleep(1000);
    const bytes = await publisher720pBytes(sfu);
    const now = performance.now();
    const mbps = ((bytes - last) * 8) / 1e6 / ((now - lastAt) / 1000);
    if (mbps >= minMbps) return Math.round((now - started) / 100) / 10 - 1;
    last = bytes;
    lastAt = now;
  }
  return undefined;
}

async function publisher720pBytes(sfu: Sfu): Promise<number> {
  let bytes = 0;
  (await sfu.publisher.getStats()).forEach((r: OutboundRtp) => {
    if (r.type === 'outbound-rtp' && r.rid === TOP_RID) bytes += r.bytesSent ?? 0;
  });
  return bytes;
}

const CLK_TCK = Number(execSync('getconf CLK_TCK').toString().trim()) || 100;

/** Busy CPU seconds of the whole machine (every process, the kernel, soft interrupts). */
export function machineCpuSec(): number {
  const fields = readFileSync('/proc/stat', 'utf8')
    .split('\n', 1)[0]!
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number);
  const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
  return (fields.reduce((a, b) => a + b, 0) - idle) / CLK_TCK;
}

/** utime + stime of a process (all its threads), in seconds. */
export function processCpuSec(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
}

interface Sfu {
  readonly pid: number;
  addSubscriber(id: string): Promise<void>;
  /** subscribers still below 720p after a while: ask the SFU for the top layer again */
  nudge(ids: string[]): Promise<void>;
  /** the publisher's own connection, for what it sent */
  readonly publisher: RTCPeerConnection;
  /** packets the SFU received on the 720p layer and the audio, where it says (Liveport does) */
  received?(): Promise<number>;
  stop(): Promise<void>;
}

async function startLiveport(
  farm: ReceiverFarm,
  media: SyntheticMedia,
  options: SessionOptions,
): Promise<Sfu> {
  const node = await LiveportProcess.start({
    port: 17880,
    rtcPortMin: 41000,
    rtcPortMax: 41999,
    cpuProfileDir: options.cpuProfileDir,
  });
  let room: Room | undefined;
  const viewers: LiveportViewer[] = [];
  try {
    room = await publishToLiveport(
      node.url,
      node.token('host', { publish: ['camera', 'microphone'] }),
      media,
    );
  } catch (err) {
    await node.stop();
    throw err;
  }
  const publisher = (room as unknown as { publisher: RTCPeerConnection }).publisher;
  return {
    pid: node.pid,
    publisher,
    async addSubscriber(id) {
      viewers.push(await LiveportViewer.join(node.url, node.token(id), id, farm));
    },
    // the node climbs to the top layer by itself once the link has shown it can take it
    nudge: async () => undefined,
    received: () => node.receivedFrom('host'),
    async stop() {
      for (const v of viewers) v.leave();
      await room?.leave();
      await node.stop();
    },
  };
}

async function startJanus(farm: ReceiverFarm, media: SyntheticMedia, options: SessionOptions): Promise<Sfu> {
  const janus = await JanusServer.start({
    httpPort: 18088,
    rtpPortMin: 31000,
    rtpPortMax: 31999,
    iceAddress: options.janusAddress,
  });
  let session: JanusSession | undefined;
  let pc: RTCPeerConnection | undefined;
  try {
    session = await JanusSession.create(janus.url);
    const publisher = await session.attach('janus.plugin.videoroom');
    const room = 1234;
    await publisher.request({
      request: 'create',
      room,
      publishers: 1,
      videocodec: 'vp8',
      audiocodec: 'opus',
      // Janus caps its publishers with REMB at this rate; Liveport's cap is its own
      // estimate. Both well above the three layers' 2.35 Mbit/s.
      bitrate: 4_000_000,
    });
    const published = await publishToJanus(publisher, room, media);
    pc = published.pc;
    const handles = new Map<string, JanusHandle>();
    const s = session;
    return {
      pid: janus.pid,
      publisher: published.pc,
      async addSubscriber(id) {
        const handle = await s.attach('janus.plugin.videoroom');
        handles.set(id, handle);
        const joined = await handle.send({
          request: 'join',
          ptype: 'subscriber',
          room,
          streams: [{ feed: published.feed }],
        });
        if (!joined.jsep) throw new Error('janus: subscriber join without an offer');
        const answer = await farm.answer(id, joined.jsep.sdp);
        await handle.send({ request: 'start' }, { type: 'answer', sdp: loopbackOnly(answer) });
      },
      // A subscriber that joined while the top layer was paused starts on a lower one, and
      // VideoRoom moves it up only on a keyframe of the top layer, which the publisher sends
      // only when asked. A browser would not notice (its picture is fine); ask once for it.
      async nudge(ids) {
        for (const id of ids)
          await handles.get(id)?.send({ request: 'configure', streams: [{ mid: '0', substream: 2 }] });
        await publisher.send({ request: 'configure', keyframe: true });
      },
      async stop() {
        pc?.close();
        await s.destroy();
        await janus.stop();
      },
    };
  } catch (err) {
    pc?.close();
    await session?.destroy();
    await janus.stop();
    throw err;
  }
}

interface Snapshot {
  at: number;
  machineCpu: number;
  monotonicUs: number;
  sfuCpu: number;
  receivers: Record<string, ReceiverStats>;
  receiversCpu: number;
  selfCpu: number;
  /** the publisher's packets on the 720p layer and the audio, first transmissions only */
  published: number;
  /** what the SFU says it received of those */
  received?: number;
  /** why the publisher's encoder holds the top layer back, if it does (bandwidth, cpu) */
  limitation: string;
  published720pBytes: number;
}

interface OutboundRtp {
  type: string;
  kind?: string;
  rid?: string;
  qualityLimitationReason?: string;
  packetsSent?: number;
  retransmittedPacketsSent?: number;
  bytesSent?: number;
}

async function snapshot(sfu: Sfu, farm: ReceiverFarm): Promise<Snapshot> {
  const [stats, report, received] = await Promise.all([
    farm.stats(),
    sfu.publisher.getStats(),
    sfu.received?.(),
  ]);
  const self = process.cpuUsage();
  let published = 0;
  let published720pBytes = 0;
  let limitation = '';
  report.forEach((r: OutboundRtp) => {
    if (r.type !== 'outbound-rtp') return;
    const sent = (r.packetsSent ?? 0) - (r.retransmittedPacketsSent ?? 0);
    if (r.kind === 'audio') published += sent;
    else if (r.rid === TOP_RID) {
      published += sent;
      published720pBytes += r.bytesSent ?? 0;
      limitation = r.qualityLimitationReason ?? '';
    }
  });
  return {
    at: performance.now(),
    monotonicUs: Number(process.hrtime.bigint() / 1000n),
    machineCpu: machineCpuSec(),
    sfuCpu: processCpuSec(sfu.pid),
    receivers: stats.receivers,
    receiversCpu: stats.cpuMicros / 1e6,
    selfCpu: (self.user + self.system) / 1e6,
    published,
    published720pBytes,
    limitation,
    received,
  };
}

function measure(a: Snapshot, b: Snapshot, subscribers: number): Omit<Step, 'recoverySec' | 'attempts'> {
  let bytes = 0;
  let received = 0;
  let expected = 0;
  let worstLoss = 0;
  let at720p = 0;
  for (const [id, end] of Object.entries(b.receivers)) {
    const start = a.receivers[id];
    if (!start) continue;
    const got = end.packets - start.packets;
    const want = end.expected - start.expected;
    bytes += end.bytes - start.bytes;
    received += got;
    expected += want;
    worstLoss = Math.max(worstLoss, want > 0 ? Math.max(0, 1 - got / want) : 1);
    if (end.width === WIDTH) at720p++;
  }
  const published = b.published - a.published;
  const windowSec = (b.at - a.at) / 1000;
  return {
    subscribers,
    at720p,
    windowSec,
    windowFromUs: a.monotonicUs,
    windowToUs: b.monotonicUs,
    delivered: published > 0 ? received / (subscribers * published) : 0,
    ...(a.received !== undefined &&
      b.received !== undefined &&
      published > 0 && { ingress: (b.received - a.received) / published }),
    publisher720pMbps: ((b.published720pBytes - a.published720pBytes) * 8) / 1e6 / windowSec,
    publisherLimitation: b.limitation,
    sfuCpuSec: b.sfuCpu - a.sfuCpu,
    forwardedMbit: (bytes * 8) / 1e6,
    loss: expected > 0 ? Math.max(0, 1 - received / expected) : 1,
    worstLoss,
    receiversCpuSec: b.receiversCpu - a.receiversCpu,
    publisherCpuSec: b.selfCpu - a.selfCpu,
    machineCpuSec: b.machineCpu - a.machineCpu,
  };
}

/**
 * Wait until every subscriber gets the 720p layer (Liveport climbs to it after a try); else
 * say what the others are doing.
 */
async function allAt720p(
  sfu: Sfu,
  farm: ReceiverFarm,
  count: number,
  timeoutMs: number,
): Promise<string | undefined> {
  const started = performance.now();
  let nudged = false;
  for (;;) {
    const { receivers } = await farm.stats();
    const late = Object.entries(receivers).filter(([, r]) => r.width !== WIDTH || r.packets === 0);
    if (Object.keys(receivers).length - late.length >= count) return undefined;
    if (!nudged && performance.now() - started > timeoutMs / 3) {
      nudged = true;
      await sfu.nudge(late.map(([id]) => id));
    }
    if (performance.now() - started > timeoutMs) {
      const what = late.map(([id, r]) => `${id} ${r.state} ${r.packets} pkts ${r.width}x${r.height}`);
      return `not at 720p: ${what.join('; ')}`;
    }
    await sleep(250);
  }
}

async function runSfu(name: SfuName, options: SessionOptions): Promise<SfuResult> {
  const farm = new ReceiverFarm(name === 'janus' ? options.janusAddress : '127.0.0.1');
  const media = new SyntheticMedia();
  const steps: Step[] = [];
  let sfu: Sfu | undefined;
  const started = performance.now();
  try {
    sfu =
      name === 'liveport'
        ? await startLiveport(farm, media, options)
        : await startJanus(farm, media, options);
    // the publisher's encoder and bandwidth estimate ramp up before the first step
    await sleep(4000);
    let count = 0;
    /** the publisher's 720p rate with one subscriber: what every later step must keep */
    let nominal720p = 0;
    for (const n of options.steps) {
      let joinError: string | undefined;
      try {
        while (count < n) {
          const batch = Math.min(4, n - count);
          await Promise.all(
            Array.from({ length: batch }, (_, i) => sfu!.addSubscriber(`${name}-${count + i}`)),
          );
          count += batch;
        }
      } catch (err) {
        joinError = (err as Error).message;
      }
      // The machine is shared (other processes, the publisher's estimate dipping after the
      // joins): a step that fails is measured once more before it ends the run.
      let step: Step | undefined;
      for (let attempt = 1; attempt <= (joinError ? 1 : 2); attempt++) {
        let error = joinError ?? (await allAt720p(sfu, farm, n, 15000));
        let recoverySec = 0;
        if (!error && nominal720p) {
          const waited = await publisherRecovered(sfu, PUBLISHER_KEPT * nominal720p, 20000);
          if (waited === undefined) error = 'the publisher did not get back to its 720p rate within 20 s';
          else recoverySec = waited;
        }
        await sleep(options.settleMs);
        const a = await snapshot(sfu, farm);
        await sleep(options.windowMs);
        const b = await snapshot(sfu, farm);
        step = { ...measure(a, b, count), recoverySec, attempts: attempt };
        nominal720p ||= step.publisher720pMbps;
        error ??= stepFailure(step, nominal720p, options.lossLimit);
        if (error) step.error = error;
        console.error(
          `fanout ${name} N=${count}: cpu ${(step.sfuCpuSec / step.windowSec).toFixed(2)} cores, ` +
            `${(step.forwardedMbit / step.windowSec).toFixed(1)} Mbit/s, loss ${(step.loss * 100).toFixed(2)} %, ` +
            `720p ${step.at720p}/${count}${error ? `, ${error}` : ''}`,
        );
        if (!error) break;
      }
      steps.push(step!);
      if (step!.error) break;
      if (performance.now() - started > options.budgetMs) break;
    }
  } finally {
    await sfu?.stop().catch(() => undefined);
    media.stop();
    await farm.closeAll();
    farm.stop();
  }
  return { name, steps };
}

// Entry: `node --import tsx session.ts OPTIONS_JSON RESULT_FILE`, started by fanout.ts.
const [optionsJson, resultFile] = process.argv.slice(2);
if (optionsJson && resultFile) {
  const options = JSON.parse(optionsJson) as SessionOptions;
  const results: SfuResult[] = [];
  for (const name of options.sfus) results.push(await runSfu(name, options));
  writeFileSync(resultFile, JSON.stringify(results));
  process.exit(0);
}
