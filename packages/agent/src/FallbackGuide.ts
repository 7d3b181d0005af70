import type { Card } from '@liveport/protocol';
import type { Order } from '@liveport/commerce';
import type { LiveConversation } from './conversation/LiveConversation.ts';
import { phrases } from './phrases.ts';
import { currencyFor, productCard } from './tools/present.ts';

/**
 * Fallback mode: no model, so no free language. The customer is walked through the common
 * after-sales jobs with buttons and forms; each step calls the same tools as the model would,
 * so the store's rules and the explicit yes hold exactly as in full mode.
 */
export type Flow = 'track' | 'return' | 'address' | 'cancel';
const FLOWS: readonly Flow[] = ['track', 'return', 'address', 'cancel'];

const ORDER_NUMBER = /\b[A-Z]{1,5}-?\d{3,10}\b/i;
const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/;
const PERSON =
  /\b(person|human|agent|someone|representative|persona|humano|agente|personne|humain|mensch|mitarbeiter|pessoa)\b|人工|真人|客服|موظف|شخص|انسان|إنسان/i;

/** errands by the words customers use for them, most specific first */
const INTENTS: [Flow, RegExp][] = [
  ['cancel', /cancel|anula|annul|stornier|取消|إلغاء|الغاء/iu],
  [
    'return',
    /return|refund|exchange|devol|reembols|cambiar (la|el) talla|retour|rembours|rücksend|umtausch|退货|退款|换货|إرجاع|ارجاع|استرداد|استبدال/iu,
  ],
  ['address', /address|direcci[oó]n|adresse|地址|عنوان/iu],
  [
    'track',
    /\b(track|order|shipping|delivery|parcel|package)|pedido|env[ií]o|seguimiento|commande|colis|bestellung|sendung|订单|物流|快递|包裹|طلب|شحن/iu,
  ],
];

let seq = 0;
const callId = () => `guided-${Date.now().toString(36)}-${++seq}`;

export class FallbackGuide {
  start(c: LiveConversation): void {
    c.say('assistant', phrases(c.record.language).limited);
    this.menu(c);
  }

  menu(c: LiveConversation): void {
    const p = phrases(c.record.language);
    c.record.state.guided = undefined;
    c.card({
      kind: 'choices',
      title: p.menu,
      buttons: [
        { action: 'flow', label: p.track, values: { flow: 'track' } },
        { action: 'flow', label: p.returnItem, values: { flow: 'return' } },
        { action: 'flow', label: p.changeAddress, values: { flow: 'address' } },
        { action: 'flow', label: p.cancelOrder, values: { flow: 'cancel' } },
        { action: 'handoff', label: p.person },
      ],
    });
  }

  async onMessage(c: LiveConversation, text: string): Promise<void> {
    if (PERSON.test(text)) {
      await c.handoff({ reason: 'customer asked for a person', skill: 'after_sales', summary: c.summary() });
      return;
    }
    // Without a model the words still say which errand it is, often enough to skip the menu.
    const flow = INTENTS.find(([, words]) => words.test(text))?.[0];
    if (flow && !ORDER_NUMBER.test(text)) {
      c.say('assistant', phrases(c.record.language).needOrder);
      return this.askOrder(c, flow);
    }
    const number = ORDER_NUMBER.exec(text)?.[0];
    const email = EMAIL.exec(text)?.[0];
    if (number && email) {
      const flow = c.record.state.guided?.flow ?? 'track';
      await this.onAction(c, 'verify', { orderNumber: number, email, flow });
      return;
    }
    // Without a model, words still find products: the catalog's full-text search answers
    // "¿qué medidas tiene el sofá Oslo?" with the sofa's card, dimensions included.
    const hits = await c.service.store.searchProducts({ text: text.slice(0, 200), limit: 3 });
    if (hits.length) {
      c.say('assistant', phrases(c.record.language).found);
      const currency = currencyFor(c.record.language, c.service.policyNow().currencies);
      for (const hit of hits) c.card(productCard(hit.product, c.record.language, currency));
      this.menu(c);
      return;
    }
    c.say('assistant', phrases(c.record.language).notUnderstood);
    this.menu(c);
  }

  async onAction(c: LiveConversation, action: string, values: Record<string, string>): Promise<void> {
    const flow = (values.flow ?? c.record.state.guided?.flow) as Flow | undefined;
    switch (action) {
      case 'menu':
        return this.menu(c);
      case 'flow':
        if (!flow || !FLOWS.includes(flow)) return this.menu(c);
        return this.askOrder(c, flow);
      case 'verify':
        return this.verify(c, values, flow);
      case 'order':
        return this.withOrder(c, values.orderNumber ?? '', flow);
      case 'return_details':
        return this.submitReturn(c, values);
      case 'address_details':
        return this.submitAddress(c, values);
      default:
        c.say('assistant', phrases(c.record.language).notUnderstood);
        return this.menu(c);
    }
  }

