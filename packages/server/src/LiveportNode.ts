import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { MAX_SIGNAL_BYTES } from '@liveport/protocol';
import { Sfu, defaultMediaConfig, type Participant, type PublishedTrack, type Room } from '@liveport/media';
import { DESK_PAGES, buildPages, type Pages } from '@liveport/web';
import type { NodeConfig } from './config.ts';
import { loadOrCreateKeys, type KeyRing } from './keys.ts';
import { Router, send } from './http/Router.ts';
import { roomRoutes } from './api/rooms.ts';
import { demoRoutes } from './api/demo.ts';
import { metricsRoutes } from './api/metrics.ts';
import { SignalSession } from './signaling/SignalSession.ts';
import { ChatSocket, type VoiceDoor } from './chat/ChatSocket.ts';
import { voiceRoutes } from './api/voice.ts';
import { mintToken } from './token.ts';
import { createAgent, type AgentParts } from './chat/createAgent.ts';
import type { LiveConversation } from '@liveport/agent';
import { conversationRoutes } from './api/conversations.ts';
import { storeRoutes } from './api/store.ts';
import { Webhooks, type WebhookEvent } from './webhooks.ts';
import { randomUUID } from 'node:crypto';
import { LlmTranslator } from '@liveport/desk';
import { DeskService, type DemoLogin } from './desk/DeskService.ts';
import { DeskSocket } from './desk/DeskSocket.ts';
import { deskRoutes } from './desk/deskApi.ts';
import { translationModel } from './desk/translationModel.ts';
import { VideoConsults } from './desk/VideoConsults.ts';
import { consultRoutes } from './desk/consultRoutes.ts';
import { recordingRoutes } from './desk/recordingRoutes.ts';

export interface StartedNode {
  url: string;
  port: number;
  apiKey: string;
  apiSecret: string;
  keysCreated: boolean;
  keysFile: string;
  /** the agent console and the demo staff seeded for it (empty when seeding is off) */
  desk: { url: string; demoLogins: DemoLogin[] };
}

const HEARTBEAT_MS = 5000;

/**
 * One Liveport node: HTTP (pages + REST), the signaling WebSocket at /rtc, and the SFU whose
 * media runs over UDP. Composes the packages; owns none of their rules.
 */
export class LiveportNode {
  readonly sfu: Sfu;
  readonly keys: KeyRing;
  private readonly keysInfo: { created: boolean; file: string };
  private readonly http: Server;
  private readonly wss: WebSocketServer;
  private readonly sessions = new Set<SignalSession>();
  private readonly webhooks: Webhooks;
  private heartbeat?: ReturnType<typeof setInterval>;
  private pages?: Pages;
  private readonly router: Router;
  private readonly chatWss: WebSocketServer;
  /** the customer-service agent and its store; set up by start() */
  parts?: AgentParts;
  /** the human desk: staff, routing, consoles; set up by start() */
  desk?: DeskService;
  /** video consultations between customers and clerks; set up by start() */
  consults?: VideoConsults;
  private readonly deskWss: WebSocketServer;

