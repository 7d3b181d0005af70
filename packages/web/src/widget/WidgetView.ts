import type { Card, HandoffInfo } from '@liveport/protocol';
import type {
  ChatCard,
  ChatClient,
  ChatMessage,
  ConnectionStatus,
  TranscriptItem,
  VoiceCallState,
} from './ChatClient.ts';
import { el, safeUrl } from '../dom.ts';
import { isRightToLeft, stringsFor, type WidgetStrings } from './strings.ts';
import { WIDGET_CSS } from './styles.ts';
import { canTalk, VoiceCall, type InboundAudio, type VoiceCallFailure } from './VoiceCall.ts';
import { CONSULT_CSS, VideoConsult } from './VideoConsult.ts';

/**
 * The chat as the customer sees it: a launcher and a panel inside a shadow root, drawn from
 * what the ChatClient announces. It holds no conversation state of its own beyond the DOM, so a
 * page load redraws it from the client's restored transcript.
 */

export interface WidgetViewOptions {
  /** the browser's language, used for the widget's own words until the conversation has one */
  language: string;
  /** the store's colour for the launcher, header and the customer's bubbles */
  accent?: string;
  side?: 'left' | 'right';
  /** the node's http(s) origin: given, and the browser able to, the composer offers Talk */
  nodeUrl?: string;
  /** the product in view, for the Video consult button (which shows when nodeUrl is given) */
  product?: () => string | undefined;
}

const CHAT_ICON =
  '<svg viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true"><path d="M21 12a8 8 0 0 1-11.6 7.1L4 20l1-4.6A8 8 0 1 1 21 12Z"/></svg>';
const MIC_ICON =
  '<svg viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true"><rect x="9" y="3" width="6" height="11" rx="3"/><path d="M5 11a7 7 0 0 0 14 0M12 18v3"/></svg>';
const HANG_UP_ICON =
  '<svg viewBox="0 0 24 24" fill="currentColor" aria-hidden="true"><path d="M12 8.5c-3.6 0-6.9 1.2-9.4 3.3a1.5 1.5 0 0 0-.1 2.2l1.9 1.9a1.5 1.5 0 0 0 2 .1l1.8-1.4a1 1 0 0 0 .4-.8v-2a11 11 0 0 1 6.8 0v2a1 1 0 0 0 .4.8l1.8 1.4a1.5 1.5 0 0 0 2-.1l1.9-1.9a1.5 1.5 0 0 0-.1-2.2A14.4 14.4 0 0 0 12 8.5Z"/></svg>';
const SEND_ICON =
  '<svg viewBox="0 0 24 24" fill="currentColor" aria-hidden="true"><path d="M3.4 20.4 21 12 3.4 3.6l.1 6.5L15 12 3.5 13.9z"/></svg>';

export class WidgetView {
  readonly host: HTMLElement;
  private readonly root: ShadowRoot;
  private readonly launcher: HTMLButtonElement;
  private readonly unread: HTMLElement;
  private readonly panel: HTMLElement;
  private readonly title: HTMLElement;
  private readonly brain: HTMLElement;
  private readonly closeButton: HTMLButtonElement;
  private readonly disclosure: HTMLElement;
  private readonly status: HTMLElement;
  private readonly log: HTMLElement;
  private readonly typing: HTMLElement;
  private readonly handoff: HTMLElement;
  private readonly input: HTMLTextAreaElement;
  private readonly sendButton: HTMLButtonElement;
  private readonly person: HTMLButtonElement;
  private readonly talkButton: HTMLButtonElement;
  /** the call's light and what the agent is doing, above the composer while a call is on */
  private readonly voiceBar: HTMLElement;
  private readonly voiceNotice: HTMLElement;
  /** the agent's voice plays here, inside the shadow root where the store's scripts do not look */
  private readonly speaker: HTMLAudioElement;
  private call?: VoiceCall;
  /** the video consultation with a clerk: its button in the footer, its panel above the composer */
  readonly consult?: VideoConsult;
  private readonly nodeUrl?: string;
  /** finished replies are read out from here, not from the streaming bubble, once each */
  private readonly announcer: HTMLElement;
  private readonly nodes = new Map<string, HTMLElement>();
  private readonly announced = new Set<string>();
  private strings: WidgetStrings;
  private language: string;
  private opened = false;
  private connection: ConnectionStatus = 'idle';

