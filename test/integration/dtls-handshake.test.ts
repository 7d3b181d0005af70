import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { StunProtocol } from 'werift';
import { UdpRelay, perfectLink } from '@liveport/link-emulator';
import { retransmitTimeouts } from '../../packages/media/src/DtlsFlights.ts';
import { candidatesFor, declareIceLite } from '../../packages/media/src/PeerTransport.ts';
import { startTestNode, type TestNode } from '../support/node.ts';
import { Bot, until } from '../support/bot.ts';
import { launchChromium } from '../support/browser.ts';

const PORT_MIN = 41040;
const PORT_MAX = 41059;
const RTT = 200;

/** What the node's media sockets receive and send, seen at werift's UDP layer. */
interface Datagram {
  at: number;
  port: number;
  out: boolean;
  /** STUN: 'stun-request' | 'stun-response' | 'stun-error'; DTLS: one entry per record */
  kinds: string[];
}
const HANDSHAKE_NAMES: Record<number, string> = {
  1: 'ClientHello',
  2: 'ServerHello',
  3: 'HelloVerifyRequest',
  16: 'ClientKeyExchange',
};
/** a ClientHello's cookie length: after its version, random and session id */
function cookieLength(data: Buffer, record: number): number {
  const body = record + 13 + 12;
  const sessionIdLength = data[body + 2 + 32] ?? 0;
  return data[body + 2 + 32 + 1 + sessionIdLength] ?? 0;
}
function describeDatagram(data: Buffer): string[] {
  const first = data[0]!;
  if (first < 2 && data.length >= 20) {
    const cls = data.readUInt16BE(0) & 0x0110;
    return [cls === 0 ? 'stun-request' : cls === 0x0100 ? 'stun-response' : 'stun-error'];
  }
  // RTCP's packet types (200-207, 192-223 with the marker bit's place) tell it from RTP
  if (first < 20 || first > 63) return [(data[1] ?? 0) >= 192 && (data[1] ?? 0) <= 223 ? 'rtcp' : 'media'];
  const kinds: string[] = [];
  for (let at = 0; at + 13 <= data.length; at += 13 + data.readUInt16BE(at + 11)) {
    const type = data[at]!;
    const epoch = data.readUInt16BE(at + 3);
    if (type === 22 && epoch === 0) {
      const msg = data[at + 13]!;
      // a fragment after the first holds no header fields of the message
      const rest = data.readUIntBE(at + 13 + 6, 3) > 0 ? '-fragment' : '';
      const cookie = msg === 1 && !rest && cookieLength(data, at) > 0 ? '+cookie' : '';
      kinds.push(
        `${HANDSHAKE_NAMES[msg] ?? `handshake${msg}`}${cookie}${rest}#${data.readUInt16BE(at + 13 + 4)}`,
      );
    } else kinds.push(type === 20 ? 'ChangeCipherSpec' : type === 22 ? 'Finished' : `record${type}`);
  }
  return kinds;
}
const wire: Datagram[] = [];
/** datagrams the node never received (a lost ClientHello), with when they came */
const dropped: Datagram[] = [];
/** drop the next datagram that arrives with a ClientHello without a cookie, as a lossy link would */
let loseNextHello = false;
/**
 * Watch the node's sockets, outside its own admission check (installed once the node has made a
 * connection), so that a datagram dropped here never reached the node.
 */
function tapWire(): void {
  const proto = StunProtocol.prototype as unknown as {
    datagramReceived(data: Buffer, addr: unknown): void;
    sendData(data: Buffer, addr: unknown): Promise<void>;
    sendStun(message: { bytes: Buffer }, addr: unknown): Promise<void>;
  };
  type Socket = { transport?: { address?: { port: number } } };
  const note = (self: Socket, data: Buffer, out: boolean) =>
    wire.push({
      at: performance.now(),
      port: self.transport?.address?.port ?? 0,
      out,
      kinds: describeDatagram(data),
    });
  const received = proto.datagramReceived;
  proto.datagramReceived = function (this: Socket, data, addr) {
    const kinds = describeDatagram(data);
    if (loseNextHello && kinds.some((k) => k.startsWith('ClientHello#'))) {
      loseNextHello = false;
      dropped.push({ at: performance.now(), port: this.transport?.address?.port ?? 0, out: false, kinds });
      return;
    }
    note(this, data, false);
    received.call(this, data, addr);
  };
  const sendData = proto.sendData;
  proto.sendData = function (this: Socket, data, addr) {
    note(this, data, true);
    return sendData.call(this, data, addr);
  };
  const sendStun = proto.sendStun;
  proto.sendStun = function (this: Socket, message, addr) {
    note(this, message.bytes, true);
    return sendStun.call(this, message, addr);
  };
}

