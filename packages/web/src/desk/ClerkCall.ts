import type { ConnectionStats } from '@liveport/sdk';
import { ConsultCall } from '../widget/VideoConsult.ts';
import type { DeskClient, RecordingState, VideoInvite } from './DeskClient.ts';
import { button, el } from './element.ts';

/**
 * The clerk's side of a video consultation: the customer's video large, the clerk's own
 * camera small (the phone's rear camera, to show the product), the call's quality, the
 * clerk's consent to recording and the hang-up. The phone page mounts it, and the console can.
 */

/** What the call needs of the desk connection (DeskClient fits as it is). */
export type ClerkDesk = Pick<DeskClient, 'recordConsent' | 'on'>;

export interface ClerkCallOptions {
  /** the camera to use; the phone page asks for the rear one */
  facingMode?: 'user' | 'environment';
}

export class ClerkCall {
  readonly root: HTMLElement;
  private readonly status: HTMLElement;
  private readonly quality: HTMLElement;
  private readonly recording: HTMLElement;
  private readonly consent: HTMLInputElement;
  private readonly remoteVideo: HTMLVideoElement;
  private readonly localVideo: HTMLVideoElement;
  private readonly remoteAudio: HTMLAudioElement;
  private call?: ConsultCall;
  private invite?: VideoInvite;
  private readonly offs: (() => void)[] = [];
  /** told when the call is over here (hung up, ended by the customer, failed) */
  onEnded?: (reason: string) => void;

  constructor(
    private readonly nodeUrl: string,
    private readonly desk: ClerkDesk | undefined,
    private readonly options: ClerkCallOptions = {},
  ) {
    this.status = el('p', { class: 'call-status', role: 'status', testid: 'clerk-call-status' });
    this.remoteVideo = el('video', {
      class: 'remote',
      autoplay: '',
      playsinline: '',
      testid: 'clerk-remote',
    });
    this.localVideo = el('video', { class: 'local', autoplay: '', playsinline: '', testid: 'clerk-local' });
    this.remoteAudio = el('audio', { autoplay: '', hidden: '' });
    this.quality = el('p', { class: 'quality', testid: 'clerk-quality' });
    this.recording = el('p', { class: 'recording', testid: 'clerk-recording', hidden: '' });
    this.consent = el('input', { type: 'checkbox', testid: 'clerk-record-consent' });
    this.consent.addEventListener('change', () => {
      if (this.consent.checked && this.invite) this.desk?.recordConsent(this.invite.itemId);
      // Consent given cannot be taken back mid-call here; the box stays as the node knows it.
      this.consent.disabled = this.consent.checked;
    });
    this.root = el(
      'section',
      { class: 'clerk-call', testid: 'clerk-call', hidden: '' },
      this.status,
      el('div', { class: 'stage' }, this.remoteVideo, this.localVideo),
      this.quality,
      this.recording,
      el(
        'div',
        { class: 'controls' },
        el('label', { class: 'consent' }, this.consent, ' Record this call (the customer must agree too)'),
        button('Hang up', 'clerk-hang-up', () => void this.hangUp('clerk_hung_up'), 'hang-up'),
      ),
      this.remoteAudio,
    );
    if (desk) {
      this.offs.push(
        desk.on('recording', (state) => this.showRecording(state)),
        desk.on('videoEnded', ({ itemId, reason }) => {
          if (itemId === this.invite?.itemId) void this.hangUp(reason);
        }),
      );
    }
  }

  /** Join the call the node sent (`video`). */
  async start(invite: VideoInvite): Promise<void> {
    if (this.call) await this.hangUp('replaced');
    this.invite = invite;
    this.root.hidden = false;
    this.consent.checked = false;
    this.consent.disabled = false;
    this.recording.hidden = true;
    this.status.textContent = 'Connecting…';
    this.status.dataset.state = 'connecting';
    const call = (this.call = new ConsultCall(this.nodeUrl, {
      remoteVideo: this.remoteVideo,
      localVideo: this.localVideo,
      remoteAudio: this.remoteAudio,
    }));
    call.on('connected', () => {
      this.status.textContent = 'In the call';
      this.status.dataset.state = 'connected';
    });
    call.on('reconnecting', () => {
      this.status.textContent = 'Reconnecting…';
      this.status.dataset.state = 'connecting';
    });
    call.on('reconnected', () => {
      this.status.textContent = 'In the call';
      this.status.dataset.state = 'connected';
    });
    call.on('quality', (q) => {
      this.quality.textContent = `RTT ${q.rttMs === undefined ? '–' : `${Math.round(q.rttMs)} ms`} · loss ${q.lossPercent.toFixed(1)}% · ${Math.round(q.kbps)} kbit/s`;
    });
    call.on(
      'failed',
      (reason) =>
        void this.hangUp(reason === 'media_denied' ? 'camera or microphone blocked' : 'could not connect'),
    );
    call.on('ended', () => void this.hangUp('ended'));
    await call.join(invite.token, this.options.facingMode ? { facingMode: this.options.facingMode } : {});
  }

  async hangUp(reason: string): Promise<void> {
    const call = this.call;
    if (!call) return;
    this.call = undefined;
    await call.leave();
    this.status.textContent = `Call ended (${reason})`;
    this.status.dataset.state = 'ended';
    this.onEnded?.(reason);
  }

  /** The call's statistics (tests read framesDecoded here). */
  stats(): Promise<ConnectionStats | undefined> {
    return this.call?.stats() ?? Promise.resolve(undefined);
  }

  dispose(): void {
    for (const off of this.offs) off();
    void this.hangUp('closed');
  }

  private showRecording(state: RecordingState): void {
    if (state.itemId !== this.invite?.itemId) return;
    this.recording.hidden = false;
    this.recording.dataset.state = state.state;
    this.recording.textContent =
      state.state === 'waiting_consent'
        ? 'Recording waits for both to agree'
        : state.state === 'recording'
          ? '● Recording'
          : `Recording saved${state.file ? `: ${state.file}` : ''}`;
  }
}