  constructor(readonly config: NodeConfig) {
    const loaded = loadOrCreateKeys(config.dataDir, config.keys);
    this.keys = loaded.keys;
    this.keysInfo = { created: loaded.created, file: loaded.file };
    const [apiKey, apiSecret] = [...this.keys.entries()][0]!;
    this.sfu = new Sfu(
      {
        portMin: config.rtc.portMin,
        portMax: config.rtc.portMax,
        bindAddress: config.rtc.bindAddress,
        announcedIp: config.rtc.announcedIp,
        participantTimeoutSec: config.participantTimeoutSec,
        keyframeRequestIntervalMs: defaultMediaConfig.keyframeRequestIntervalMs,
        keyframeCacheMs: config.rtc.keyframeCacheMs,
      },
      {
        emptyTimeoutSec: config.room.emptyTimeoutSec,
        maxParticipants: config.room.maxParticipants,
        metadata: '',
      },
    );
    this.webhooks = new Webhooks(config.webhooks, apiKey, apiSecret);
    this.forwardEventsToWebhooks();

    const router = (this.router = new Router());
    router.add('GET', '/healthz', () => ({ json: { ok: true, rooms: this.sfu.list().length } }));
    router.add('GET', '/favicon.ico', () => ({ status: 204 }));
    roomRoutes(router, this.sfu, this.keys);
    metricsRoutes(router, this.sfu, this.keys, () => this.parts?.agent);
    voiceRoutes(router, this.sfu, () => this.parts?.agent, this.keys);
    if (config.demo) demoRoutes(router, { apiKey, apiSecret });
    this.http = createServer((req, res) => {
      void (async () => {
        if (await router.handle(req, res)) return;
        const page = this.pages?.get(new URL(req.url ?? '/', 'http://x').pathname);
        if (page && (req.method === 'GET' || req.method === 'HEAD')) {
          return send(res, {
            text: page.body,
            contentType: page.contentType,
            headers: { 'cache-control': 'no-cache' },
          });
        }
        send(res, { status: 404, json: { error: { code: 'NOT_FOUND', message: `nothing at ${req.url}` } } });
      })();
    });
    this.wss = new WebSocketServer({ noServer: true, maxPayload: MAX_SIGNAL_BYTES });
    this.chatWss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
    this.deskWss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
    this.http.on('upgrade', (req, socket, head) => {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      if (path === '/chat' && this.parts) {
        const agent = this.parts.agent;
        this.chatWss.handleUpgrade(req, socket, head, (ws) => {
          new ChatSocket(ws, agent, req.socket.remoteAddress ?? 'unknown', this.voiceDoor(), this.consults);
        });
        return;
      }
      if (path === '/desk' && this.desk) {
        const desk = this.desk;
        this.deskWss.handleUpgrade(req, socket, head, (ws) => new DeskSocket(ws, desk));
        return;
      }
      if (path !== '/rtc') {
        socket.end('HTTP/1.1 404 Not Found\r\n\r\n');
        return;
      }
      this.wss.handleUpgrade(req, socket, head, (ws) => {
        const session = new SignalSession(ws, this.sfu, this.keys, () => this.parts?.agent);
        this.sessions.add(session);
        ws.on('close', () => this.sessions.delete(session));
      });
    });
  }

  /** A chat's way into a call with the voice agent: a room of its own, a token to join it. */
  private voiceDoor(): VoiceDoor {
    const roomOf = (c: LiveConversation) => `voice-${c.id}`;
    const [apiKey, apiSecret] = [...this.keys.entries()][0]!;
    return {
      start: (conversation) => {
        const agent = this.parts!.agent;
        const name = roomOf(conversation);
        const room = this.sfu.get(name) ?? this.sfu.create(name, { maxParticipants: 3, emptyTimeoutSec: 60 });
        agent.startVoice(room, conversation);
        const identity = `customer-${conversation.id.slice(0, 8)}`;
        const token = mintToken({
          apiKey,
          apiSecret,
          identity,
          name: 'Customer',
          ttlSec: 3600,
          grants: { room: name, join: true, subscribe: true, publish: ['microphone'], publishData: false },
        });
        return { room: name, token, identity };
      },
      stop: (conversation) => {
        const name = roomOf(conversation);
        this.parts?.agent.stopVoice(name);
        if (this.sfu.get(name)) this.sfu.delete(name);
      },
      watch: (conversation, listener) =>
        this.parts?.agent.voices.get(roomOf(conversation))?.onEvent(listener),
    };
  }