  constructor(
    private readonly client: ChatClient,
    options: WidgetViewOptions,
  ) {
    this.language = options.language;
    this.nodeUrl = options.nodeUrl;
    this.strings = stringsFor(options.language);
    this.host = el('div', { 'data-liveport-widget': '' });
    if (options.side === 'left') this.host.dataset.side = 'left';
    this.root = this.host.attachShadow({ mode: 'open' });
    const style = el('style', { text: WIDGET_CSS });
    if (options.accent && CSS.supports('color', options.accent)) {
      style.textContent += `:host { --lp-accent: ${options.accent}; }`;
    }

    this.unread = el('span', { class: 'unread', testid: 'lp-unread', hidden: '' });
    this.launcher = el('button', {
      class: 'launcher',
      type: 'button',
      testid: 'lp-launcher',
      'aria-controls': 'lp-panel',
      'aria-expanded': 'false',
    });
    this.launcher.innerHTML = CHAT_ICON;
    this.launcher.append(this.unread);

    this.title = el('h2', { id: 'lp-title' });
    this.brain = el('span', { class: 'brain', testid: 'lp-brain', hidden: '' });
    this.closeButton = el('button', { class: 'icon-button', type: 'button', testid: 'lp-close', text: '×' });
    this.disclosure = el('p', { class: 'notice', testid: 'lp-disclosure', hidden: '' });
    this.status = el('p', { class: 'status', role: 'status', testid: 'lp-status', hidden: '' });
    this.log = el('div', { class: 'log', testid: 'lp-log', tabindex: '0', role: 'log' });
    this.typing = el(
      'div',
      { class: 'typing dots', testid: 'lp-typing', hidden: '' },
      el('span'),
      el('span'),
      el('span'),
    );
    this.handoff = el('p', {
      class: 'handoff-status',
      role: 'status',
      testid: 'lp-handoff-status',
      hidden: '',
    });
    this.input = el('textarea', { rows: '1', testid: 'lp-input', maxlength: '4000' });
    this.sendButton = el('button', { type: 'submit', testid: 'lp-send' });
    this.sendButton.innerHTML = SEND_ICON;
    this.talkButton = el('button', {
      type: 'button',
      class: 'talk',
      testid: 'lp-talk',
      'data-voice': 'off',
      hidden: options.nodeUrl && canTalk() ? undefined : '',
    });
    this.voiceBar = el(
      'div',
      { class: 'voice', testid: 'lp-voice', hidden: '' },
      el('span', { class: 'light', 'aria-hidden': 'true' }),
      el('span', { class: 'voice-text' }),
    );
    this.voiceNotice = el('p', {
      class: 'voice-notice',
      role: 'alert',
      testid: 'lp-voice-notice',
      hidden: '',
    });
    this.speaker = el('audio', { autoplay: '', hidden: '', testid: 'lp-voice-audio' });
    this.person = el('button', { class: 'person', type: 'button', testid: 'lp-handoff' });
    this.announcer = el('div', { class: 'sr-only', 'aria-live': 'polite', 'aria-atomic': 'true' });
    const composer = el(
      'form',
      { class: 'composer', testid: 'lp-composer' },
      this.input,
      this.talkButton,
      this.sendButton,
    );

    this.panel = el(
      'section',
      {
        class: 'panel',
        id: 'lp-panel',
        role: 'dialog',
        'aria-labelledby': 'lp-title',
        testid: 'lp-panel',
        hidden: '',
      },
      el('header', {}, el('div', { class: 'heading' }, this.title, this.brain), this.closeButton),
      this.disclosure,
      this.status,
      this.log,
      this.handoff,
      this.voiceNotice,
      this.voiceBar,
      composer,
      el('div', { class: 'footer' }, this.person, el('span', { class: 'powered', text: 'Liveport' })),
      this.announcer,
    );
    if (options.nodeUrl && canTalk()) {
      const consult = new VideoConsult(
        client,
        options.nodeUrl,
        options.product ?? (() => undefined),
        this.language,
      );
      this.consult = consult;
      style.textContent += CONSULT_CSS;
      this.person.after(consult.button);
      composer.before(consult.panel);
    }
    this.root.append(style, this.launcher, this.panel, this.speaker);
    this.log.append(this.typing);

    this.launcher.addEventListener('click', () => (this.opened ? this.close() : this.open()));
    this.closeButton.addEventListener('click', () => this.close());
    this.panel.addEventListener('keydown', (ev) => {
      if (ev.key === 'Escape') {
        ev.preventDefault();
        this.close();
      }
    });
    composer.addEventListener('submit', (ev) => {
      ev.preventDefault();
      this.submitText();
    });
    this.input.addEventListener('keydown', (ev) => {
      // Enter sends, Shift+Enter breaks the line; an IME composing Chinese or Japanese keeps its Enter.
      if (ev.key === 'Enter' && !ev.shiftKey && !ev.isComposing) {
        ev.preventDefault();
        this.submitText();
      }
    });
    this.input.addEventListener('input', () => this.fitInput());
    this.person.addEventListener('click', () => this.client.act('handoff'));
    this.talkButton.addEventListener('click', () =>
      this.client.voice.phase === 'off' ? this.talk() : this.hangUp(),
    );

    client.on('item', (item, isNew) => this.drawItem(item, isNew));
    client.on('state', () => this.drawState());
    client.on('welcome', () => this.drawWelcome());
    client.on('status', (status) => this.drawStatus(status));
    client.on('reset', () => this.clear());
    client.on('voice', (call) => this.voiceChanged(call));
    client.on('voiceState', () => this.drawVoice());

    this.applyLanguage(client.state.language || options.language);
    // What a previous page already showed is drawn again, neither announced nor counted unread.
    for (const item of client.items) {
      this.announced.add(item.key);
      this.drawItem(item, false);
    }
    this.drawWelcome();
    this.drawState();
  }

