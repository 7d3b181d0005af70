import type { DeskItem, StaffStatus } from '@liveport/protocol';
import type { DeskClient, DeskConnection } from './DeskClient.ts';
import { ConversationView } from './ConversationView.ts';
import { CustomerPanel } from './CustomerPanel.ts';
import { button, el } from './element.ts';
import { InboxView } from './InboxView.ts';
import { VideoPanel } from './VideoPanel.ts';

const CONNECTION_TEXT: Record<DeskConnection, string> = {
  idle: '',
  connecting: 'Connecting…',
  open: '',
  reconnecting: 'Reconnecting…',
  closed: 'Disconnected',
};

/**
 * The signed-in console: a header with the agent's status and logout, then inbox,
 * conversation and customer side by side on a laptop; on a phone one pane at a time, the
 * inbox first and a conversation once one is opened.
 */
export class ConsoleView {
  readonly root: HTMLElement;
  private readonly inbox: InboxView;
  private readonly conversation: ConversationView;
  private readonly customer: CustomerPanel;
  private readonly video: VideoPanel;
  private readonly who: HTMLElement;
  private readonly statusSelect: HTMLSelectElement;
  private readonly connection: HTMLElement;
  private readonly problem: HTMLElement;
  /** items already ours, so one newly assigned (an accepted offer) opens by itself */
  private assigned = new Set<string>();
  /** the first inbox (the welcome's) only tells what is already ours */
  private seenWelcome = false;
  private noticeTimer?: ReturnType<typeof setTimeout>;

  constructor(
    private readonly client: DeskClient,
    onLogout: () => void,
  ) {
    this.who = el('span', { class: 'who', testid: 'staff-name' });
    this.statusSelect = el(
      'select',
      { testid: 'status-select', 'aria-label': 'Status' },
      ...(['online', 'away', 'offline'] as const).map((s) => el('option', { value: s, text: s })),
    );
    this.statusSelect.addEventListener('change', () =>
      client.setStatus(this.statusSelect.value as StaffStatus),
    );
    this.connection = el('span', { class: 'connection', role: 'status', testid: 'connection' });
    this.problem = el('p', { class: 'problem banner', role: 'alert', testid: 'desk-error', hidden: '' });

    this.inbox = new InboxView(client, (item) => this.open(item));
    this.conversation = new ConversationView(client, () => this.showInbox());
    this.customer = new CustomerPanel((conversationId, itemId) => client.recording(conversationId, itemId));
    this.video = new VideoPanel(client);

    this.root = el(
      'div',
      { class: 'console', testid: 'console', 'data-view': 'inbox' },
      el(
        'header',
        { class: 'topbar' },
        el('strong', { class: 'brand', text: 'Liveport desk' }),
        this.connection,
        this.who,
        this.statusSelect,
        button('Log out', 'logout', onLogout, 'quiet'),
      ),
      this.problem,
      el(
        'div',
        { class: 'panes' },
        this.inbox.root,
        el('main', { class: 'middle' }, this.video.root, this.conversation.root, this.placeholder()),
        this.customer.root,
      ),
    );

    client.on('connection', (c) => this.drawConnection(c));
    client.on('staff', (staff) => {
      this.who.textContent = `${staff.name} · ${staff.role}`;
      this.statusSelect.value = staff.status;
    });
    client.on('inbox', (items) => this.inboxChanged(items));
    client.on('inboxRemoved', ({ conversationId, reason }) => {
      // Out of the inbox and not on screen: stop following it (the node lets it go).
      if (conversationId !== this.conversation.conversationId) return this.forget(conversationId);
      if (reason === 'closed') this.conversation.markClosed();
      else this.notice(`Conversation moved: ${reason}`);
    });
    client.on('context', (context) => {
      if (context.conversationId === this.conversation.conversationId) this.customer.draw(context);
    });
    client.on('video', (invite) => {
      const item = client.inbox.find((i) => i.id === invite.itemId);
      this.open(item ?? { conversationId: invite.conversationId });
    });
    client.on('error', ({ code, message }) => this.notice(`${message} (${code})`));
    this.drawConnection(client.connection);
  }

  dispose(): void {
    this.inbox.dispose();
    this.video.dispose();
  }

  /** Open a conversation in the middle pane, watching it from where this console left it. */
  open(item: DeskItem | { conversationId: string }): void {
    const previous = this.conversation.conversationId;
    if (previous !== undefined && previous !== item.conversationId) this.forget(previous);
    const watched = this.client.watch(item.conversationId);
    this.conversation.show(watched, 'id' in item ? item : undefined);
    this.customer.draw(watched.context);
    this.inbox.select(item.conversationId);
    this.root.dataset.view = 'conversation';
    this.conversation.focusReply();
  }

  /**
   * Stop watching a conversation that is no longer this agent's (closed, moved on), so neither
   * the node nor this page keeps following every conversation ever opened here. One still in
   * the inbox stays watched, to open again at once.
   */
  private forget(conversationId: string): void {
    if (this.client.inbox.some((i) => i.conversationId === conversationId)) return;
    this.client.unwatch(conversationId);
  }

  private showInbox(): void {
    this.root.dataset.view = 'inbox';
  }

  private inboxChanged(items: DeskItem[]): void {
    const me = this.client.staff?.id;
    const nowMine = items.filter((i) => i.status === 'assigned' && (!i.assignee || i.assignee === me));
    const fresh = this.seenWelcome ? nowMine.filter((i) => !this.assigned.has(i.id)) : [];
    this.seenWelcome = true;
    this.assigned = new Set(nowMine.map((i) => i.id));
    const accepted = fresh.at(-1);
    if (accepted) this.open(accepted);
  }

  private drawConnection(connection: DeskConnection): void {
    this.connection.textContent = CONNECTION_TEXT[connection];
    this.connection.dataset.state = connection;
  }

  private notice(text: string): void {
    this.problem.textContent = text;
    this.problem.hidden = false;
    clearTimeout(this.noticeTimer);
    this.noticeTimer = setTimeout(() => (this.problem.hidden = true), 6000);
  }

  private placeholder(): HTMLElement {
    return el('p', {
      class: 'empty placeholder',
      text: 'Pick a conversation, or wait for the next one to ring.',
    });
  }
}
