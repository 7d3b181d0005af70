import { TypedEmitter } from '@liveport/protocol/client';
import type { ChatServerMessage } from '@liveport/protocol';
import { Room, type ConnectionStats, type RemoteTrack } from '@liveport/sdk';
import { el } from '../dom.ts';
import type { ChatClient } from './ChatClient.ts';
import { consultStringsFor, type ConsultStrings } from './videoConsultStrings.ts';

/**
 * The customer's video consultation with a clerk: the "Video consult" button and the panel
 * that rings, shows both videos with the call's quality, asks whether the call may be
 * recorded, and — when nobody answered — offers to keep chatting or to book a call back.
 * The chat carries the requests (`video_request`, `record_consent`, `callback`, `video_end`)
 * and the node's answers (`consult` frames); the media goes through an SDK room.
 */

type ConsultFrame = Extract<ChatServerMessage, { type: 'consult' }>;

/** What both sides show of a call's health, refreshed every second. */
export interface CallQuality {
  rttMs?: number;
  /** received packets lost, percent */
  lossPercent: number;
  /** received, kbit/s */
  kbps: number;
  framesDecoded: number;
}

export interface ConsultCallEvents {
  [event: string]: unknown[];
  /** camera and microphone are published */
  connected: [];
  failed: ['media_denied' | 'connection_failed'];
  /** the room went away under the call */
  ended: [];
  /** the connection dropped; the call is being joined again (the other side waits) */
  reconnecting: [];
  reconnected: [];
  quality: [CallQuality];
}

/**
 * One side of a 1:1 video call in an SDK room: publishes this device's camera and microphone,
 * plays the other side's video and voice in the given elements, and measures the quality.
 * The widget and the clerk's phone and console all use it.
 */
export class ConsultCall extends TypedEmitter<ConsultCallEvents> {
  room?: Room;
  private media?: MediaStream;
  private ended = false;
  private qualityTimer?: ReturnType<typeof setInterval>;
  private lastBytes?: { bytes: number; at: number };

  constructor(
    private readonly nodeUrl: string,
    private readonly elements: {
      remoteVideo: HTMLVideoElement;
      localVideo: HTMLVideoElement;
      remoteAudio: HTMLAudioElement;
    },
  ) {
    super();
  }

  /** `video` narrows the camera: a clerk's phone asks for `{ facingMode: 'environment' }`. */
  async join(token: string, video: MediaTrackConstraints = {}): Promise<void> {
    if (this.room || this.ended) return;
    try {
      this.media = await navigator.mediaDevices.getUserMedia({
        video: { width: 640, height: 480, ...video },
        audio: { echoCancellation: true, noiseSuppression: true },
      });
    } catch {
      return this.fail('media_denied');
    }
    if (this.ended) return this.stopMedia();
    this.elements.localVideo.muted = true;
    this.elements.localVideo.srcObject = this.media;
    let room: Room;
    try {
      room = await Room.connect(this.nodeUrl, token);
    } catch {
      return this.fail('connection_failed');
    }
    if (this.ended) {
      void room.leave();
      return;
    }
    this.room = room;
    room.on('trackSubscribed', (remote) => this.play(remote));
    room.on('reconnecting', () => this.emit('reconnecting'));
    room.on('reconnected', () => this.emit('reconnected'));
    room.on('disconnected', (reason) => {
      if (reason !== 'client_leave' && !this.ended) {
        void this.leave();
        this.emit('ended');
      }
    });
    for (const participant of room.participants.values())
      for (const remote of participant.tracks.values()) if (remote.mediaStreamTrack) this.play(remote);
    try {
      for (const track of this.media.getTracks())
        await room.publishTrack(track, { source: track.kind === 'video' ? 'camera' : 'microphone' });
    } catch {
      return this.fail('connection_failed');
    }
    this.qualityTimer = setInterval(() => void this.measure(), 1000);
    this.emit('connected');
  }

  async leave(): Promise<void> {
    this.ended = true;
    clearInterval(this.qualityTimer);
    this.stopMedia();
    this.elements.remoteVideo.srcObject = null;
    this.elements.remoteAudio.srcObject = null;
    const room = this.room;
    this.room = undefined;
    await room?.leave();
  }