  get isOpen(): boolean {
    return this.opened;
  }

  open(): void {
    if (this.opened) return;
    this.opened = true;
    this.panel.hidden = false;
    this.host.dataset.open = 'true';
    this.launcher.setAttribute('aria-expanded', 'true');
    this.unread.hidden = true;
    this.client.connect();
    this.scrollToEnd(true);
    this.input.focus();
  }

  close(): void {
    if (!this.opened) return;
    // A call nobody can see or hang up must not go on listening.
    this.hangUp();
    this.consult?.hangUp();
    this.opened = false;
    this.panel.hidden = true;
    delete this.host.dataset.open;
    this.launcher.setAttribute('aria-expanded', 'false');
    this.launcher.focus();
  }

  /** Start a voice call with the agent; the microphone is asked for once the node has a room. */
  talk(): void {
    if (!this.nodeUrl || this.client.voice.phase !== 'off') return;
    this.voiceNotice.hidden = true;
    this.call = this.newCall(this.nodeUrl);
    this.client.startVoice();
  }

  /** End the call (the customer's button, the panel closing, the page going away). */
  hangUp(): void {
    this.client.stopVoice();
    // The chat also says off when the call had already ended; the media must stop either way.
    this.dropCall();
  }

  /** The agent's audio as received, for tests and diagnostics. */
  inboundAudio(): Promise<InboundAudio | undefined> {
    return this.call?.inboundAudio() ?? Promise.resolve(undefined);
  }

  private voiceChanged(state: VoiceCallState): void {
    if (state.phase === 'live') {
      if (!this.call && this.nodeUrl) this.call = this.newCall(this.nodeUrl);
      void this.call?.join(state.token);
    } else if (state.phase === 'off') {
      this.dropCall();
      if (state.unavailable) this.showVoiceNotice(this.strings.voiceUnavailable, state.unavailable);
    }
    this.drawVoice();
  }

  private newCall(nodeUrl: string): VoiceCall {
    const call = new VoiceCall(nodeUrl, this.speaker);
    call.on('connected', () => {
      if (call === this.call) this.drawVoice();
    });
    call.on('failed', (reason) => this.callFailed(call, this.failureText(reason)));
    call.on('ended', () => this.callFailed(call, this.strings.voiceEnded));
    return call;
  }

