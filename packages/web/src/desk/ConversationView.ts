import type { Card, DeskContext, DeskItem } from '@liveport/protocol';
import type {
  ChatState,
  DeskClient,
  DeskMessage,
  DeskTranscriptItem,
  WatchedConversation,
} from './DeskClient.ts';
import { button, clockTime, el } from './element.ts';

type Holder = DeskContext['holder'];

const ROLE_LABEL: Record<string, string> = {
  customer: 'Customer',
  assistant: 'AI',
  agent: 'Agent',
  system: 'System',
};

/**
 * The middle pane: one conversation with the AI's summary on top, its messages (each in the
 * agent's language, the original one click away), the reply box with canned replies, and what
 * the agent can do with it: take over, hand back to the AI, transfer, close.
 */
export class ConversationView {
  readonly root: HTMLElement;
  private readonly title: HTMLElement;
  private readonly holderBadge: HTMLElement;
  private readonly summary: HTMLElement;
  private readonly log: HTMLElement;
  private readonly input: HTMLTextAreaElement;
  private readonly canned: HTMLSelectElement;
  private readonly verbatim: HTMLInputElement;
  private readonly verbatimLabel: HTMLElement;
  private readonly takeoverButton: HTMLButtonElement;
  private readonly handbackButton: HTMLButtonElement;
  private readonly transferButton: HTMLButtonElement;
  private readonly closeButton: HTMLButtonElement;
  private readonly transferForm: HTMLFormElement;
  private readonly composer: HTMLFormElement;
  private readonly nodes = new Map<string, HTMLElement>();
  private conversation?: WatchedConversation;
  private item?: DeskItem;
  private holder: Holder = 'waiting';

  constructor(
    private readonly client: DeskClient,
    onBack: () => void,
  ) {
    this.title = el('h2', { testid: 'conversation-title', text: '' });
    this.holderBadge = el('span', { class: 'holder', testid: 'conversation-holder' });
    this.takeoverButton = button('Take over', 'takeover', () => this.act((id) => client.takeover(id)));
    this.handbackButton = button('Hand back to AI', 'handback', () => this.act((id) => client.handback(id)));
    this.transferButton = button('Transfer', 'transfer-open', () => this.toggleTransfer(), 'quiet');
    this.closeButton = button(
      'Close',
      'close-conversation',
      () => this.act((id) => client.closeConversation(id)),
      'danger',
    );
    this.transferForm = this.buildTransferForm();
    this.summary = el('section', { class: 'ai-summary', testid: 'conversation-summary', hidden: '' });
    this.log = el('div', { class: 'log', role: 'log', testid: 'conversation-log', tabindex: '0' });

    this.input = el('textarea', {
      rows: '2',
      maxlength: '4000',
      placeholder: 'Reply in your own words…',
      'aria-label': 'Reply',
      testid: 'reply-input',
    });
    this.canned = el('select', { testid: 'canned-replies', 'aria-label': 'Canned replies' });
    this.canned.addEventListener('change', () => this.useCanned());
    this.verbatim = el('input', { type: 'checkbox', testid: 'reply-verbatim' });
    this.verbatimLabel = el('label', { class: 'verbatim', hidden: '' }, this.verbatim, 'Send untranslated');
    this.composer = el(
      'form',
      { class: 'composer', testid: 'reply-form' },
      this.input,
      el(
        'div',
        { class: 'composer-bar' },
        this.canned,
        this.verbatimLabel,
        el('button', { type: 'submit', text: 'Send', testid: 'reply-send' }),
      ),
    );
    this.composer.addEventListener('submit', (ev) => {
      ev.preventDefault();
      this.send();
    });
    this.input.addEventListener('keydown', (ev) => {
      if (ev.key === 'Enter' && !ev.shiftKey && !ev.isComposing) {
        ev.preventDefault();
        this.send();
      }
    });

    const back = button('‹ Inbox', 'back-to-inbox', onBack, 'back quiet');
    this.root = el(
      'section',
      { class: 'conversation', testid: 'conversation', 'aria-label': 'Conversation', hidden: '' },
      el(
        'header',
        {},
        back,
        el('div', { class: 'heading' }, this.title, this.holderBadge),
        el(
          'div',
          { class: 'actions' },
          this.takeoverButton,
          this.handbackButton,
          this.transferButton,
          this.closeButton,
        ),
      ),
      this.transferForm,
      this.summary,
      this.log,
      this.composer,
    );

    client.on('item', (conversationId, item, isNew) => {
      if (conversationId === this.conversation?.id) this.drawItem(item, isNew);
    });
    client.on('itemRemoved', (conversationId, key) => {
      if (conversationId !== this.conversation?.id) return;
      this.nodes.get(key)?.remove();
      this.nodes.delete(key);
    });
    client.on('context', (context) => {
      if (context.conversationId !== this.conversation?.id) return;
      this.holder = context.holder;
      this.drawHeader();
    });
    client.on('chatState', (conversationId, state) => {
      if (conversationId !== this.conversation?.id) return;
      this.stateChanged(state);
    });
    client.on('welcome', () => this.drawCanned());
    client.on('inbox', () => {
      const id = this.conversation?.id;
      const item = id ? client.inbox.find((i) => i.conversationId === id) : undefined;
      if (item) {
        this.item = item;
        if (item.status === 'assigned' && this.holder === 'waiting') this.holder = 'agent';
        this.drawHeader();
      }
    });
    this.drawCanned();
  }