  /** The browser's statistics of this call (tests read framesDecoded here). */
  async stats(): Promise<ConnectionStats | undefined> {
    return this.room?.getStats();
  }

  private async measure(): Promise<void> {
    const stats = await this.stats().catch(() => undefined);
    if (!stats) return;
    const now = performance.now();
    const kbps = this.lastBytes
      ? ((stats.bytesReceived - this.lastBytes.bytes) * 8) / Math.max(1, now - this.lastBytes.at)
      : 0;
    this.lastBytes = { bytes: stats.bytesReceived, at: now };
    this.emit('quality', {
      rttMs: stats.rttMs,
      lossPercent: stats.receiveLoss * 100,
      kbps: Math.max(0, kbps),
      framesDecoded: stats.videoFramesDecoded,
    });
  }

  private play(remote: RemoteTrack): void {
    if (this.ended) return;
    remote.attach(remote.kind === 'video' ? this.elements.remoteVideo : this.elements.remoteAudio);
  }

  private stopMedia(): void {
    for (const track of this.media?.getTracks() ?? []) track.stop();
    this.media = undefined;
    this.elements.localVideo.srcObject = null;
  }

  private fail(reason: 'media_denied' | 'connection_failed'): void {
    if (this.ended) return;
    void this.leave();
    this.emit('failed', reason);
  }
}

export const CONSULT_CSS = `
.consult-button { font: inherit; font-size: 13px; border: 1px solid var(--lp-accent, #2563eb);
  color: var(--lp-accent, #2563eb); background: transparent; border-radius: 999px; padding: 4px 10px;
  cursor: pointer; }
.consult { border-top: 1px solid #e5e7eb; padding: 8px 12px; display: grid; gap: 6px; font-size: 13px; }
.consult[hidden] { display: none; }
.consult .stage { position: relative; background: #111; border-radius: 8px; overflow: hidden;
  aspect-ratio: 4 / 3; }
.consult .stage[hidden] { display: none; }
.consult .remote { width: 100%; height: 100%; object-fit: cover; }
.consult .local { position: absolute; right: 6px; bottom: 6px; width: 30%; border-radius: 6px;
  border: 2px solid #fff; }
.consult .rec { position: absolute; left: 6px; top: 6px; color: #fff; background: #dc2626;
  border-radius: 4px; padding: 1px 6px; font-size: 11px; }
.consult .quality { color: #6b7280; font-size: 11px; }
.consult .row { display: flex; gap: 6px; flex-wrap: wrap; align-items: center; }
.consult button { font: inherit; border-radius: 6px; border: 1px solid #d1d5db; background: #fff;
  padding: 4px 10px; cursor: pointer; }
.consult .hang-up { background: #dc2626; color: #fff; border-color: #dc2626; }
.consult form { display: grid; gap: 4px; }
.consult form[hidden] { display: none; }
.consult input { font: inherit; padding: 4px; }
`;

type Phase = 'off' | 'ringing' | 'connected' | 'unanswered' | 'ended';

/** The widget's part: a button for the footer and a panel above the composer. */
export class VideoConsult {
  readonly button: HTMLButtonElement;
  readonly panel: HTMLElement;
  private readonly status: HTMLElement;
  private readonly stage: HTMLElement;
  private readonly remoteVideo: HTMLVideoElement;
  private readonly localVideo: HTMLVideoElement;
  private readonly remoteAudio: HTMLAudioElement;
  private readonly rec: HTMLElement;
  private readonly quality: HTMLElement;
  private readonly consent: HTMLInputElement;
  private readonly consentLabel: HTMLElement;
  private readonly consentRow: HTMLElement;
  private readonly hangUpButton: HTMLButtonElement;
  private readonly choices: HTMLElement;
  private readonly keepChatting: HTMLButtonElement;
  private readonly callMeBack: HTMLButtonElement;
  private readonly form: HTMLFormElement;
  private readonly timeInput: HTMLInputElement;
  private readonly phoneInput: HTMLInputElement;
  private readonly formSubmit: HTMLButtonElement;
  private strings: ConsultStrings;
  private phase: Phase = 'off';
  private call?: ConsultCall;
  private room?: string;

