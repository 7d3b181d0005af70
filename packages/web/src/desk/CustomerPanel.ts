import type { DeskContext } from '@liveport/protocol';
import { el, safeUrl } from './element.ts';

/** The right pane: who the customer is, the page they came from, and their orders. */
export class CustomerPanel {
  readonly root: HTMLElement;

  constructor() {
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
  }
}

function formatDate(value: string): string {
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? value : date.toLocaleDateString();
}
