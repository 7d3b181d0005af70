import type { PageContext } from '@liveport/protocol';
import { ChatClient, type KeyValueStore } from './ChatClient.ts';
import { WidgetView } from './WidgetView.ts';
import type { InboundAudio } from './VoiceCall.ts';
import type { ConnectionStats } from '@liveport/sdk';

/**
 * The embeddable chat, loaded by one tag on any store page:
 *
 *   <script src="https://node.example/widget.js" async
 *           data-liveport-url="https://node.example" data-product="oak-sofa"></script>
 *
 * Options on the tag: data-liveport-url (defaults to the script's origin), data-product (the
 * product on this page; `<meta name="liveport:product" content="…">` works too, and is read at
 * every message so a page can change it), data-customer-token (a storefront session signed by
 * the store), data-accent (a CSS colour), data-side="left". The store's own buttons can use
 * `window.Liveport.chat.open()`, `.send(text)` and `.talk()`.
 */

export interface LiveportChatApi {
  open(): void;
  close(): void;
  send(text: string): void;
  /** for single-page stores: the product now on screen (undefined for none) */
  setProduct(handle: string | undefined): void;
  /** open the panel and start a voice call with the agent (the Talk button) */
  talk(): void;
  hangUp(): void;
  /** the agent's audio received in the current call, from the browser's statistics */
  voiceStats(): Promise<InboundAudio | undefined>;
  /** open the panel and ask for a video call with a clerk about the product in view */
  videoConsult(): void;
  /** the video consultation's statistics (framesDecoded…), from the browser */
  consultStats(): Promise<ConnectionStats | undefined>;
  readonly client: ChatClient;
}

declare global {
  interface Window {
    Liveport?: { chat?: LiveportChatApi } & Record<string, unknown>;
  }
}

const OPEN_KEY = 'liveport.chat.open';

function ownScript(): HTMLScriptElement | undefined {
  const current = document.currentScript;
  if (current instanceof HTMLScriptElement) return current;
  return (
    document.querySelector<HTMLScriptElement>('script[data-liveport-url], script[src*="widget.js"]') ??
    undefined
  );
}

function storage(kind: 'localStorage' | 'sessionStorage'): KeyValueStore | undefined {
  try {
    // Reading the property itself throws where the browser blocks storage.
    const store = window[kind];
    store.getItem('liveport');
    return store;
  } catch {
    return undefined;
  }
}

function start(script: HTMLScriptElement | undefined): void {
  const nodeUrl = (
    script?.dataset.liveportUrl || (script?.src ? new URL(script.src).origin : location.origin)
  ).replace(/\/+$/, '');
  let productOverride: string | undefined | null = null;
  const page = (): PageContext => {
    const meta = document.querySelector<HTMLMetaElement>('meta[name="liveport:product"]')?.content;
    const product = productOverride === null ? script?.dataset.product || meta || undefined : productOverride;
    const context: PageContext = { url: location.href.slice(0, 2048), title: document.title.slice(0, 300) };
    if (product) context.product = product.slice(0, 200);
    return context;
  };
  const language = navigator.language || 'en';
  const client = new ChatClient({
    url: `${nodeUrl.replace(/^http/, 'ws')}/chat`,
    storage: storage('localStorage'),
    storageKey: `liveport.chat:${nodeUrl}`,
    page,
    language,
    customerToken: script?.dataset.customerToken || undefined,
  });
  const view = new WidgetView(client, {
    language,
    accent: script?.dataset.accent,
    side: script?.dataset.side === 'left' ? 'left' : 'right',
    nodeUrl,
    product: () => page().product,
  });
  document.body.append(view.host);

  const session = storage('sessionStorage');
  const remember = (open: boolean) => {
    try {
      if (open) session?.setItem(OPEN_KEY, '1');
      else session?.removeItem(OPEN_KEY);
    } catch {
      // only a convenience across page loads
    }
  };
  // A conversation from an earlier page reconnects at once, so replies and a person joining
  // arrive even before the customer reopens the panel; a new one waits for the first open.
  if (client.hasConversation) client.connect();
  if (session?.getItem(OPEN_KEY)) view.open();

  const chat: LiveportChatApi = {
    open: () => {
      view.open();
      remember(true);
    },
    close: () => {
      view.close();
      remember(false);
    },
    send: (text) => {
      chat.open();
      const trimmed = String(text).trim();
      if (trimmed) client.send(trimmed.slice(0, 4000));
    },
    setProduct: (handle) => {
      productOverride = handle;
    },
    talk: () => {
      chat.open();
      view.talk();
    },
    hangUp: () => view.hangUp(),
    voiceStats: () => view.inboundAudio(),
    videoConsult: () => {
      chat.open();
      view.consult?.start();
    },
    consultStats: () => view.consult?.stats() ?? Promise.resolve(undefined),
    client,
  };
  view.host.addEventListener('click', () => remember(view.isOpen));
  view.host.addEventListener('keydown', () => queueMicrotask(() => remember(view.isOpen)));
  window.addEventListener('online', () => client.reconnectNow());
  window.addEventListener('pagehide', () => {
    // The agent must not go on listening to a page that is gone.
    view.hangUp();
    view.consult?.hangUp();
    client.save();
  });
  window.Liveport = { ...(window.Liveport ?? {}), chat };
  window.dispatchEvent(new CustomEvent('liveport:ready', { detail: chat }));
}

// Two tags on one page would mean two panels and two conversations.
if (!window.Liveport?.widgetLoaded) {
  window.Liveport = { ...(window.Liveport ?? {}), widgetLoaded: true };
  const script = ownScript();
  if (document.body) start(script);
  else document.addEventListener('DOMContentLoaded', () => start(script), { once: true });
}
