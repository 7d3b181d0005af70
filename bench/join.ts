// Join benchmark: 50 sequential joins of a wrtc subscriber into a room where a bot publishes;
// time from Room.connect() to the first decoded video frame, on loopback.
import { startTestNode } from '../test/support/node.ts';
import { Bot, until } from '../test/support/bot.ts';

const JOINS = 50;

export function percentile(sorted: number[], p: number): number {
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

export async function run() {
  const node = await startTestNode();
  const publisher = await Bot.join(node.url, node.token('publisher'));
  await publisher.publishSynthetic({ width: 640, height: 360 });
  const times: number[] = [];
  const connectTimes: number[] = [];
  try {
    for (let i = 0; i < JOINS; i++) {
      const t0 = performance.now();
      const bot = await Bot.join(node.url, node.token(`viewer-${i}`));
      connectTimes.push(performance.now() - t0);
      await until(() => bot.firstFrameAt !== undefined, 10000, `viewer ${i} first frame`);
      times.push(bot.firstFrameAt! - t0);
      await bot.leave();
    }
  } finally {
    await publisher.leave();
    await node.stop();
  }
  times.sort((a, b) => a - b);
  connectTimes.sort((a, b) => a - b);
  const figures = {
    joins: JOINS,
    join_first_frame_p50_ms: Math.round(percentile(times, 50)),
    join_first_frame_p95_ms: Math.round(percentile(times, 95)),
    join_first_frame_max_ms: Math.round(times[times.length - 1]!),
    join_signal_p50_ms: Math.round(percentile(connectTimes, 50)),
  };
  const table = [
    `join: ${JOINS} sequential wrtc subscribers, publisher 640x360@30 VP8 + Opus, loopback`,
    '| figure | ms |',
    '| --- | ---: |',
    `| connect() resolved (signaling join), p50 | ${figures.join_signal_p50_ms} |`,
    `| connect() to first decoded frame, p50 | ${figures.join_first_frame_p50_ms} |`,
    `| connect() to first decoded frame, p95 | ${figures.join_first_frame_p95_ms} |`,
    `| connect() to first decoded frame, max | ${figures.join_first_frame_max_ms} |`,
  ].join('\n');
  return { figures, table };
}