  async start(): Promise<StartedNode> {
    // The staff's console is part of the product, not of the demo.
    this.pages = await buildPages(this.config.demo ? undefined : DESK_PAGES);
    this.parts = await createAgent(this.config);
    conversationRoutes(this.router, this.parts.agent, this.keys);
    storeRoutes(this.router, this.parts.store, this.parts.agent, this.config.agent.storeName);
    const provider = this.parts.agent.provider;
    this.desk = await DeskService.open({
      agent: this.parts.agent,
      dataDir: this.config.dataDir,
      config: { ...this.config.desk, seedDemoStaff: this.config.desk.seedDemoStaff ?? this.config.demo },
      ...(this.config.desk.translate &&
        provider &&
        !provider.limited && { translator: new LlmTranslator(translationModel(provider)) }),
    });
    deskRoutes(this.router, this.desk, this.keys);
    {
      const [apiKey, apiSecret] = [...this.keys.entries()][0]!;
      this.consults = new VideoConsults({
        desk: this.desk,
        sfu: this.sfu,
        agent: this.parts.agent,
        apiKey,
        apiSecret,
        dataDir: this.config.dataDir,
        ringMs: this.config.desk.videoRingSec * 1000,
      });
      consultRoutes(this.router, this.consults.callbacks, this.keys);
      recordingRoutes(this.router, {
        conversations: this.parts.agent.conversations,
        staff: this.desk.staff,
        keys: this.keys,
      });
    }
    await new Promise<void>((resolve, reject) => {
      this.http.once('error', reject);
      this.http.listen(this.config.port, this.config.host, () => resolve());
    });
    this.heartbeat = setInterval(() => this.sessions.forEach((s) => s.heartbeat()), HEARTBEAT_MS);
    this.heartbeat.unref();
    const port = (this.http.address() as AddressInfo).port;
    const host = this.config.host === '0.0.0.0' || this.config.host === '::' ? 'localhost' : this.config.host;
    const [apiKey, apiSecret] = [...this.keys.entries()][0]!;
    return {
      url: `http://${host}:${port}`,
      port,
      apiKey,
      apiSecret,
      keysCreated: this.keysInfo.created,
      keysFile: this.keysInfo.file,
      desk: { url: `http://${host}:${port}/desk`, demoLogins: this.desk.demoLogins },
    };
  }

  async stop(): Promise<void> {
    clearInterval(this.heartbeat);
    this.sfu.close();
    for (const client of this.wss.clients) client.close(1001, 'server shutting down');
    for (const client of this.chatWss.clients) client.close(1001, 'server shutting down');
    for (const client of this.deskWss.clients) client.close(1001, 'server shutting down');
    this.deskWss.close();
    this.wss.close();
    this.chatWss.close();
    await this.consults?.close();
    this.desk?.dispose();
    this.parts?.agent.close();
    await this.parts?.store.close?.();
    this.parts?.agent.conversations.close();
    const closed = new Promise((r) => this.http.close(r));
    this.http.closeAllConnections();
    await Promise.all([closed, this.webhooks.close()]);
  }

  private forwardEventsToWebhooks(): void {
    const event = (name: WebhookEvent['event'], fields: Record<string, unknown>) =>
      this.webhooks.send({ event: name, id: randomUUID(), createdAt: Date.now(), ...fields });
    const participant = (p: Participant) => p.info();
    const track = (t: PublishedTrack) => t.info();
    const room = (r: Room) => r.info();
    this.sfu.on('roomStarted', (r) => event('room_started', { room: room(r) }));
    this.sfu.on('roomFinished', (r) => event('room_finished', { room: room(r) }));
    this.sfu.on('participantJoined', (r, p) =>
      event('participant_joined', { room: room(r), participant: participant(p) }),
    );
    this.sfu.on('participantLeft', (r, p, reason) =>
      event('participant_left', { room: room(r), participant: participant(p), reason }),
    );
    this.sfu.on('trackPublished', (r, p, t) =>
      event('track_published', { room: room(r), participant: participant(p), track: track(t) }),
    );
    this.sfu.on('trackUnpublished', (r, p, t) =>
      event('track_unpublished', { room: room(r), participant: participant(p), track: track(t) }),
    );
  }
}