  private callFailed(call: VoiceCall, text: string): void {
    if (call !== this.call) return;
    this.hangUp();
    this.showVoiceNotice(text);
  }

  private dropCall(): void {
    const call = this.call;
    this.call = undefined;
    void call?.leave();
  }

  private failureText(reason: VoiceCallFailure): string {
    if (reason === 'microphone_denied') return this.strings.microphoneDenied;
    if (reason === 'microphone_missing') return this.strings.microphoneMissing;
    return this.strings.voiceFailed;
  }

  private showVoiceNotice(text: string, detail?: string): void {
    this.voiceNotice.replaceChildren(text);
    if (detail) this.voiceNotice.append(el('small', { text: detail }));
    this.voiceNotice.hidden = false;
    this.scrollToEnd(false);
  }

  private drawVoice(): void {
    const call = this.client.voice;
    const s = this.strings;
    const on = call.phase !== 'off';
    this.talkButton.dataset.voice = call.phase;
    this.talkButton.innerHTML = on ? HANG_UP_ICON : MIC_ICON;
    this.talkButton.setAttribute('aria-label', on ? s.hangUp : s.talk);
    this.talkButton.title = on ? s.hangUp : s.talk;
    this.voiceBar.hidden = !on;
    const text = this.voiceBar.querySelector('.voice-text')!;
    if (call.phase === 'live') {
      this.talkButton.dataset.light = call.light;
      this.talkButton.append(el('span', { class: 'light', 'aria-hidden': 'true' }));
      this.voiceBar.dataset.light = call.light;
      // The agent listens from the start; the customer is heard only once the microphone is in.
      text.textContent = this.call?.connected ? s.voiceLight[call.light] : s.voiceConnecting;
    } else {
      delete this.talkButton.dataset.light;
      delete this.voiceBar.dataset.light;
      text.textContent = on ? s.voiceConnecting : '';
    }
  }

  private submitText(): void {
    const text = this.input.value.trim();
    if (!text) return;
    this.input.value = '';
    this.fitInput();
    this.client.send(text.slice(0, 4000));
  }

  private fitInput(): void {
    this.input.style.height = 'auto';
    this.input.style.height = `${Math.min(this.input.scrollHeight + 2, 120)}px`;
  }

  private applyLanguage(language: string): void {
    this.language = language;
    this.strings = stringsFor(language);
    const s = this.strings;
    this.panel.lang = language;
    this.panel.dir = isRightToLeft(language) ? 'rtl' : 'ltr';
    this.launcher.setAttribute('aria-label', s.openChat);
    this.closeButton.setAttribute('aria-label', s.closeChat);
    this.title.textContent = s.title;
    this.input.placeholder = s.placeholder;
    this.input.setAttribute('aria-label', s.placeholder);
    this.sendButton.setAttribute('aria-label', s.send);
    this.person.textContent = s.talkToPerson;
    this.consult?.setLanguage(language);
    this.drawVoice();
    this.log.setAttribute('aria-label', s.title);
    this.typing.setAttribute('aria-label', s.typing);
    this.drawWelcome();
    this.drawStatus(this.connection);
  }

  private drawWelcome(): void {
    const { brain, disclosure } = this.client;
    if (brain) {
      this.brain.hidden = false;
      this.brain.dataset.limited = String(brain.limited);
      this.brain.dataset.kind = brain.kind;
      this.brain.textContent = brain.limited ? this.strings.limitedMode : `AI · ${brain.model || brain.kind}`;
      this.brain.title = brain.limited ? this.strings.limitedHint : `${brain.kind}: ${brain.model}`;
    }
    if (disclosure) {
      this.disclosure.hidden = false;
      this.disclosure.textContent = disclosure;
    }
  }

  private drawStatus(status: ConnectionStatus): void {
    this.connection = status;
    const text =
      status === 'reconnecting'
        ? this.strings.reconnecting
        : status === 'connecting' && !this.client.brain
          ? this.strings.connecting
          : '';
    this.status.hidden = !text;
    this.status.textContent = text;
    this.status.dataset.status = status;
  }