/** The handshake the node ran since `from` on the socket where the client sent its ClientHello. */
function handshakeSince(from: number, nodePorts: number[]) {
  const recent = wire.filter((d) => d.at >= from && nodePorts.includes(d.port));
  const has = (d: Datagram, kind: string) => d.kinds.some((k) => k.startsWith(kind));
  const hello = recent.find((d) => !d.out && has(d, 'ClientHello'));
  assert.ok(hello, 'a ClientHello reached the node');
  const socket = recent.filter((d) => d.port === hello.port);
  const finished = socket.find((d) => d.out && has(d, 'ChangeCipherSpec'));
  return {
    hellosReceived: socket.filter((d) => !d.out && has(d, 'ClientHello')).length,
    verifyRequestsSent: socket.filter((d) => d.out && has(d, 'HelloVerifyRequest')).length,
    serverHellos: socket.filter((d) => d.out && has(d, 'ServerHello')).flatMap((d) => d.kinds),
    /** first ClientHello in → the node's last flight out: the handshake as the node sees it */
    ms: finished ? finished.at - hello.at : Infinity,
    roleConflicts: recent.filter((d) => d.out && d.kinds[0] === 'stun-error').length,
  };
}

describe('the DTLS handshake between the node and its clients', { timeout: 180_000 }, () => {
  let node: TestNode;
  let relay: UdpRelay;
  let publisher: Bot;
  let publisherPorts: Set<number>;
  const linkOf = (loss: number) => ({ delayMs: RTT / 2, jitterMs: 0, loss });
  /** the node's ports that a client new since the publisher reaches it on */
  const newcomerPorts = () =>
    relay
      .list()
      .filter((f) => !publisherPorts.has(f.clientPort))
      .map((f) => f.nodePort);
  const viewerLink = (loss: number) => {
    relay.set({ up: linkOf(loss), down: linkOf(loss) });
    for (const port of publisherPorts) relay.setFlow(port, { up: perfectLink, down: perfectLink });
  };

  before(async () => {
    relay = await UdpRelay.start({
      listenHost: '127.0.0.2',
      targetHost: '127.0.0.1',
      portMin: PORT_MIN,
      portMax: PORT_MAX,
    });
    node = await startTestNode({
      rtc: { bindAddress: '127.0.0.1', announcedIp: '127.0.0.2', portMin: PORT_MIN, portMax: PORT_MAX },
    });
    publisher = await Bot.join(node.url, node.token('host'));
    tapWire();
    await publisher.publishSynthetic();
    // both of its connections up (the one it publishes on, the one it would receive on), so
    // that what follows on the wire is the viewers'
    const track = () => node.node.sfu.get('test')?.byIdentity('host')?.published.values().next().value;
    await until(
      () => publisher.room.connectionState === 'connected' && (track()?.layers[0]?.bitrate ?? 0) > 0,
      10000,
      'the publisher reaches the node through the relay',
    );
    publisherPorts = new Set(relay.list().map((f) => f.clientPort));
  });
  after(async () => {
    await publisher?.leave();
    await node?.stop();
    relay?.close();
  });

  /**
   * Chromium joins the room through the relay and decodes a frame; then it is closed. Resolves
   * with when (performance.now of this process) the page first counted a decoded frame.
   */
  async function chromiumDecodes(name: string): Promise<number> {
    const browser = await launchChromium();
    try {
      const page = await (await browser.newContext({ permissions: ['camera', 'microphone'] })).newPage();
      await page.goto(`${node.url}/call?name=${name}&room=test`);
      await page.click('#joinButton');
      // the page watches its own decoder closely; wall-clock time, shared with this process
      // (a string: the test's compiler would wrap named functions in a helper the page lacks)
      const decodedAt = await page.evaluate<number>(`new Promise((resolve, reject) => {
        const started = Date.now();
        const look = async () => {
          const room = window.liveportRoom;
          const decoded = room ? (await room.getStats()).videoFramesDecoded : 0;
          if (decoded > 0) return resolve(performance.timeOrigin + performance.now());
          if (Date.now() - started > 15000) return reject(new Error('Chromium decodes no frame'));
          setTimeout(look, 5);
        };
        look();
      })`);
      // its Finished is on its way when the picture is: let it arrive before the page goes
      await page.waitForTimeout(2 * RTT);
      return decodedAt - performance.timeOrigin;
    } finally {
      await browser.close();
    }
  }

  /** A wrtc viewer joins and decodes a frame; resolves with the milliseconds that took. */
  async function wrtcDecodes(identity: string, stayMs = 0): Promise<number> {
    const from = performance.now();
    const viewer = await Bot.join(node.url, node.token(identity));
    try {
      await until(() => viewer.firstFrameAt !== undefined, 10000, 'the viewer decodes a frame');
      await new Promise((r) => setTimeout(r, stayMs));
      return viewer.firstFrameAt! - from;
    } finally {
      await viewer.leave();
    }
  }

  it('tells clients at session level that it is ICE-lite, so their checks are never refused for their role', async () => {
    viewerLink(0);
    const from = performance.now();
    await wrtcDecodes('lite-viewer');
    const ports = newcomerPorts();
    const refused = wire.filter(
      (d) => d.at >= from && ports.includes(d.port) && d.out && d.kinds[0] === 'stun-error',
    );
    assert.equal(refused.length, 0, 'no 487 Role Conflict answers');
  });

  describe('led by the node (it offers a=setup:active)', () => {
    /**
     * What the node's handshake as client looked like on the wire since `from`, on the
     * connection the client receives on (a browser publishing too has a second one, the one
     * RTP comes in on).
     */
    function ledSince(from: number) {
      const ports = newcomerPorts();
      const recent = wire.filter((d) => d.at >= from && ports.includes(d.port));
      const publishing = new Set(recent.filter((d) => !d.out && d.kinds[0] === 'media').map((d) => d.port));
      const viewerPort = recent.find(
        (d) => !publishing.has(d.port) && d.out && d.kinds.some((k) => k.startsWith('ClientHello')),
      )?.port;
      const socket = recent.filter((d) => d.port === viewerPort);
      const has = (d: Datagram, kind: string) => d.kinds.some((k) => k.startsWith(kind));
      const check = socket.find((d) => !d.out && has(d, 'stun-request'));
      const hello = socket.find((d) => d.out && has(d, 'ClientHello'));
      const serverFlight = socket.find((d) => !d.out && has(d, 'ServerHello'));
      const flight5 = socket.find((d) => d.out && has(d, 'ClientKeyExchange'));
      const finished = hello && socket.find((d) => d.at > hello.at && !d.out && has(d, 'ChangeCipherSpec'));
      assert.ok(
        check && hello && serverFlight && flight5 && finished,
        'on the viewer’s connection: a check, the hello, the client’s flight, flight 5 and the client’s Finished',
      );
      return {
        checkAt: check.at,
        /** the first check in to the node's ClientHello out */
        helloAfterCheck: hello.at - check.at,
        verifyRequests: socket.filter((d) => has(d, 'HelloVerifyRequest')).length,
        /** how much longer than the round trip the client took to answer the hello */
        clientLate: Math.max(0, serverFlight.at - hello.at - RTT),
        /** the client's flight in to the node's flight 5 out */
        flight5AfterServer: flight5.at - serverFlight.at,
        /** when the client's Finished, the end of the handshake, reached the node */
        finishedAt: finished.at,
      };
    }

    /**
     * The client joins and decodes (`join` resolves with when); on the wire, the node's hello
     * left with the answer to the first check, its flight 5 right after the client's flight,
     * the media right behind it, and so the picture was there about two round trips after the
     * check, plus whatever the client took beyond a round trip to answer the hello (Chromium's
     * network thread, on two cores shared with the node and the publisher, can sit on the
     * hello for up to a few hundred milliseconds; it answers the node's own check as late).
     */
    async function assertLed(client: string, join: () => Promise<number>): Promise<void> {
      viewerLink(0);
      const from = performance.now();
      // (the client stays a while: its Finished is on its way when the picture is)
      const decodedAt = await join();
      const led = ledSince(from);
      const picture = decodedAt - led.checkAt;
      console.log(
        `${client}: picture ${Math.round(picture)} ms after the first check at rtt ${RTT} ms ` +
          `(the client answered the hello ${Math.round(led.clientLate)} ms later than a round trip, ` +
          `its Finished at ${Math.round(led.finishedAt - led.checkAt)} ms); ClientHello ${Math.round(led.helloAfterCheck)} ms ` +
          `after the check, flight 5 ${Math.round(led.flight5AfterServer)} ms after the client's flight,`,
      );
      assert.ok(led.helloAfterCheck < 30, 'the ClientHello leaves with the answer to the first check');
      assert.equal(led.verifyRequests, 0, 'no cookie round trip');
      assert.ok(led.flight5AfterServer < 50, 'flight 5 leaves as soon as the client’s flight is in');
      // Two and a half round trips at most: check, hello, server flight, then flight 5 with the
      // picture behind it. Had the browser dropped that media, the picture would wait another
      // round trip for a keyframe; led by the browser the handshake itself ends at 2.5.
      assert.ok(
        picture - led.clientLate < 2.5 * RTT,
        `the picture ${Math.round(picture)} ms after the first check, ${Math.round(led.clientLate)} ms of it the client's`,
      );
    }

    it('with a wrtc client: its ClientHello leaves with the first check’s answer, the picture right behind its flight 5', async () => {
      await assertLed('wrtc', async () => {
        const from = performance.now();
        return from + (await wrtcDecodes('wrtc-led', 2 * RTT));
      });
    });

    it('with Chromium the same way', async () => {
      await assertLed('chromium', () => chromiumDecodes('ChromeLed'));
    });

    it('starts at the first check on a long link, without waiting for the client to nominate the pair', async () => {
      // at 400 ms a client with regular nomination (libwebrtc) nominates about a second after
      // its first check
      const long = { delayMs: 200, jitterMs: 0, loss: 0 };
      relay.set({ up: long, down: long });
      for (const port of publisherPorts) relay.setFlow(port, { up: perfectLink, down: perfectLink });
      const from = performance.now();
      const firstFrame = await wrtcDecodes('far-led', 2 * 400);
      const led = ledSince(from);
      console.log(`rtt 400 ms: first frame ${Math.round(firstFrame)} ms`);
      assert.ok(
        led.helloAfterCheck < 30,
        `hello ${Math.round(led.helloAfterCheck)} ms after the first check`,
      );
      assert.ok(firstFrame < 2.75 * 400, `first frame ${Math.round(firstFrame)} ms after the join`);
    });

    it('still gets every viewer a picture when a fifth of the packets are lost each way', async () => {
      viewerLink(0.2);
      const times: number[] = [];
      for (let i = 0; i < 3; i++) times.push(Math.round(await wrtcDecodes(`lossy-led-${i}`)));
      console.log(`first frame at rtt ${RTT} ms / 20 % loss: ${times.join(', ')} ms`);
    });
  });

  describe('led by the client (LIVEPORT_DTLS_LEAD=off, or a client that offers a=setup:active)', () => {
    before(() => {
      process.env.LIVEPORT_DTLS_LEAD = 'off';
    });
    after(() => {
      delete process.env.LIVEPORT_DTLS_LEAD;
    });

    it('answers a wrtc client’s first ClientHello with its ServerHello: no HelloVerifyRequest round trip', async () => {
      viewerLink(0);
      const from = performance.now();
      await wrtcDecodes('wrtc-viewer');
      const handshake = handshakeSince(from, newcomerPorts());
      console.log(`wrtc: ClientHello to the node's Finished ${Math.round(handshake.ms)} ms at rtt ${RTT} ms`);
      assert.equal(handshake.verifyRequestsSent, 0);
      assert.equal(handshake.hellosReceived, 1, 'the client sent its hello once');
      // numbered from 0: the ServerHello answers the first ClientHello
      assert.equal(handshake.serverHellos[0], 'ServerHello#0');
      // With a HelloVerifyRequest the node could not finish before two round trips of the link
      // (hello → verify request → hello again → flight 4 → flight 5); now it takes one.
      assert.ok(handshake.ms < 2 * RTT, `${Math.round(handshake.ms)} ms from ClientHello to Finished`);
    });

    it('completes the same handshake with Chromium', async () => {
      viewerLink(0);
      const from = performance.now();
      await chromiumDecodes('Chrome');
      const handshake = handshakeSince(from, newcomerPorts());
      console.log(
        `chromium: ClientHello to the node's Finished ${Math.round(handshake.ms)} ms at rtt ${RTT} ms`,
      );
      assert.equal(handshake.verifyRequestsSent, 0);
      assert.equal(handshake.serverHellos[0], 'ServerHello#0');
      assert.ok(handshake.ms < 2 * RTT, `${Math.round(handshake.ms)} ms from ClientHello to Finished`);
    });

    /**
     * The client's first ClientHello lost on the way: the node asks for it again with a
     * HelloVerifyRequest once it is overdue, and the client's answer (its hello with the cookie)
     * comes well before the client's own timer would have sent the hello again (two round trips).
     */
    async function assertLostHelloAskedAgain(join: () => Promise<unknown>, client: string): Promise<void> {
      viewerLink(0);
      const from = performance.now();
      dropped.length = 0;
      loseNextHello = true;
      await join();
      const lost = dropped[0];
      assert.ok(lost, 'the first ClientHello was lost');
      const socket = wire.filter((d) => d.at >= from && d.port === lost.port);
      const request = socket.find((d) => d.out && d.kinds.some((k) => k.startsWith('HelloVerifyRequest')));
      assert.ok(request, 'the node sent a HelloVerifyRequest');
      const answer = socket.find((d) => !d.out && d.kinds.some((k) => k.startsWith('ClientHello+cookie')));
      assert.ok(answer, 'the client answered it with its hello and the cookie');
      const serverHello = socket.find((d) => d.out && d.kinds.some((k) => k.startsWith('ServerHello')));
      // numbered after the request, as RFC 6347 4.2.2 asks
      assert.ok(
        serverHello?.kinds.includes('ServerHello#1'),
        `the ServerHello follows: ${serverHello?.kinds}`,
      );
      const after = Math.round(answer.at - lost.at);
      console.log(
        `${client}: hello lost, asked for again, answered ${after} ms after the loss at rtt ${RTT} ms`,
      );
      assert.ok(after < 2 * RTT, `the hello came back ${after} ms after it was lost`);
    }

    it('asks a wrtc client at once for a ClientHello that was lost, instead of waiting for its timer', async () => {
      await assertLostHelloAskedAgain(() => wrtcDecodes('wrtc-lost-hello'), 'wrtc');
    });

    it('asks Chromium the same way', async () => {
      await assertLostHelloAskedAgain(() => chromiumDecodes('ChromeLost'), 'chromium');
    });

    it('answers the ClientHello at once on a long link, before the client has nominated the pair', async () => {
      // at 400 ms a client with regular nomination (libwebrtc) nominates about a second after
      // its hello; the node takes the pair the hello came on as chosen
      const long = { delayMs: 200, jitterMs: 0, loss: 0 };
      relay.set({ up: long, down: long });
      for (const port of publisherPorts) relay.setFlow(port, { up: perfectLink, down: perfectLink });
      const from = performance.now();
      const viewer = await Bot.join(node.url, node.token('far-viewer'));
      try {
        await until(() => viewer.firstFrameAt !== undefined, 10000, 'the viewer decodes a frame');
        const ports = newcomerPorts();
        const socket = wire.filter((d) => d.at >= from && ports.includes(d.port));
        const hello = socket.find((d) => !d.out && d.kinds.some((k) => k.startsWith('ClientHello')));
        const serverHello = socket.find((d) => d.out && d.kinds.some((k) => k.startsWith('ServerHello')));
        assert.ok(hello && serverHello, 'hello and answer on the wire');
        const waited = serverHello.at - hello.at;
        console.log(
          `rtt 400 ms: ServerHello ${Math.round(waited)} ms after the ClientHello, first frame ${Math.round(viewer.firstFrameAt! - from)} ms`,
        );
        assert.ok(waited < 50, `the node answered ${Math.round(waited)} ms after the hello`);
      } finally {
        await viewer.leave();
      }
    });
  });
});

