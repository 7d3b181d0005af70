import { createSocket, type Socket } from 'node:dgram';
import { LinkShaper, type LinkStats } from './LinkShaper.ts';
import type { LinkConditions } from './LinkConditions.ts';

export interface RelayOptions {
  /** address clients send to: the one the node announces (e.g. 127.0.0.2) */
  listenHost: string;
  /** where the node's media sockets are (e.g. 127.0.0.1) */
  targetHost: string;
  /** the node's UDP port range; the relay listens on the same ports at listenHost */
  portMin: number;
  portMax: number;
  /** client → node */
  up?: Partial<LinkConditions>;
  /** node → client */
  down?: Partial<LinkConditions>;
}

/** One client's path through the relay: its address, its upstream socket, a shaper each way. */
export interface Flow {
  clientAddress: string;
  clientPort: number;
  nodePort: number;
  up: LinkShaper;
  down: LinkShaper;
}

const MAX_FLOWS = 512;
const MAX_PORTS = 2048;

/**
 * A user-space network emulator between clients and a node (this machine has no netem): it
 * listens on the node's ports at another address, forwards each client's datagrams to the
 * node through its own socket, and shapes each direction of each client's flow. With the node
 * announcing the relay's address (and running ICE-lite), every client's media goes through it.
 */
export class UdpRelay {
  private readonly listeners = new Map<number, Socket>();
  private readonly flows = new Map<string, Flow & { upstream: Socket }>();
  private defaults: { up: Partial<LinkConditions>; down: Partial<LinkConditions> };
  private closed = false;

  private constructor(private readonly options: RelayOptions) {
    this.defaults = { up: options.up ?? {}, down: options.down ?? {} };
  }

  static async start(options: RelayOptions): Promise<UdpRelay> {
    const count = options.portMax - options.portMin + 1;
    if (!(count > 0 && count <= MAX_PORTS))
      throw new RangeError(`port range must hold 1..${MAX_PORTS} ports`);
    const relay = new UdpRelay(options);
    try {
      for (let port = options.portMin; port <= options.portMax; port++) await relay.listen(port);
    } catch (err) {
      relay.close();
      throw err;
    }
    return relay;
  }

  private listen(port: number): Promise<void> {
    const socket = createSocket('udp4');
    socket.on('message', (msg, rinfo) => this.fromClient(port, msg, rinfo.address, rinfo.port));
    socket.on('error', () => undefined);
    this.listeners.set(port, socket);
    return new Promise((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(port, this.options.listenHost, () => {
        socket.off('error', reject);
        resolve();
      });
    });
  }

  private fromClient(nodePort: number, msg: Buffer, address: string, port: number): void {
    if (this.closed) return;
    const key = `${address}:${port}>${nodePort}`;
    let flow = this.flows.get(key);
    if (!flow) {
      if (this.flows.size >= MAX_FLOWS) return;
      const listener = this.listeners.get(nodePort)!;
      const upstream = createSocket('udp4');
      upstream.on('error', () => undefined);
      upstream.bind(0, this.options.targetHost);
      const down = new LinkShaper(this.defaults.down, (packet) => listener.send(packet, port, address));
      const up = new LinkShaper(this.defaults.up, (packet) =>
        upstream.send(packet, nodePort, this.options.targetHost),
      );
      upstream.on('message', (reply) => down.push(reply));
      flow = { clientAddress: address, clientPort: port, nodePort, up, down, upstream };
      this.flows.set(key, flow);
    }
    flow.up.push(msg);
  }

  /** Change the conditions of every flow, and of flows yet to come. */
  set(conditions: { up?: Partial<LinkConditions>; down?: Partial<LinkConditions> }): void {
    if (conditions.up) this.defaults.up = { ...this.defaults.up, ...conditions.up };
    if (conditions.down) this.defaults.down = { ...this.defaults.down, ...conditions.down };
    for (const flow of this.flows.values()) {
      if (conditions.up) flow.up.set(conditions.up);
      if (conditions.down) flow.down.set(conditions.down);
    }
  }

  /** Change the conditions of the flows from one client port (e.g. one subscriber's connection). */
  setFlow(
    clientPort: number,
    conditions: { up?: Partial<LinkConditions>; down?: Partial<LinkConditions> },
  ): number {
    let changed = 0;
    for (const flow of this.flows.values()) {
      if (flow.clientPort !== clientPort) continue;
      if (conditions.up) flow.up.set(conditions.up);
      if (conditions.down) flow.down.set(conditions.down);
      changed++;
    }
    return changed;
  }

  list(): (Omit<Flow, 'up' | 'down'> & { up: LinkStats; down: LinkStats })[] {
    return [...this.flows.values()].map((f) => ({
      clientAddress: f.clientAddress,
      clientPort: f.clientPort,
      nodePort: f.nodePort,
      up: { ...f.up.stats },
      down: { ...f.down.stats },
    }));
  }

  close(): void {
    this.closed = true;
    for (const flow of this.flows.values()) {
      flow.up.close();
      flow.down.close();
      flow.upstream.close();
    }
    this.flows.clear();
    for (const socket of this.listeners.values()) socket.close();
    this.listeners.clear();
  }
}