  private drawState(): void {
    const state = this.client.state;
    if (state.language && state.language !== this.language) this.applyLanguage(state.language);
    const streaming = this.client.items.some(
      (i) => i.kind === 'message' && i.status === 'streaming' && i.role !== 'customer',
    );
    this.typing.hidden = !state.typing || streaming;
    this.drawHandoff(state.handoff);
    this.scrollToEnd(false);
  }

  private drawHandoff(handoff: HandoffInfo | undefined): void {
    if (!handoff || handoff.status === 'closed') {
      this.handoff.hidden = !handoff;
      if (handoff) this.handoff.textContent = this.strings.handoffClosed;
      return;
    }
    this.handoff.hidden = false;
    this.handoff.dataset.status = handoff.status;
    this.handoff.dataset.position = String(handoff.position);
    this.handoff.textContent =
      handoff.status === 'assigned' ? this.strings.agentJoined : this.strings.queuePosition(handoff.position);
  }

  private clear(): void {
    for (const node of this.nodes.values()) node.remove();
    this.nodes.clear();
    this.handoff.hidden = true;
    this.disclosure.hidden = true;
    this.applyLanguage(navigator.language || 'en');
  }

  private drawItem(item: TranscriptItem, isNew: boolean): void {
    const nearEnd = this.log.scrollHeight - this.log.scrollTop - this.log.clientHeight < 80;
    const old = this.nodes.get(item.key);
    const node = item.kind === 'message' ? this.drawMessage(item, old) : this.drawCard(item);
    if (old && old !== node) old.replaceWith(node);
    else if (!old) this.log.insertBefore(node, this.typing);
    this.nodes.set(item.key, node);
    const fromCustomer = item.kind === 'message' && item.role === 'customer';
    if (item.kind === 'message' && !fromCustomer && item.status === 'done' && !this.announced.has(item.key)) {
      this.announced.add(item.key);
      this.announcer.textContent = item.text;
    }
    if (isNew && !this.opened && !fromCustomer) this.unread.hidden = false;
    this.drawState();
    this.scrollToEnd(nearEnd || (item.kind === 'message' && item.role === 'customer'));
  }

  private drawMessage(message: ChatMessage, old: HTMLElement | undefined): HTMLElement {
    const node =
      old ??
      el(
        'div',
        { class: 'msg', testid: 'lp-message', 'data-key': message.key },
        el('span', { class: 'who sr-only' }),
        el('div', { class: 'bubble' }),
      );
    node.dataset.role = message.role;
    node.dataset.status = message.status;
    if (message.messageId) node.dataset.messageId = message.messageId;
    const who = node.querySelector('.who')!;
    who.textContent =
      message.role === 'customer'
        ? this.strings.you
        : message.role === 'agent'
          ? this.strings.agent
          : this.strings.assistant;
    // An agent (a person) is named visibly: the customer must know when they are no longer talking to the AI.
    who.classList.toggle('sr-only', message.role !== 'agent');
    const bubble = node.querySelector('.bubble')!;
    if (bubble.textContent !== message.text) bubble.textContent = message.text;
    node.querySelector('.meta')?.remove();
    if (message.status === 'failed') {
      const retry = el('button', { type: 'button', text: this.strings.retry, testid: 'lp-retry' });
      retry.addEventListener('click', () => {
        this.client.discard(message.key);
        this.nodes.get(message.key)?.remove();
        this.nodes.delete(message.key);
        this.client.send(message.text);
      });
      node.append(el('div', { class: 'meta' }, message.error || this.strings.notSent, retry));
    }
    node.querySelector('.interrupted')?.remove();
    if (message.interrupted) node.append(el('span', { class: 'interrupted', text: '…' }));
    return node;
  }