describe('how the node repeats a lost flight', () => {
  it('waits just over a round trip first (1.1 x + 20 ms), then doubles up to 3 s', () => {
    const next = retransmitTimeouts(200);
    assert.deepEqual([next(), next(), next(), next(), next(), next()], [240, 480, 960, 1920, 3000, 3000]);
  });
  it('waits at least 100 ms and at first at most 1 s; 500 ms when the round trip is unknown', () => {
    assert.equal(retransmitTimeouts(2)(), 100);
    assert.equal(retransmitTimeouts(5000)(), 1000);
    assert.equal(retransmitTimeouts(undefined)(), 500);
  });
});

describe('the candidates the node tells its clients of', () => {
  const sdp = (candidates: string[]) =>
    [
      'v=0',
      't=0 0',
      'm=audio 9 UDP/TLS/RTP/SAVPF 111',
      ...candidates.map((c) => `a=candidate:${c}`),
      '',
    ].join('\r\n');
  it('are one per address a client can reach: the bind address, once announced', () => {
    const gathered = sdp([
      'a1 1 udp 2130706431 127.0.0.1 41000 typ host',
      'b2 1 udp 2130706431 10.0.0.5 41001 typ host',
    ]);
    assert.equal(
      candidatesFor(gathered, { bindAddress: '127.0.0.1', announcedIp: '203.0.113.7' }),
      sdp(['a1 1 udp 2130706431 203.0.113.7 41000 typ host']),
    );
    assert.equal(
      candidatesFor(gathered, { bindAddress: '127.0.0.1' }),
      sdp(['a1 1 udp 2130706431 127.0.0.1 41000 typ host']),
    );
  });
  it('keep every interface when bound to all of them, and collapse them only when announced as one', () => {
    const gathered = sdp([
      'a1 1 udp 2130706431 127.0.0.1 41000 typ host',
      'b2 1 udp 2130706431 10.0.0.5 41001 typ host',
    ]);
    assert.equal(candidatesFor(gathered, {}), gathered);
    assert.equal(
      candidatesFor(gathered, { announcedIp: '203.0.113.7' }),
      sdp(['a1 1 udp 2130706431 203.0.113.7 41000 typ host']),
    );
  });
});

describe('the ICE-lite declaration in the SDP the node sends', () => {
  it('moves a=ice-lite from the media sections to the session', () => {
    const sdp = [
      'v=0',
      'o=- 1 0 IN IP4 0.0.0.0',
      's=-',
      't=0 0',
      'a=group:BUNDLE 0',
      'm=video 9 UDP/TLS/RTP/SAVPF 96',
      'a=ice-ufrag:x',
      'a=ice-lite',
      'm=application 9 UDP/DTLS/SCTP webrtc-datachannel',
      'a=ice-lite',
      '',
    ].join('\r\n');
    assert.equal(
      declareIceLite(sdp),
      [
        'v=0',
        'o=- 1 0 IN IP4 0.0.0.0',
        's=-',
        't=0 0',
        'a=group:BUNDLE 0',
        'a=ice-lite',
        'm=video 9 UDP/TLS/RTP/SAVPF 96',
        'a=ice-ufrag:x',
        'm=application 9 UDP/DTLS/SCTP webrtc-datachannel',
        '',
      ].join('\r\n'),
    );
    const plain = 'v=0\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n';
    assert.equal(declareIceLite(plain), plain, 'an SDP without ice-lite is left alone');
  });
});
