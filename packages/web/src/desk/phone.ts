import type { DeskOffer } from '@liveport/protocol';
import { ClerkCall } from './ClerkCall.ts';
import { DeskClient, type VideoInvite } from './DeskClient.ts';
import { DeskSession, type DeskSignIn } from './DeskSession.ts';
import { LoginView } from './LoginView.ts';
import { button, el } from './element.ts';

/**
 * The clerk's phone at `/desk/phone`: signed in, it rings for video consultations (a big
 * Accept), and an accepted call opens with the phone's rear camera so the clerk can show the
 * product. Opened from the console's link (`?token=…&room=…&item=…`) it joins that call at once.
 */

declare global {
  interface Window {
    /** the phone's desk client and call, for tests and diagnostics */
    liveportPhone?: { client?: DeskClient; call: ClerkCall };
  }
}

const origin = location.origin;
const session = new DeskSession(origin);
const app = document.getElementById('app')!;
const rings = el('ul', { class: 'rings', testid: 'phone-rings' });
const idle = el('p', { class: 'idle', testid: 'phone-idle', text: 'Waiting for video calls…' });

function start(signIn: DeskSignIn | undefined): void {
  const client = signIn
    ? new DeskClient({ url: `${origin.replace(/^http/, 'ws')}/desk`, token: signIn.token, device: 'phone' })
    : undefined;
  const call = new ClerkCall(origin, client, { facingMode: 'environment' });
  window.liveportPhone = { client, call };
  const header = el(
    'header',
    {},
    el('h1', { text: 'Video calls' }),
    el('span', { class: 'who', testid: 'phone-who', text: signIn?.staff.name ?? '' }),
  );
  app.replaceChildren(header, idle, rings, call.root);
  call.onEnded = () => {
    idle.hidden = false;
  };
  const invite = inviteFromUrl();
  if (invite) void join(call, invite);
  if (!client) return;
  client.on('offers', (offers) => drawRings(client, offers));
  client.on('video', (v) => void join(call, v));
  client.on('unauthorized', ({ message }) => {
    client.close();
    call.dispose();
    session.forget();
    showLogin(message);
  });
  window.addEventListener('online', () => client.reconnectNow());
  client.connect();
}

async function join(call: ClerkCall, invite: VideoInvite): Promise<void> {
  idle.hidden = true;
  rings.replaceChildren();
  await call.start(invite);
}

function drawRings(client: DeskClient, offers: DeskOffer[]): void {
  const videos = offers.filter((o) => o.item.kind === 'video');
  rings.replaceChildren(
    ...videos.map((offer) =>
      el(
        'li',
        { class: 'ring', testid: 'phone-ring', 'data-item': offer.item.id },
        el('p', { class: 'what', text: offer.item.product ? `About ${offer.item.product}` : 'Video call' }),
        el('p', { class: 'lang', text: `Language: ${offer.item.language}` }),
        button('Accept', 'phone-accept', () => client.accept(offer.item.id), 'accept'),
        button('Decline', 'phone-decline', () => client.decline(offer.item.id), 'decline'),
      ),
    ),
  );
  // A phone rings: a short vibration where the device can.
  if (videos.length > 0) navigator.vibrate?.(300);
}

function inviteFromUrl(): VideoInvite | undefined {
  const q = new URLSearchParams(location.search);
  const token = q.get('token');
  const room = q.get('room');
  const itemId = q.get('item');
  if (!token || !room || !itemId) return undefined;
  return {
    type: 'video',
    itemId,
    conversationId: q.get('conversation') ?? '',
    room,
    token,
    identity: q.get('identity') ?? '',
  };
}

function showLogin(notice?: string): void {
  const login = new LoginView(session, (signIn) => start(signIn), notice);
  app.replaceChildren(login.root);
  login.focus();
}

const signedIn = session.current;
if (signedIn || inviteFromUrl()) start(signedIn);
else showLogin();