  get conversationId(): string | undefined {
    return this.conversation?.id;
  }

  /** Show this conversation (watching it if it is not yet), or nothing. */
  show(conversation: WatchedConversation | undefined, item?: DeskItem): void {
    this.conversation = conversation;
    this.item = item;
    this.nodes.clear();
    this.log.replaceChildren();
    this.transferForm.hidden = true;
    this.root.hidden = !conversation;
    if (!conversation) return;
    this.holder = conversation.context?.holder ?? (item?.status === 'assigned' ? 'agent' : 'waiting');
    if (conversation.state) this.stateChanged(conversation.state);
    for (const i of conversation.items) this.drawItem(i, false);
    this.drawHeader();
    this.scrollToEnd();
  }

  /** The conversation ended (closed here or elsewhere): nothing more to send. */
  markClosed(): void {
    this.holder = 'closed';
    this.drawHeader();
  }

  focusReply(): void {
    this.input.focus();
  }

  private stateChanged(state: ChatState): void {
    const status = state.handoff?.status;
    if (status === 'assigned') this.holder = 'agent';
    else if (status === 'waiting') this.holder = 'waiting';
    this.drawHeader();
  }

  private drawHeader(): void {
    const conversation = this.conversation;
    if (!conversation) return;
    const context = conversation.context;
    const customer = context?.customer ?? this.item?.customer;
    this.title.textContent =
      customer?.name || customer?.email || `Conversation ${conversation.id.slice(0, 8)}`;
    const language = context?.language || conversation.state?.language || this.item?.language;
    this.holderBadge.textContent = [holderText(this.holder), language].filter(Boolean).join(' · ');
    this.holderBadge.dataset.holder = this.holder;
    this.root.dataset.holder = this.holder;
    const summary = context?.summary ?? this.item?.summary;
    // The note is left by the colleague who passed it on: what they want the next person to know.
    const note = this.item?.note;
    this.summary.hidden = !summary && !note;
    this.summary.replaceChildren(
      ...(summary ? [el('h3', { text: 'AI summary' }), el('p', { text: summary })] : []),
      ...(note
        ? [el('h3', { text: 'Transfer note' }), el('p', { text: note, testid: 'transfer-note-shown' })]
        : []),
    );
    const closed = this.holder === 'closed';
    this.takeoverButton.hidden = this.holder === 'agent' || closed;
    this.handbackButton.hidden = this.holder !== 'agent';
    this.transferButton.disabled = closed;
    this.closeButton.disabled = closed;
    this.composer.hidden = closed;
    this.verbatimLabel.hidden = !this.client.translation;
  }

  private drawCanned(): void {
    this.canned.replaceChildren(
      el('option', { value: '', text: 'Canned replies…' }),
      ...this.client.cannedReplies.map((r) => el('option', { value: r.id, text: r.title })),
    );
    this.canned.hidden = this.client.cannedReplies.length === 0;
  }

  private useCanned(): void {
    const reply = this.client.cannedReplies.find((r) => r.id === this.canned.value);
    this.canned.value = '';
    if (!reply) return;
    // Inserted, not sent: the agent may fill in a name or an order number first.
    this.input.value = this.input.value ? `${this.input.value} ${reply.text}` : reply.text;
    this.input.focus();
  }

  private send(): void {
    const id = this.conversation?.id;
    const text = this.input.value.trim();
    if (!id || !text) return;
    this.input.value = '';
    this.client.reply(id, text.slice(0, 4000), this.verbatim.checked);
    this.verbatim.checked = false;
  }

  private act(action: (conversationId: string) => void): void {
    if (this.conversation) action(this.conversation.id);
  }

  private drawItem(item: DeskTranscriptItem, isNew: boolean): void {
    const node = item.kind === 'card' ? this.cardNode(item.card) : this.messageNode(item);
    const existing = this.nodes.get(item.key);
    if (existing) existing.replaceWith(node);
    else this.log.append(node);
    this.nodes.set(item.key, node);
    if (isNew) this.scrollToEnd();
  }

