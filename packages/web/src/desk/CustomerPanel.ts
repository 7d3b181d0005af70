import type { DeskContext } from '@liveport/protocol';
import { el, safeUrl } from './element.ts';

/** The right pane: who the customer is, the page they came from, their orders and recordings. */
export class CustomerPanel {
  readonly root: HTMLElement;

  constructor(
    /** a recorded consultation's file, for the download link */
    private readonly recording?: (conversationId: string, itemId: string) => Promise<Blob>,
  ) {
    this.root = el('aside', { class: 'customer', testid: 'customer-panel', 'aria-label': 'Customer' });
    this.draw(undefined);
  }

  draw(context: DeskContext | undefined): void {
    if (!context) {
      this.root.replaceChildren(
        el('p', { class: 'empty', text: 'Open a conversation to see the customer.' }),
      );
      return;
    }
    const c = context.customer ?? {};
    const who = el(
      'section',
      { testid: 'customer-info' },
      el('h2', { text: 'Customer' }),
      el('p', { class: 'name', text: c.name || 'Not identified' }),
    );
    if (c.email) who.append(el('p', { class: 'email', text: c.email }));
    const facts = [context.language && `language ${context.language}`, c.country].filter(Boolean).join(' · ');
    if (facts) who.append(el('p', { class: 'muted', text: facts }));

    const page = el('section', { testid: 'customer-page' }, el('h2', { text: 'Came from' }));
    const href = safeUrl(context.page?.url);
    const label = context.page?.title || context.page?.product || context.page?.url;
    if (href && label) page.append(el('a', { href, target: '_blank', rel: 'noopener', text: label }));
    else page.append(el('p', { class: 'muted', text: label || 'Unknown' }));
    if (context.page?.product)
      page.append(el('p', { class: 'muted', text: `Product: ${context.page.product}` }));

    const orders = el('section', { testid: 'customer-orders' }, el('h2', { text: 'Orders' }));
    if (!context.orders.length) orders.append(el('p', { class: 'muted', text: 'No orders known' }));
    for (const order of context.orders) {
      const row = el(
        'div',
        { class: 'order', testid: 'order-row', 'data-order': order.number },
        el(
          'div',
          { class: 'order-head' },
          el('strong', { text: order.number }),
          el('span', { class: 'tag', text: order.status }),
          el('span', { class: 'total', text: order.total }),
        ),
        el('p', { class: 'muted', text: formatDate(order.placedAt) }),
        el('ul', {}, ...order.items.map((line) => el('li', { text: line }))),
      );
      if (order.tracking) row.append(el('p', { class: 'tracking', text: `Tracking: ${order.tracking}` }));
      orders.append(row);
    }
    this.root.replaceChildren(who, page, orders);
    if (context.recordings?.length)
      this.root.append(this.recordings(context.conversationId, context.recordings));
  }

  private recordings(conversationId: string, list: NonNullable<DeskContext['recordings']>): HTMLElement {
    const section = el('section', { testid: 'customer-recordings' }, el('h2', { text: 'Recorded calls' }));
    for (const r of list) {
      const status = el('span', { class: 'muted' });
      const button = el('button', {
        type: 'button',
        class: 'link',
        testid: 'recording-download',
        text: `${new Date(r.at).toLocaleString()} · ${(r.bytes / 1e6).toFixed(1)} MB`,
      });
      button.addEventListener('click', () => {
        if (!this.recording) return;
        status.textContent = ' downloading…';
        this.recording(conversationId, r.itemId).then(
          (blob) => {
            status.textContent = '';
            const a = el('a', { href: URL.createObjectURL(blob), download: `consultation-${r.itemId}.webm` });
            a.click();
            setTimeout(() => URL.revokeObjectURL(a.getAttribute('href')!), 60_000);
          },
          (err: Error) => (status.textContent = ` ${err.message}`),
        );
      });
      section.append(el('p', {}, button, status));
    }
    return section;
  }
}

function formatDate(value: string): string {
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? value : date.toLocaleDateString();
}