  private drawCard(item: ChatCard): HTMLElement {
    const { card } = item;
    const node = el('article', {
      class: 'card',
      testid: 'lp-card',
      'data-kind': card.kind,
      'data-key': item.key,
      'aria-label': card.title,
    });
    const image = safeUrl(card.imageUrl);
    if (image) {
      const img = el('img', { src: image, alt: '', loading: 'lazy' });
      // A broken picture is worse than none.
      img.addEventListener('error', () => {
        img.remove();
        node.classList.remove('with-image');
      });
      node.classList.add('with-image');
      node.append(img);
    }
    const body = el('div', { class: 'body' });
    const url = safeUrl(card.url);
    if (card.title) {
      const heading = el('h3');
      if (url && card.kind === 'product') heading.append(el('a', { href: url, text: card.title }));
      else heading.textContent = card.title;
      body.append(heading);
    }
    const status = typeof card.data?.status === 'string' ? card.data.status : undefined;
    if (status && (card.kind === 'order' || card.kind === 'return' || card.kind === 'handoff')) {
      body.append(
        el('span', { class: 'pill', 'data-status': status, testid: 'lp-card-status', text: status }),
      );
    }
    (card.lines ?? []).forEach((line, i) =>
      body.append(el('p', { class: i === 0 ? 'line-first' : '', text: line })),
    );
    if (url) {
      const label =
        card.kind === 'product'
          ? this.strings.viewProduct
          : card.kind === 'order'
            ? this.strings.trackShipment
            : url;
      body.append(
        el('a', {
          class: 'link',
          href: url,
          text: label,
          target: card.kind === 'product' ? '_self' : '_blank',
          rel: 'noopener',
        }),
      );
    }
    node.append(body);
    if (card.fields?.length) node.append(this.drawForm(item, card));
    else if (card.buttons?.length) node.append(this.drawButtons(item, card));
    return node;
  }

  private drawButtons(item: ChatCard, card: Card): HTMLElement {
    const row = el('div', { class: 'actions', role: 'group', 'aria-label': card.title });
    (card.buttons ?? []).forEach((button, i) => {
      const primary = i === 0 && (card.kind === 'confirm' || card.kind === 'choices');
      const b = el('button', {
        type: 'button',
        class: primary ? 'primary' : '',
        testid: 'lp-card-button',
        'data-action': button.action,
        text: button.label,
      });
      // The button's values as attributes, so a store's tests (and ours) can pick one by meaning.
      for (const [key, value] of Object.entries(button.values ?? {})) {
        if (/^[a-z][a-z0-9]*$/i.test(key)) b.setAttribute(`data-value-${key.toLowerCase()}`, value);
      }
      if (item.chosen !== undefined) {
        b.disabled = true;
        if (item.chosen === button.action) {
          b.classList.add('chosen');
          b.setAttribute('aria-pressed', 'true');
        }
      }
      b.addEventListener('click', () => this.client.act(button.action, button.values ?? {}, item.key));
      row.append(b);
    });
    return row;
  }

  private drawForm(item: ChatCard, card: Card): HTMLElement {
    const form = el('form', { class: 'card-form', testid: 'lp-card-form', 'aria-label': card.title });
    const fieldset = el('fieldset');
    for (const field of card.fields ?? []) {
      let control: HTMLInputElement | HTMLSelectElement;
      if (field.type === 'select') {
        control = el('select', { name: field.name });
        for (const option of field.options ?? [])
          control.append(el('option', { value: option.value, text: option.label }));
      } else {
        control = el('input', {
          name: field.name,
          type: field.type,
          autocomplete: field.type === 'email' ? 'email' : 'off',
          maxlength: '1000',
        });
      }
      control.required = field.required ?? false;
      control.dataset.testid = `lp-field-${field.name}`;
      fieldset.append(el('label', {}, field.label, control));
    }
    const action = card.submit ?? 'submit';
    const label = card.buttons?.find((b) => b.action === action)?.label ?? this.strings.submit;
    fieldset.append(el('button', { type: 'submit', testid: 'lp-card-submit', text: label }));
    fieldset.disabled = item.chosen !== undefined;
    form.append(fieldset);
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      const values: Record<string, string> = {};
      for (const [name, value] of new FormData(form)) values[name] = String(value).trim();
      this.client.act(action, values, item.key);
    });
    return form;
  }

  private scrollToEnd(force: boolean): void {
    if (!force && this.log.scrollHeight - this.log.scrollTop - this.log.clientHeight > 120) return;
    this.log.scrollTop = this.log.scrollHeight;
  }
}
