// Quality benchmark: media through the link emulator at round trips of 50/200/400 ms and loss
// of 0/5/20 % on the viewer's link (both directions): join to first frame, video freeze
// ratio, audio concealment; then the layer chosen at several bandwidth caps.
import { UdpRelay, perfectLink } from '@liveport/link-emulator';
import { startTestNode } from '../test/support/node.ts';
import { Bot, until } from '../test/support/bot.ts';
import { percentile } from './join.ts';

const RTTS = [50, 200, 400];
const LOSSES = [0, 5, 20];
/** `QUALITY_ROWS=200:5,400:20` measures only those rows (for a quick A/B) */
const ONLY = process.env.QUALITY_ROWS?.split(',').map((r) => r.trim());
const JOINS = Number(process.env.QUALITY_JOINS ?? 6);
const WATCH_MS = 5000;
const CAPS_KBPS = [150, 400, 1000, 0];
const PORTS = { portMin: 42000, portMax: 42039 };

/** Chrome's definition: a frame gap longer than max(3 x mean gap, mean + 150 ms) is a freeze. */
export function freezeRatio(frameTimes: number[], from: number, to: number): number {
  const times = frameTimes.filter((t) => t >= from && t <= to);
  if (times.length < 2) return 1;
  const gaps = times.slice(1).map((t, i) => t - times[i]!);
  const mean = gaps.reduce((a, b) => a + b, 0) / gaps.length;
  const limit = Math.max(3 * mean, mean + 150);
  let frozen = 0;
  for (const g of gaps) if (g > limit) frozen += g;
  frozen += Math.max(0, times[0]! - from - limit) + Math.max(0, to - times[times.length - 1]! - limit);
  return frozen / (to - from);
}

/** The viewer's audio counters so far: samples played, and how many of them were concealment. */
async function audioSamples(bot: Bot): Promise<{ concealed: number; total: number }> {
  const pc = (bot.room as unknown as { subscriber: RTCPeerConnection }).subscriber;
  let concealed = 0;
  let total = 0;
  (await pc.getStats()).forEach((s) => {
    if (s.type === 'inbound-rtp' && s.kind === 'audio') {
      concealed += s.concealedSamples ?? 0;
      total += s.totalSamplesReceived ?? 0;
    }
  });
  return { concealed, total };
}

