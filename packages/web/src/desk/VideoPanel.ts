import { ClerkCall } from './ClerkCall.ts';
import type { DeskClient, VideoInvite } from './DeskClient.ts';
import { el } from './element.ts';

/**
 * A video call the agent accepted, inside the console: the call itself (both videos, its
 * quality, recording consent, hang-up), and a link that moves it to the phone page for a clerk
 * who would rather show the product with their phone's rear camera.
 */
export class VideoPanel {
  readonly root: HTMLElement;
  private readonly call: ClerkCall;
  private readonly phoneLink: HTMLAnchorElement;

  constructor(client: DeskClient) {
    this.call = new ClerkCall(location.origin, client);
    this.phoneLink = el('a', {
      target: '_blank',
      rel: 'noopener',
      testid: 'video-phone-link',
      text: 'Continue on the phone page',
    });
    this.root = el(
      'section',
      { class: 'video', testid: 'video-panel', hidden: '' },
      el('div', { class: 'video-head' }, el('h3', { text: 'Video call' }), this.phoneLink),
      this.call.root,
    );
    this.call.onEnded = () => {
      this.phoneLink.hidden = true;
    };
    client.on('video', (invite) => void this.show(invite));
  }

  /** The call's statistics (tests read framesDecoded here). */
  stats(): ReturnType<ClerkCall['stats']> {
    return this.call.stats();
  }

  dispose(): void {
    this.call.dispose();
  }

  private async show(invite: VideoInvite): Promise<void> {
    const phone = new URL('/desk/phone', location.href);
    phone.search = new URLSearchParams({
      room: invite.room,
      token: invite.token,
      identity: invite.identity,
      item: invite.itemId,
      conversation: invite.conversationId,
    }).toString();
    this.phoneLink.href = phone.href;
    this.phoneLink.hidden = false;
    this.root.hidden = false;
    // Moving to the phone hands the room over: the phone joins under the same identity, which
    // pushes this side out (the call itself goes on). Leaving first would end the call.
    await this.call.start(invite);
  }
}