  private messageNode(message: DeskMessage): HTMLElement {
    // The agent reads everything in their own language: a customer's words translated, their
    // own replies as they wrote them; the other version is a click away.
    const own = message.role === 'agent';
    const shown = own
      ? (message.original?.text ?? message.text)
      : (message.translation?.text ?? message.text);
    const other = own
      ? message.original
        ? message.text
        : undefined
      : message.translation
        ? message.text
        : undefined;
    const body = el('p', { class: 'text', testid: 'message-text', text: shown });
    const meta = el(
      'div',
      { class: 'meta' },
      el('span', { class: 'author', text: message.author || ROLE_LABEL[message.role] || message.role }),
      el('time', { text: clockTime(message.at) }),
    );
    const bubble = el(
      'div',
      {
        class: `message ${message.role}`,
        testid: 'message',
        'data-role': message.role,
        'data-status': message.status,
      },
      meta,
      body,
    );
    if (message.status === 'sending') meta.append(el('span', { class: 'pending', text: 'sending…' }));
    if (message.status === 'failed')
      bubble.append(el('p', { class: 'problem', text: message.error ?? 'Not sent' }));
    if (other !== undefined && other !== shown) {
      const language = own ? message.original?.language : message.translation?.language;
      const originalLabel = own ? 'Show as sent' : 'Show original';
      const toggle = button(
        originalLabel,
        'show-original',
        () => {
          const showingOther = body.dataset.showing === 'other';
          body.textContent = showingOther ? shown : other;
          body.dataset.showing = showingOther ? 'shown' : 'other';
          toggle.textContent = showingOther ? originalLabel : own ? 'Show what I wrote' : 'Show translation';
        },
        'link',
      );
      bubble.dataset.translated = language ?? 'true';
      bubble.append(toggle);
    }
    return bubble;
  }

  private cardNode(card: Card): HTMLElement {
    const node = el(
      'div',
      { class: 'card', testid: 'card', 'data-kind': card.kind },
      el('strong', { text: card.title ?? card.kind }),
    );
    for (const line of card.lines ?? []) node.append(el('p', { text: line }));
    return node;
  }

  /**
   * To a colleague picked from the staff list (name, status, languages) or to a queue picked
   * from those the staff serve; the lists are redrawn whenever the form opens.
   */
  private buildTransferForm(): HTMLFormElement {
    const agent = el('select', { name: 'agent', testid: 'transfer-agent', 'aria-label': 'Colleague' });
    const queue = el('select', { name: 'queue', testid: 'transfer-queue', 'aria-label': 'Queue' });
    const note = el('input', {
      name: 'note',
      placeholder: 'Note for them (optional)',
      maxlength: '500',
      testid: 'transfer-note',
    });
    const form = el(
      'form',
      { class: 'transfer', testid: 'transfer-form', hidden: '' },
      el('p', { class: 'muted', text: 'To a colleague, or to a queue:' }),
      agent,
      queue,
      note,
      el('button', { type: 'submit', text: 'Transfer', testid: 'transfer-submit' }),
    );
    this.drawTransferChoices = () => {
      agent.replaceChildren(
        el('option', { value: '', text: 'A colleague…' }),
        ...this.client.colleagues.map((c) => {
          const option = el('option', {
            value: c.id,
            text: `${c.name} · ${c.status} · ${c.languages.join(', ')}`,
          });
          option.disabled = c.status !== 'online';
          return option;
        }),
      );
      queue.replaceChildren(
        el('option', { value: '', text: 'or a queue…' }),
        ...transferQueues(this.client).map((q) => el('option', { value: q, text: q })),
      );
    };
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      const id = this.conversation?.id;
      if (!id) return;
      const [skill, language] = queue.value.split(':');
      const to = agent.value
        ? { agentId: agent.value }
        : skill && language
          ? { queue: { skill, language } }
          : undefined;
      if (!to) return;
      this.client.transfer(id, to, note.value.trim() || undefined);
      form.reset();
      form.hidden = true;
    });
    return form;
  }

  private drawTransferChoices: () => void = () => undefined;

  private toggleTransfer(): void {
    if (this.transferForm.hidden) this.drawTransferChoices();
    this.transferForm.hidden = !this.transferForm.hidden;
  }

  private scrollToEnd(): void {
    this.log.scrollTop = this.log.scrollHeight;
  }
}

/** The queues a conversation may go to: those the staff serve (skill:language), and any waiting. */
function transferQueues(client: DeskClient): string[] {
  const names = new Set(client.queues.map((q) => q.name));
  for (const c of [...client.colleagues, ...(client.staff ? [client.staff] : [])])
    for (const skill of c.skills) for (const language of c.languages) names.add(`${skill}:${language}`);
  return [...names].sort();
}

function holderText(holder: Holder): string {
  if (holder === 'ai') return 'with the AI';
  if (holder === 'agent') return 'with a person';
  if (holder === 'closed') return 'closed';
  return 'waiting';
}
