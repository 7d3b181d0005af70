import type { DeskCallback, DeskItem, DeskOffer } from '@liveport/protocol';
import type { DeskClient } from './DeskClient.ts';
import { button, duration, el } from './element.ts';

/**
 * The left pane: offers ringing with a countdown to their expiry, the agent's own
 * conversations, what waits in the queues they serve (supervisors: every queue, with a take
 * button; agents: to see only, they take what is offered), and the booked call backs for those
 * who make them, all redrawn from the client's frames.
 */
export class InboxView {
  readonly root: HTMLElement;
  private readonly offers: HTMLElement;
  private readonly mine: HTMLElement;
  private readonly queues: HTMLElement;
  private readonly waiting: HTMLElement;
  private readonly supervision: HTMLElement;
  private readonly waitingSection: HTMLElement;
  private readonly callbacks: HTMLElement;
  private readonly callbackSection: HTMLElement;
  private selected?: string;
  private readonly ticker: ReturnType<typeof setInterval>;

  constructor(
    private readonly client: DeskClient,
    private readonly onOpen: (item: DeskItem) => void,
  ) {
    this.offers = el('ul', { class: 'offers', testid: 'offers', 'aria-live': 'assertive' });
    this.mine = el('ul', { class: 'items', testid: 'inbox-mine' });
    this.queues = el('ul', { class: 'queues', testid: 'queues' });
    this.waiting = el('ul', { class: 'items', testid: 'inbox-waiting' });
    this.supervision = el(
      'section',
      { class: 'supervision', hidden: '' },
      el('h2', { text: 'Queues' }),
      this.queues,
    );
    this.waitingSection = el(
      'section',
      { class: 'waiting', hidden: '' },
      el('h2', { text: 'Waiting' }),
      this.waiting,
    );
    this.callbacks = el('ul', { class: 'items', testid: 'callbacks' });
    this.callbackSection = el(
      'section',
      { class: 'callbacks', hidden: '' },
      el('h2', { text: 'Call-backs' }),
      this.callbacks,
    );
    this.root = el(
      'nav',
      { class: 'inbox', testid: 'inbox', 'aria-label': 'Inbox' },
      this.offers,
      el('h2', { text: 'My conversations' }),
      this.mine,
      this.waitingSection,
      this.supervision,
      this.callbackSection,
    );
    client.on('offers', () => this.drawOffers());
    client.on('inbox', () => this.drawItems());
    client.on('queues', () => this.drawQueues());
    client.on('staff', () => this.drawItems());
    client.on('callbacks', (callbacks) => this.drawCallbacks(callbacks));
    this.ticker = setInterval(() => this.tick(), 1000);
  }

  select(conversationId: string | undefined): void {
    this.selected = conversationId;
    for (const li of this.root.querySelectorAll<HTMLElement>('[data-conversation]')) {
      li.classList.toggle('selected', li.dataset.conversation === conversationId);
    }
  }

  dispose(): void {
    clearInterval(this.ticker);
  }

  private get isSupervisor(): boolean {
    const role = this.client.staff?.role;
    return role === 'supervisor' || role === 'admin';
  }

  private drawOffers(): void {
    this.offers.replaceChildren(...this.client.offers.map((offer) => this.offerRow(offer)));
    this.tick();
  }

  private offerRow(offer: DeskOffer): HTMLElement {
    const { item } = offer;
    const countdown = el('span', { class: 'countdown', testid: 'offer-countdown' });
    countdown.dataset.expiresAt = String(offer.expiresAt);
    const accept = button('Accept', 'offer-accept', () => {
      accept.disabled = true;
      this.client.accept(item.id);
    });
    const decline = button('Decline', 'offer-decline', () => this.client.decline(item.id), 'quiet');
    return el(
      'li',
      { class: 'offer', testid: 'offer', 'data-item': item.id, 'data-kind': item.kind },
      el(
        'div',
        { class: 'offer-head' },
        el('strong', { text: item.kind === 'video' ? '📹 Video call' : 'Chat' }),
        el('span', { class: 'tag', text: item.queue }),
        countdown,
      ),
      el('p', { class: 'who', text: customerName(item) }),
      el('p', { class: 'summary', text: item.summary ?? (item.product ? `Looking at ${item.product}` : '') }),
      el('div', { class: 'actions' }, accept, decline),
    );
  }