  constructor(
    private readonly client: ChatClient,
    private readonly nodeUrl: string,
    private readonly product: () => string | undefined,
    language: string,
  ) {
    this.strings = consultStringsFor(language);
    this.button = el('button', { type: 'button', class: 'consult-button', testid: 'lp-video-consult' });
    this.status = el('p', { class: 'consult-status', role: 'status', testid: 'lp-consult-status' });
    this.remoteVideo = el('video', {
      class: 'remote',
      autoplay: '',
      playsinline: '',
      testid: 'lp-consult-remote',
    });
    this.localVideo = el('video', {
      class: 'local',
      autoplay: '',
      playsinline: '',
      testid: 'lp-consult-local',
    });
    this.remoteAudio = el('audio', { autoplay: '', hidden: '' });
    this.rec = el('span', { class: 'rec', hidden: '', testid: 'lp-consult-recording' });
    this.stage = el('div', { class: 'stage', hidden: '' }, this.remoteVideo, this.localVideo, this.rec);
    this.quality = el('p', { class: 'quality', testid: 'lp-consult-quality' });
    this.consent = el('input', { type: 'checkbox', testid: 'lp-consult-consent' });
    this.consentLabel = el('span');
    this.consentRow = el('label', { class: 'row' }, this.consent, this.consentLabel);
    this.hangUpButton = el('button', { type: 'button', class: 'hang-up', testid: 'lp-consult-hangup' });
    this.keepChatting = el('button', { type: 'button', testid: 'lp-consult-keep-chatting' });
    this.callMeBack = el('button', { type: 'button', testid: 'lp-consult-callback' });
    this.choices = el('div', { class: 'row', hidden: '' }, this.keepChatting, this.callMeBack);
    this.timeInput = el('input', {
      type: 'datetime-local',
      name: 'at',
      required: '',
      testid: 'lp-callback-at',
    });
    this.phoneInput = el('input', { type: 'tel', name: 'phone', required: '', testid: 'lp-callback-phone' });
    this.formSubmit = el('button', { type: 'submit', testid: 'lp-callback-submit' });
    this.form = el(
      'form',
      { hidden: '', testid: 'lp-callback-form' },
      el('label', {}, el('span', { class: 'time-label' }), this.timeInput),
      el('label', {}, el('span', { class: 'phone-label' }), this.phoneInput),
      this.formSubmit,
    );
    this.panel = el(
      'div',
      { class: 'consult', hidden: '', testid: 'lp-consult' },
      this.status,
      this.stage,
      this.quality,
      el('div', { class: 'row' }, this.consentRow, this.hangUpButton),
      this.choices,
      this.form,
      this.remoteAudio,
    );

    this.button.addEventListener('click', () => this.start());
    this.hangUpButton.addEventListener('click', () => this.hangUp());
    this.consent.addEventListener('change', () =>
      this.client.act('record_consent', { consent: this.consent.checked ? 'yes' : 'no' }),
    );
    this.keepChatting.addEventListener('click', () => this.show('off'));
    this.callMeBack.addEventListener('click', () => {
      this.form.hidden = false;
      this.phoneInput.focus();
    });
    this.form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      const at = new Date(this.timeInput.value);
      if (Number.isNaN(at.getTime())) return;
      this.client.act('callback', {
        at: at.toISOString(),
        phone: this.phoneInput.value.trim(),
        ...this.productValues(),
      });
    });
    client.onConsult = (frame) => this.onFrame(frame);
    this.setLanguage(language);
    this.show('off');
  }

  setLanguage(language: string): void {
    const s = (this.strings = consultStringsFor(language));
    this.button.textContent = s.videoConsult;
    this.consentLabel.textContent = s.recordConsent;
    this.hangUpButton.textContent = s.hangUp;
    this.keepChatting.textContent = s.keepChatting;
    this.callMeBack.textContent = s.callMeBack;
    this.formSubmit.textContent = s.callbackSend;
    this.form.querySelector('.time-label')!.textContent = s.callbackTime;
    this.form.querySelector('.phone-label')!.textContent = s.callbackPhone;
    this.rec.textContent = s.recording;
  }

  /** Ask for a clerk (the button). */
  start(): void {
    if (this.phase === 'ringing' || this.phase === 'connected') return;
    this.consent.checked = false;
    this.rec.hidden = true;
    this.show('ringing');
    this.client.act('video_request', this.productValues());
  }

  hangUp(): void {
    if (this.phase === 'ringing' || this.phase === 'connected') this.client.act('video_end');
    this.dropCall();
    this.show('off');
  }

  /** The call's statistics, for tests and diagnostics. */
  stats(): Promise<ConnectionStats | undefined> {
    return this.call?.stats() ?? Promise.resolve(undefined);
  }

  private productValues(): Record<string, string> {
    const product = this.product();
    return product ? { product } : {};
  }

  private onFrame(frame: ConsultFrame): void {
    const s = this.strings;
    switch (frame.status) {
      case 'ringing':
        if (this.phase !== 'connected') this.show('ringing');
        return;
      case 'connected': {
        // Sent again after a reconnect: the page is already in that room.
        if (this.call && this.room === frame.room) return;
        if (!frame.token) return;
        this.show('connected');
        this.status.textContent = s.connected(frame.clerkName ?? '');
        this.room = frame.room;
        this.dropCall();
        const call = (this.call = new ConsultCall(this.nodeUrl, {
          remoteVideo: this.remoteVideo,
          localVideo: this.localVideo,
          remoteAudio: this.remoteAudio,
        }));
        call.on('quality', (q) => {
          this.quality.textContent = s.quality(q.rttMs, q.lossPercent, q.kbps);
        });
        call.on('reconnecting', () => (this.status.textContent = s.reconnecting));
        call.on('reconnected', () => (this.status.textContent = s.connected(frame.clerkName ?? '')));
        call.on('failed', (reason) => {
          this.dropCall();
          this.show('ended');
          this.status.textContent = reason === 'media_denied' ? s.cameraDenied : s.failed;
          this.client.act('video_end');
        });
        call.on('ended', () => {
          this.dropCall();
          this.show('ended');
        });
        void call.join(frame.token);
        return;
      }
      case 'unanswered':
        this.dropCall();
        return this.show('unanswered');
      case 'recording':
        this.rec.hidden = false;
        return;
      case 'ended':
        this.dropCall();
        if (this.phase !== 'off') this.show('ended');
        return;
      case 'callback_booked': {
        this.form.hidden = true;
        this.choices.hidden = true;
        this.panel.hidden = false;
        const when = frame.at ? new Date(frame.at).toLocaleString() : '';
        this.status.textContent = s.callbackBooked(when);
        this.status.dataset.phase = 'callback_booked';
        return;
      }
    }
  }

  private dropCall(): void {
    const call = this.call;
    this.call = undefined;
    this.room = undefined;
    void call?.leave();
  }

  private show(phase: Phase): void {
    const s = this.strings;
    this.phase = phase;
    this.panel.hidden = phase === 'off';
    this.panel.dataset.phase = phase;
    this.status.dataset.phase = phase;
    this.button.disabled = phase === 'ringing' || phase === 'connected';
    this.stage.hidden = phase !== 'connected';
    this.quality.hidden = phase !== 'connected';
    this.consentRow.hidden = phase !== 'connected' && phase !== 'ringing';
    this.hangUpButton.hidden = phase !== 'connected' && phase !== 'ringing';
    this.choices.hidden = phase !== 'unanswered';
    this.form.hidden = true;
    if (phase === 'ringing') this.status.textContent = s.ringing;
    else if (phase === 'unanswered') this.status.textContent = s.unanswered;
    else if (phase === 'ended') this.status.textContent = s.ended;
    if (phase === 'unanswered') {
      // A sensible default: an hour from now, in the customer's own time zone.
      const soon = new Date(Date.now() + 3600_000);
      soon.setMinutes(0, 0, 0);
      const local = new Date(soon.getTime() - soon.getTimezoneOffset() * 60_000);
      this.timeInput.value = local.toISOString().slice(0, 16);
    }
  }
}