export async function run() {
  const relay = await UdpRelay.start({ listenHost: '127.0.0.2', targetHost: '127.0.0.1', ...PORTS });
  const node = await startTestNode({ rtc: { bindAddress: '127.0.0.1', announcedIp: '127.0.0.2', ...PORTS } });
  const publisher = await Bot.join(node.url, node.token('host'));
  // A plain moving gradient: noise would make the encoder drop frames to hold its bitrate,
  // and those gaps would count as network freezes.
  const [camera] = await publisher.publishSynthetic({ width: 640, height: 360, simulcast: true });
  await until(() => relay.list().length > 0, 10000, 'publisher through the relay');
  const publisherPorts = new Set(relay.list().map((f) => f.clientPort));
  const keepPublisherClean = () => {
    for (const port of publisherPorts) relay.setFlow(port, { up: perfectLink, down: perfectLink });
  };
  const figures: Record<string, number> = {};
  const rows: string[] = [];
  try {
    for (const rtt of RTTS) {
      for (const loss of LOSSES) {
        if (ONLY && !ONLY.includes(`${rtt}:${loss}`)) continue;
        const link = { delayMs: rtt / 2, jitterMs: Math.min(10, rtt / 20), loss: loss / 100 };
        relay.set({ up: link, down: link });
        keepPublisherClean();
        const firsts: number[] = [];
        const freezes: number[] = [];
        const concealed: number[] = [];
        for (let i = 0; i < JOINS; i++) {
          const t0 = performance.now();
          const viewer = await Bot.join(node.url, node.token(`v-${rtt}-${loss}-${i}`));
          try {
            await until(() => viewer.firstFrameAt !== undefined, 15000, 'first frame');
            firsts.push(viewer.firstFrameAt! - t0);
            // both judged over the same watched window, from the first frame on
            const from = performance.now();
            const before = await audioSamples(viewer);
            await new Promise((r) => setTimeout(r, WATCH_MS));
            freezes.push(freezeRatio(viewer.frameTimes, from, performance.now()));
            const after = await audioSamples(viewer);
            const played = after.total - before.total;
            concealed.push(played > 0 ? (after.concealed - before.concealed) / played : 1);
          } catch {
            firsts.push(15000);
            freezes.push(1);
          } finally {
            await viewer.leave();
          }
        }
        firsts.sort((a, b) => a - b);
        const key = `rtt${rtt}_loss${loss}`;
        const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);
        figures[`first_frame_p50_ms_${key}`] = Math.round(percentile(firsts, 50));
        figures[`first_frame_p95_ms_${key}`] = Math.round(percentile(firsts, 95));
        figures[`freeze_ratio_${key}`] = Math.round(mean(freezes) * 1000) / 1000;
        figures[`audio_concealed_ratio_${key}`] = Math.round(mean(concealed) * 1000) / 1000;
        rows.push(
          `| ${rtt} | ${loss} | ${figures[`first_frame_p50_ms_${key}`]} | ${figures[`first_frame_p95_ms_${key}`]} | ${figures[`freeze_ratio_${key}`]} | ${figures[`audio_concealed_ratio_${key}`]} |`,
        );
      }
    }
    // chosen layer against available bandwidth (no delay or loss; a cap on the viewer's downlink)
    relay.set({ up: perfectLink, down: perfectLink });
    const layerRows: string[] = [];
    const track = node.node.sfu.get('test')!.byIdentity('host')!.published.get(camera!.sid)!;
    for (const cap of CAPS_KBPS) {
      relay.set({ down: { bandwidthKbps: cap, queueMs: 150 } });
      keepPublisherClean();
      const viewer = await Bot.join(node.url, node.token(`cap-${cap}`));
      try {
        await until(() => viewer.firstFrameAt !== undefined, 15000, 'first frame under the cap');
        const from = performance.now();
        await new Promise((r) => setTimeout(r, 10000));
        const down = node.node.sfu.get('test')!.byIdentity(`cap-${cap}`)!.downTracks.get(camera!.sid)!;
        const name = cap ? `${cap}kbps` : 'uncapped';
        figures[`layer_at_${name}`] = down.current;
        const freeze = Math.round(freezeRatio(viewer.frameTimes, from, performance.now()) * 1000) / 1000;
        figures[`freeze_ratio_at_${name}`] = freeze;
        layerRows.push(
          `| ${cap || '∞'} | ${down.current} | ${track.layers.map((l) => Math.round(l.bitrate / 1000)).join(' / ')} | ${Math.round(down.bitrate / 1000)} | ${freeze} | ${down.layers.probesPassed} / ${down.layers.probesFailed} |`,
        );
      } finally {
        await viewer.leave();
      }
    }
    relay.set({ down: { bandwidthKbps: 0 } });
    const table = [
      'quality: viewer link through the emulator (delay = rtt/2 each way, loss each way), publisher 640x360 simulcast (2 layers) + Opus on a clean link',
      `${JOINS} joins per row, ${WATCH_MS / 1000} s watched each`,
      '| rtt ms | loss % | first frame p50 ms | first frame p95 ms | freeze ratio | audio concealed |',
      '| ---: | ---: | ---: | ---: | ---: | ---: |',
      ...rows,
      '',
      'layer chosen 10 s after the first frame against a downlink cap (layer 0 = 320x180, 1 = 640x360); freeze ratio over those 10 s',
      '| cap kbit/s | layer sent | layers received kbit/s | sent to viewer kbit/s | freeze ratio | padding probes passed / failed |',
      '| ---: | ---: | --- | ---: | ---: | ---: |',
      ...layerRows,
    ].join('\n');
    return { figures, table };
  } finally {
    await publisher.leave();
    await node.stop();
    relay.close();
  }
}