  private async askOrder(c: LiveConversation, flow: Flow): Promise<void> {
    const p = phrases(c.record.language);
    c.record.state.guided = { flow, step: 'order', values: {} };
    if (c.record.customerId) {
      const orders = await this.ordersOf(c);
      if (orders && orders.length) {
        c.card({
          kind: 'form',
          title: p.orderNumber,
          fields: [
            {
              name: 'orderNumber',
              label: p.orderNumber,
              type: 'select',
              required: true,
              options: orders.map((o) => ({ value: o.number, label: `${o.number} — ${o.status}` })),
            },
          ],
          submit: 'order',
          data: { flow },
        });
        return;
      }
    }
    c.card({
      kind: 'form',
      title: p.orderNumber,
      fields: [
        { name: 'orderNumber', label: p.orderNumber, type: 'text', required: true },
        { name: 'email', label: p.email, type: 'email', required: true },
      ],
      submit: 'verify',
      data: { flow },
    });
  }

  private async ordersOf(c: LiveConversation): Promise<Order[]> {
    const id = c.record.customerId;
    return id ? c.service.store.listOrders(id) : [];
  }

  private async call(c: LiveConversation, name: string, args: unknown) {
    return c.runTool({ id: callId(), name, arguments: JSON.stringify(args) });
  }

  private async verify(
    c: LiveConversation,
    values: Record<string, string>,
    flow: Flow | undefined,
  ): Promise<void> {
    const out = await this.call(c, 'verify_customer', {
      orderNumber: values.orderNumber ?? '',
      email: values.email ?? '',
    });
    if (!out.ok) {
      c.say('assistant', messageOf(out.result));
      if (out.code === 'VERIFY_LOCKED') return this.menu(c);
      return this.askOrder(c, flow ?? 'track');
    }
    c.say('assistant', phrases(c.record.language).verified);
    return this.withOrder(c, values.orderNumber ?? '', flow);
  }

  private async withOrder(c: LiveConversation, orderNumber: string, flow: Flow | undefined): Promise<void> {
    const p = phrases(c.record.language);
    c.record.state.guided = { flow: flow ?? 'track', step: 'details', values: { orderNumber } };
    switch (flow) {
      case 'return': {
        const out = await this.call(c, 'lookup_order', { orderNumber });
        if (!out.ok) return this.failed(c, out.result);
        const order = out.result as {
          status: string;
          items: { sku: string; title: string; quantity: number }[];
        };
        const card: Card = {
          kind: 'form',
          title: p.returnItem,
          fields: [
            {
              name: 'item',
              label: p.chooseItem,
              type: 'select',
              required: true,
              options: order.items.map((i) => ({ value: i.sku, label: `${i.title} (${i.sku})` })),
            },
            { name: 'reason', label: p.reason, type: 'text', required: true },
            {
              name: 'condition',
              label: p.condition,
              type: 'select',
              required: true,
              options: (['unused', 'damaged_on_arrival', 'wrong_item', 'used'] as const).map((value) => ({
                value,
                label: p.conditions[value],
              })),
            },
          ],
          submit: 'return_details',
          data: { orderNumber },
        };
        c.card(card);
        return;
      }
      case 'address':
        c.card({
          kind: 'form',
          title: p.changeAddress,
          fields: (['name', 'line1', 'city', 'postalCode', 'country'] as const).map((name) => ({
            name,
            label: p.address[name],
            type: 'text' as const,
            required: true,
          })),
          submit: 'address_details',
          data: { orderNumber },
        });
        return;
      case 'cancel': {
        const out = await this.call(c, 'cancel_order', {
          orderNumber,
          reason: 'customer request (guided steps)',
        });
        if (!out.ok && out.code !== 'CONFIRMATION_REQUIRED') return this.failed(c, out.result);
        return;
      }
      default: {
        const out = await this.call(c, 'track_shipment', { orderNumber });
        if (!out.ok) return this.failed(c, out.result);
        this.menu(c);
      }
    }
  }

  private async submitReturn(c: LiveConversation, values: Record<string, string>): Promise<void> {
    const orderNumber = c.record.state.guided?.values.orderNumber ?? values.orderNumber ?? '';
    const out = await this.call(c, 'start_return', {
      orderNumber,
      kind: 'return',
      items: [{ item: values.item ?? '', quantity: 1 }],
      reason: values.reason || 'not given',
      condition: values.condition ?? 'unused',
    });
    if (!out.ok && out.code !== 'CONFIRMATION_REQUIRED') return this.failed(c, out.result);
  }

  private async submitAddress(c: LiveConversation, values: Record<string, string>): Promise<void> {
    const orderNumber = c.record.state.guided?.values.orderNumber ?? values.orderNumber ?? '';
    const out = await this.call(c, 'change_shipping_address', {
      orderNumber,
      address: {
        name: values.name ?? '',
        line1: values.line1 ?? '',
        city: values.city ?? '',
        postalCode: values.postalCode ?? '',
        country: (values.country ?? '').toUpperCase(),
      },
    });
    if (!out.ok && out.code !== 'CONFIRMATION_REQUIRED') return this.failed(c, out.result);
  }

  private failed(c: LiveConversation, result: unknown): void {
    c.say('assistant', messageOf(result));
    this.menu(c);
  }
}

function messageOf(result: unknown): string {
  const r = result as { message?: unknown };
  return typeof r?.message === 'string' ? r.message : 'That did not work.';
}
