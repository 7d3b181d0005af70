import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { UdpRelay } from './UdpRelay.ts';
import { burstyLoss, type LinkConditions } from './LinkConditions.ts';

const USAGE = `liveport-linkem — emulate a cross-border link between clients and a Liveport node

  liveport-linkem --listen 127.0.0.2 --target 127.0.0.1 --ports 50000-50100
                  [--delay MS] [--jitter MS] [--loss 0.05] [--burst MEAN_PACKETS]
                  [--reorder 0.01] [--rate KBPS] [--queue MS]

Start the node with --announced-ip equal to --listen and the same port range.
The conditions apply to both directions (the one-way delay is half the round trip you want).
While it runs, type JSON lines to change them, e.g. {"down":{"bandwidthKbps":300}} or "stats".`;

export async function main(argv: string[]): Promise<number> {
  let v;
  try {
    v = parseArgs({
      args: argv,
      options: {
        listen: { type: 'string', default: '127.0.0.2' },
        target: { type: 'string', default: '127.0.0.1' },
        ports: { type: 'string', default: '50000-50100' },
        delay: { type: 'string' },
        jitter: { type: 'string' },
        loss: { type: 'string' },
        burst: { type: 'string' },
        reorder: { type: 'string' },
        rate: { type: 'string' },
        queue: { type: 'string' },
        help: { type: 'boolean' },
      },
    }).values;
  } catch (err) {
    console.error(`${(err as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (v.help) {
    console.log(USAGE);
    return 0;
  }
  const range = /^(\d+)-(\d+)$/.exec(v.ports!);
  if (!range) {
    console.error('--ports must look like 50000-50100');
    return 2;
  }
  const num = (s: string | undefined) => (s === undefined ? undefined : Number(s));
  const c: Partial<LinkConditions> = {};
  if (v.delay) c.delayMs = num(v.delay);
  if (v.jitter) c.jitterMs = num(v.jitter);
  if (v.loss) c.loss = num(v.loss);
  if (v.reorder) c.reorder = num(v.reorder);
  if (v.rate) c.bandwidthKbps = num(v.rate);
  if (v.queue) c.queueMs = num(v.queue);
  if (v.burst && c.loss) c.burst = burstyLoss(c.loss, Number(v.burst));
  let relay: UdpRelay;
  try {
    relay = await UdpRelay.start({
      listenHost: v.listen!,
      targetHost: v.target!,
      portMin: Number(range[1]),
      portMax: Number(range[2]),
      up: c,
      down: c,
    });
  } catch (err) {
    console.error(`liveport-linkem: ${(err as Error).message}`);
    return 2;
  }
  console.log(`relaying ${v.listen}:${v.ports} -> ${v.target} with ${JSON.stringify(c)}`);
  const lines = createInterface({ input: process.stdin });
  lines.on('line', (line) => {
    const text = line.trim();
    if (!text) return;
    if (text === 'stats') return console.log(JSON.stringify(relay.list(), null, 2));
    try {
      relay.set(JSON.parse(text));
      console.log('ok');
    } catch (err) {
      console.log(`error: ${(err as Error).message}`);
    }
  });
  const stop = () => {
    relay.close();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  return new Promise(() => undefined);
}