  private drawItems(): void {
    const me = this.client.staff?.id;
    const mine = this.client.inbox.filter(
      (i) => i.assignee === me || (i.status === 'assigned' && !i.assignee),
    );
    const others = this.client.inbox.filter((i) => !mine.includes(i));
    this.mine.replaceChildren(
      ...(mine.length
        ? mine.map((i) => this.itemRow(i, 'mine'))
        : [el('li', { class: 'empty', text: 'Nothing yet' })]),
    );
    this.supervision.hidden = !this.isSupervisor;
    this.waitingSection.hidden = others.length === 0;
    this.waiting.replaceChildren(...others.map((i) => this.itemRow(i, this.isSupervisor ? 'take' : 'see')));
    this.select(this.selected);
  }

  /** mine: open it; take: a supervisor's queue row; see: an agent's, to see only */
  private itemRow(item: DeskItem, mode: 'mine' | 'take' | 'see'): HTMLElement {
    const canTake = mode === 'take';
    const open = el(
      'button',
      { type: 'button', class: 'item-open', testid: 'inbox-item' },
      el('span', { class: 'who', text: customerName(item) }),
      el('span', { class: 'tag', text: item.queue }),
      el('span', { class: 'summary', text: item.summary ?? '' }),
    );
    // An agent may not open what is not theirs: they see it wait until it is offered to them.
    if (mode === 'see') open.disabled = true;
    else open.addEventListener('click', () => this.onOpen(item));
    const li = el(
      'li',
      {
        class: 'item',
        'data-conversation': item.conversationId,
        'data-item': item.id,
        'data-status': item.status,
        'data-kind': item.kind,
      },
      open,
    );
    if (item.escalated) li.classList.add('escalated');
    if (canTake && item.status !== 'assigned') {
      li.append(button('Take', 'item-take', () => this.client.accept(item.id), 'small'));
    } else if (canTake && item.assignee) {
      li.append(el('span', { class: 'assignee', text: item.assignee }));
    }
    return li;
  }

  private drawCallbacks(callbacks: DeskCallback[]): void {
    const me = this.client.staff;
    this.callbackSection.hidden = !me || (!this.isSupervisor && !me.skills.includes('video'));
    this.callbacks.replaceChildren(
      ...(callbacks.length
        ? callbacks.map((c) =>
            el(
              'li',
              { class: 'callback', testid: 'callback', 'data-callback': c.id },
              el('strong', { text: new Date(c.at).toLocaleString() }),
              el('a', { href: `tel:${c.phone.replace(/[^0-9+]/g, '')}`, text: c.phone }),
              el('span', { class: 'tag', text: [c.language, c.product].filter(Boolean).join(' · ') }),
            ),
          )
        : [el('li', { class: 'empty', text: 'None booked' })]),
    );
  }

  private drawQueues(): void {
    this.queues.replaceChildren(
      ...this.client.queues.map((q) =>
        el(
          'li',
          { 'data-queue': q.name, testid: 'queue' },
          el('span', { text: q.name }),
          el('span', { class: 'count', text: String(q.waiting) }),
          el('span', { class: 'wait', text: q.waiting ? `oldest ${duration(q.oldestWaitMs)}` : '' }),
        ),
      ),
    );
  }

  private tick(): void {
    const now = Date.now();
    for (const countdown of this.offers.querySelectorAll<HTMLElement>('.countdown')) {
      const left = Number(countdown.dataset.expiresAt) - now;
      countdown.textContent = left > 0 ? duration(left) : 'expired';
      countdown.classList.toggle('urgent', left < 5000);
    }
  }
}

function customerName(item: DeskItem): string {
  return item.customer?.name || item.customer?.email || `Customer ${item.conversationId.slice(0, 6)}`;
}
