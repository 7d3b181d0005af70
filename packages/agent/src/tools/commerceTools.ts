import { z } from 'zod';
import type { Order, Product, ReturnItem } from '@liveport/commerce';
import { defineTool, refuse, type Tool, type ToolContext, type ToolOutput } from './Tool.ts';
import { requireConfirmation } from './confirmation.ts';
import {
  currencyFor,
  formatMoney,
  orderCard,
  orderFacts,
  productCard,
  productFacts,
  returnCard,
} from './present.ts';
import { phrases } from '../phrases.ts';

/**
 * The tools the model may call. Each one enforces the store's rules itself, whatever the
 * model asks: who may see an order, which state allows which change, the return window, and
 * the customer's explicit yes before any change. The model only chooses among allowed moves.
 */

const MAX_VERIFY_FAILURES = 5;
const orderNumber = z.string().min(1).max(40).describe('the order number the customer gave, e.g. LP-1042');

function currencyOf(ctx: ToolContext, wanted?: string): string {
  const upper = wanted?.toUpperCase();
  if (upper && ctx.policy.currencies.includes(upper)) return upper;
  return currencyFor(ctx.conversation.language, ctx.policy.currencies);
}

function cleanNumber(text: string): string {
  return text.trim().replace(/^#/, '').toUpperCase();
}

/**
 * The order, only if it belongs to the customer verified in this conversation. A missing
 * order and someone else's order get the same answer, so numbers cannot be probed.
 */
async function ownedOrder(ctx: ToolContext, number: string): Promise<Order | ToolOutput> {
  const customerId = ctx.conversation.customerId;
  if (!customerId) {
    return refuse(
      'NOT_VERIFIED',
      'The customer is not verified. Ask for the order number and the e-mail address used for it, then call verify_customer.',
    );
  }
  const order = await ctx.store.getOrderByNumber(cleanNumber(number));
  if (!order || order.customerId !== customerId) {
    ctx.audit({ action: 'order_access', outcome: 'refused', target: cleanNumber(number), details: {} });
    return refuse('ORDER_NOT_FOUND', `No order ${cleanNumber(number)} belongs to the verified customer.`);
  }
  return order;
}

const isOutput = (v: unknown): v is ToolOutput => typeof v === 'object' && v !== null && 'result' in v;

async function findProduct(ctx: ToolContext, ref: string): Promise<Product | undefined> {
  return (
    (await ctx.store.getProduct(ref)) ?? (await ctx.store.searchProducts({ text: ref, limit: 1 }))[0]?.product
  );
}

export const searchProducts = defineTool({
  name: 'search_products',
  description:
    'Search the catalog by words (any language), optionally by category and maximum price. Returns matching products with prices, stock and dimensions.',
  schema: z.object({
    query: z.string().min(1).max(200),
    category: z.string().max(40).optional(),
    maxPrice: z.number().positive().optional().describe('in major units of the currency, e.g. 500 for $500'),
    currency: z.string().length(3).optional(),
    limit: z.number().int().min(1).max(10).optional(),
  }),
  async run(args, ctx) {
    const currency = currencyOf(ctx, args.currency);
    const language = ctx.conversation.language;
    const hits = await ctx.store.searchProducts({
      text: args.query,
      category: args.category,
      maxPrice:
        args.maxPrice !== undefined ? { amount: Math.round(args.maxPrice * 100), currency } : undefined,
      limit: args.limit ?? 5,
    });
    return {
      ok: true,
      result: { currency, products: hits.map((h) => productFacts(h.product, language, currency)) },
      cards: hits.slice(0, 3).map((h) => productCard(h.product, language, currency)),
    };
  },
});

export const getProduct = defineTool({
  name: 'get_product',
  description:
    'Full details of one product by handle, id or name: variants (size, colour, material), dimensions in cm, stock, prices.',
  schema: z.object({ product: z.string().min(1).max(200), currency: z.string().length(3).optional() }),
  async run(args, ctx) {
    const product = await findProduct(ctx, args.product);
    if (!product) return refuse('PRODUCT_NOT_FOUND', `No product matches "${args.product}".`);
    const currency = currencyOf(ctx, args.currency);
    const language = ctx.conversation.language;
    return {
      ok: true,
      result: productFacts(product, language, currency),
      cards: [productCard(product, language, currency)],
    };
  },
});

export const compareProducts = defineTool({
  name: 'compare_products',
  description: 'Compare two to four products side by side (price, dimensions, materials, stock).',
  schema: z.object({
    products: z.array(z.string().min(1).max(200)).min(2).max(4),
    currency: z.string().length(3).optional(),
  }),
  async run(args, ctx) {
    const currency = currencyOf(ctx, args.currency);
    const language = ctx.conversation.language;
    const found = await Promise.all(args.products.map((p) => findProduct(ctx, p)));
    const missing = args.products.filter((_, i) => !found[i]);
    if (missing.length) return refuse('PRODUCT_NOT_FOUND', `Not found: ${missing.join(', ')}`);
    const products = found as Product[];
    return {
      ok: true,
      result: { currency, products: products.map((p) => productFacts(p, language, currency)) },
      cards: products.map((p) => productCard(p, language, currency)),
    };
  },
});

function cosine(a: number[], b: number[]): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * (b[i] ?? 0);
    na += a[i]! * a[i]!;
    nb += (b[i] ?? 0) * (b[i] ?? 0);
  }
  return na && nb ? dot / Math.sqrt(na * nb) : 0;
}

const productVectors = new WeakMap<object, Map<string, number[]>>();

export const recommendProducts = defineTool({
  name: 'recommend_products',
  description:
    "Recommend in-stock products for a need the customer describes (room, use, style, budget). Use the customer's own words.",
  schema: z.object({
    need: z.string().min(1).max(500),
    category: z.string().max(40).optional(),
    budget: z.number().positive().optional().describe('maximum price in major units'),
    currency: z.string().length(3).optional(),
  }),
  async run(args, ctx) {
    const currency = currencyOf(ctx, args.currency);
    const language = ctx.conversation.language;
    const maxPrice =
      args.budget !== undefined ? { amount: Math.round(args.budget * 100), currency } : undefined;
    let candidates = (
      await ctx.store.searchProducts({ text: args.need, category: args.category, maxPrice, limit: 20 })
    )
      .map((h) => h.product)
      .filter((p) => p.variants.some((v) => v.stock > 0));
    if (ctx.embed) {
      // Words miss needs phrased unlike the catalog ("somewhere to nap"); embeddings rank by meaning.
      const all = (await ctx.store.listProducts()).filter(
        (p) =>
          p.variants.some((v) => v.stock > 0) &&
          (!args.category || p.category === args.category) &&
          (!maxPrice ||
            p.variants.some((v) =>
              v.prices.some((m) => m.currency === currency && m.amount <= maxPrice.amount),
            )),
      );
      let cache = productVectors.get(ctx.store);
      if (!cache) productVectors.set(ctx.store, (cache = new Map()));
      const todo = all.filter((p) => !cache.has(p.id));
      if (todo.length) {
        const vectors = await ctx.embed(
          todo.map((p) => `${p.title.en}. ${p.description.en}. ${p.tags.join(', ')}`),
        );
        todo.forEach((p, i) => cache.set(p.id, vectors[i] ?? []));
      }
      const [need] = await ctx.embed([args.need]);
      if (need) {
        const words = new Set(candidates.map((p) => p.id));
        candidates = all
          .map((p) => ({ p, score: cosine(need, cache.get(p.id) ?? []) + (words.has(p.id) ? 0.2 : 0) }))
          .sort((a, b) => b.score - a.score)
          .map((x) => x.p);
      }
    }
    const picks = candidates.slice(0, 3);
    return {
      ok: true,
      result: { currency, recommendations: picks.map((p) => productFacts(p, language, currency)) },
      cards: picks.map((p) => productCard(p, language, currency)),
    };
  },
});

export const verifyCustomer = defineTool({
  name: 'verify_customer',
  description:
    "Verify the customer's identity with an order number and the e-mail address used for that order. Required before any order can be looked up or changed.",
  schema: z.object({ orderNumber, email: z.string().min(3).max(200) }),
  async run(args, ctx) {
    const state = ctx.conversation.state;
    const failures = state.verifyFailures ?? 0;
    if (failures >= MAX_VERIFY_FAILURES) {
      ctx.audit({ action: 'verify_customer', outcome: 'refused', details: { reason: 'too many attempts' } });
      return refuse('VERIFY_LOCKED', 'Too many failed attempts. Offer to hand the customer to a person.');
    }
    const order = await ctx.store.getOrderByNumber(cleanNumber(args.orderNumber));
    const matches = order && order.email.trim().toLowerCase() === args.email.trim().toLowerCase();
    if (!order || !matches) {
      state.verifyFailures = failures + 1;
      ctx.audit({
        action: 'verify_customer',
        outcome: 'refused',
        target: cleanNumber(args.orderNumber),
        details: args,
      });
      return refuse('NOT_VERIFIED', phrases(ctx.conversation.language).notVerified);
    }
    if (ctx.conversation.customerId && ctx.conversation.customerId !== order.customerId) {
      // One conversation, one customer: a second identity would widen what this chat can reach.
      ctx.audit({
        action: 'verify_customer',
        outcome: 'refused',
        target: order.number,
        details: { reason: 'other customer' },
      });
      return refuse('NOT_VERIFIED', 'This conversation is already verified as another customer.');
    }
    ctx.conversation.customerId = order.customerId;
    ctx.conversation.verifiedBy ??= 'order_email';
    if (!state.verifiedOrderIds.includes(order.id)) state.verifiedOrderIds.push(order.id);
    state.verifyFailures = 0;
    ctx.audit({ action: 'verify_customer', outcome: 'done', target: order.number, details: {} });
    const customer = await ctx.store.getCustomer(order.customerId);
    return {
      ok: true,
      result: {
        verified: true,
        customerName: customer?.name,
        order: orderFacts(order, ctx.conversation.language),
      },
      // no card: the next step (a lookup, tracking, a change) shows the order once
    };
  },
});

export const lookupOrder = defineTool({
  name: 'lookup_order',
  description:
    "Look up one of the verified customer's orders by number, or list all their orders when no number is given.",
  schema: z.object({ orderNumber: orderNumber.optional() }),
  async run(args, ctx) {
    const language = ctx.conversation.language;
    if (!args.orderNumber) {
      if (!ctx.conversation.customerId) return (await ownedOrder(ctx, '')) as ToolOutput;
      const orders = await ctx.store.listOrders(ctx.conversation.customerId);
      return { ok: true, result: { orders: orders.map((o) => orderFacts(o, language)) } };
    }
    const order = await ownedOrder(ctx, args.orderNumber);
    if (isOutput(order)) return order;
    const [shipments, returns] = await Promise.all([
      ctx.store.listShipments(order.id),
      ctx.store.listReturns(order.id),
    ]);
    return {
      ok: true,
      result: {
        ...orderFacts(order, language),
        returns,
        shipments: shipments.map((s) => ({ carrier: s.carrier, trackingNumber: s.trackingNumber })),
      },
      cards: [orderCard(order, language, shipments)],
    };
  },
});

export const trackShipment = defineTool({
  name: 'track_shipment',
  description:
    "Carrier tracking of a verified customer's order: carrier, tracking number, events, estimated delivery.",
  schema: z.object({ orderNumber }),
  async run(args, ctx) {
    const order = await ownedOrder(ctx, args.orderNumber);
    if (isOutput(order)) return order;
    const shipments = await ctx.store.listShipments(order.id);
    return {
      ok: true,
      result: {
        order: order.number,
        status: order.status,
        shipments: shipments.map((s) => ({
          carrier: s.carrier,
          trackingNumber: s.trackingNumber,
          trackingUrl: s.trackingUrl,
          shippedAt: s.shippedAt,
          estimatedDelivery: s.estimatedDelivery,
          events: s.events,
        })),
        ...(shipments.length === 0 && { note: 'Not shipped yet.' }),
      },
      cards: [orderCard(order, ctx.conversation.language, shipments)],
    };
  },
});

const addressSchema = z.object({
  name: z.string().min(1).max(120),
  line1: z.string().min(1).max(200),
  line2: z.string().max(200).optional(),
  city: z.string().min(1).max(100),
  region: z.string().max(100).optional(),
  postalCode: z.string().min(1).max(20),
  country: z.string().length(2).describe('ISO 3166-1 alpha-2, e.g. ES'),
  phone: z.string().max(40).optional(),
});

export const changeShippingAddress = defineTool({
  name: 'change_shipping_address',
  description:
    "Change the delivery address of a verified customer's order that has not been dispatched. The customer must confirm the exact new address first.",
  mutates: true,
  schema: z.object({ orderNumber, address: addressSchema }),
  async run(args, ctx) {
    const order = await ownedOrder(ctx, args.orderNumber);
    if (isOutput(order)) return order;
    if (!ctx.policy.addressChangeStatuses.includes(order.status)) {
      ctx.audit({
        action: 'change_shipping_address',
        outcome: 'refused',
        target: order.number,
        details: { status: order.status },
      });
      return refuse(
        'NOT_ALLOWED',
        `Order ${order.number} is ${order.status}; the address can only be changed while the order is ${ctx.policy.addressChangeStatuses.join(' or ')}.`,
      );
    }
    const a = { ...args.address, country: args.address.country.toUpperCase() };
    const gate = requireConfirmation(
      ctx,
      'change_shipping_address',
      { ...args, address: a },
      {
        title: `${order.number}: ${phrases(ctx.conversation.language).confirmAddress}`,
        lines: [
          a.name,
          [a.line1, a.line2].filter(Boolean).join(', '),
          `${a.postalCode} ${a.city}${a.region ? `, ${a.region}` : ''}`,
          a.country,
        ],
      },
      args,
    );
    if (gate !== 'confirmed') return gate;
    const updated = await ctx.store.updateShippingAddress(order.id, a);
    ctx.audit({
      action: 'change_shipping_address',
      outcome: 'done',
      target: order.number,
      details: { address: a },
    });
    return {
      ok: true,
      result: { done: true, order: orderFacts(updated, ctx.conversation.language) },
      cards: [orderCard(updated, ctx.conversation.language)],
    };
  },
});

export const cancelOrder = defineTool({
  name: 'cancel_order',
  description:
    "Cancel a verified customer's order while the store still allows it (before dispatch). The customer must confirm first.",
  mutates: true,
  schema: z.object({ orderNumber, reason: z.string().min(1).max(300) }),
  async run(args, ctx) {
    const order = await ownedOrder(ctx, args.orderNumber);
    if (isOutput(order)) return order;
    if (!ctx.policy.cancelStatuses.includes(order.status)) {
      ctx.audit({
        action: 'cancel_order',
        outcome: 'refused',
        target: order.number,
        details: { status: order.status },
      });
      return refuse(
        'NOT_ALLOWED',
        `Order ${order.number} is ${order.status}; it can only be cancelled while ${ctx.policy.cancelStatuses.join(', ')}.` +
          (order.status === 'shipped' || order.status === 'delivered'
            ? ' Offer a return once it is delivered.'
            : ''),
      );
    }
    const language = ctx.conversation.language;
    const gate = requireConfirmation(
      ctx,
      'cancel_order',
      { orderNumber: order.number, reason: args.reason },
      {
        title: `${phrases(language).confirmCancel} ${order.number}`,
        lines: [...order.items.map((i) => `${i.quantity} × ${i.title}`), formatMoney(order.total, language)],
      },
      args,
    );
    if (gate !== 'confirmed') return gate;
    const updated = await ctx.store.cancelOrder(order.id, args.reason);
    ctx.audit({
      action: 'cancel_order',
      outcome: 'done',
      target: order.number,
      details: { reason: args.reason },
    });
    return {
      ok: true,
      result: { done: true, order: orderFacts(updated, language) },
      cards: [orderCard(updated, language)],
    };
  },
});

const condition = z.enum(['unused', 'used', 'damaged_on_arrival', 'wrong_item']);

export const startReturn = defineTool({
  name: 'start_return',
  description:
    "Start a return (refund) or an exchange for items of a verified customer's delivered order, within the return window and the store's condition rules. The customer must confirm first.",
  mutates: true,
  schema: z.object({
    orderNumber,
    kind: z.enum(['return', 'exchange']),
    items: z
      .array(
        z.object({
          item: z.string().min(1).max(60).describe('the SKU or line item id from the order'),
          quantity: z.number().int().min(1).max(100).default(1),
          exchangeSku: z.string().max(60).optional().describe('for an exchange: the SKU wanted instead'),
        }),
      )
      .min(1)
      .max(20),
    reason: z.string().min(1).max(300),
    condition,
  }),
  async run(args, ctx) {
    const order = await ownedOrder(ctx, args.orderNumber);
    if (isOutput(order)) return order;
    const deny = (message: string) => {
      ctx.audit({ action: 'start_return', outcome: 'refused', target: order.number, details: { message } });
      return refuse('NOT_ALLOWED', message);
    };
    if (order.status !== 'delivered')
      return deny(`Order ${order.number} is ${order.status}; only delivered orders can be returned.`);
    const deliveredAt = order.deliveredAt ? Date.parse(order.deliveredAt) : NaN;
    const windowEnds = deliveredAt + ctx.policy.returnWindowDays * 86_400_000;
    if (!Number.isFinite(deliveredAt) || ctx.now.getTime() > windowEnds) {
      return deny(
        `Order ${order.number} was delivered on ${order.deliveredAt?.slice(0, 10)}; the ${ctx.policy.returnWindowDays}-day return window ended on ${new Date(windowEnds).toISOString().slice(0, 10)}. Offer a person if the customer wants an exception.`,
      );
    }
    const fault = args.condition === 'damaged_on_arrival' || args.condition === 'wrong_item';
    if (!fault && !ctx.policy.returnableConditions.includes(args.condition)) {
      return deny(
        `Items in condition "${args.condition}" cannot be returned; accepted: ${ctx.policy.returnableConditions.join(', ')}, or damaged on arrival / wrong item.`,
      );
    }
    const earlier = (await ctx.store.listReturns(order.id)).filter((r) => r.status !== 'rejected');
    const items: ReturnItem[] = [];
    for (const wanted of args.items) {
      const line = order.items.find(
        (i) => i.id === wanted.item || i.sku.toUpperCase() === wanted.item.toUpperCase(),
      );
      if (!line) return deny(`Order ${order.number} has no item ${wanted.item}.`);
      const already = earlier
        .flatMap((r) => r.items)
        .filter((i) => i.lineItemId === line.id)
        .reduce((n, i) => n + i.quantity, 0);
      if (wanted.quantity > line.quantity - already) {
        return deny(`Only ${line.quantity - already} of ${line.title} can still be returned.`);
      }
      const product = await ctx.store.getProduct(line.productId);
      if (product && !product.returnable && !fault)
        return deny(`${line.title} cannot be returned (final sale) unless it arrived damaged or wrong.`);
      let exchangeVariantId: string | undefined;
      if (args.kind === 'exchange') {
        const variant = product?.variants.find(
          (v) => v.sku.toUpperCase() === wanted.exchangeSku?.toUpperCase(),
        );
        if (!variant)
          return deny(`For an exchange, name the SKU wanted instead of ${line.title} (same product).`);
        if (variant.stock < wanted.quantity)
          return deny(`${variant.sku} is out of stock; offer a return instead.`);
        exchangeVariantId = variant.id;
      }
      items.push({
        lineItemId: line.id,
        quantity: wanted.quantity,
        ...(exchangeVariantId && { exchangeVariantId }),
      });
    }
    const language = ctx.conversation.language;
    const gate = requireConfirmation(
      ctx,
      'start_return',
      { ...args, orderNumber: order.number, items },
      {
        title: `${phrases(language).confirmReturn} ${order.number}`,
        lines: [
          args.kind,
          ...items.map(
            (i) => `${i.quantity} × ${order.items.find((l) => l.id === i.lineItemId)?.title ?? i.lineItemId}`,
          ),
          args.reason,
        ],
      },
      args,
    );
    if (gate !== 'confirmed') return gate;
    const created = await ctx.store.createReturn({
      orderId: order.id,
      kind: args.kind,
      items,
      reason: args.reason,
      condition: args.condition,
    });
    ctx.audit({
      action: 'start_return',
      outcome: 'done',
      target: order.number,
      details: { id: created.id, kind: args.kind },
    });
    return { ok: true, result: { done: true, return: created }, cards: [returnCard(created, order.number)] };
  },
});

export const storePolicy = defineTool({
  name: 'get_store_policy',
  description:
    "The store's rules: return window, accepted conditions, when addresses can change and orders be cancelled, currencies.",
  schema: z.object({}),
  async run(_args, ctx) {
    return { ok: true, result: ctx.policy };
  },
});

export const SKILLS = ['sales', 'after_sales', 'billing', 'complaints'] as const;

export const handoffToHuman = defineTool({
  name: 'handoff_to_human',
  description:
    'Hand the conversation to a human colleague: when the customer asks for a person, when the request is outside these tools or the policy (an exception), or when you cannot finish. Write a summary so the person needs to ask nothing again.',
  schema: z.object({
    reason: z.string().min(1).max(300),
    skill: z.enum(SKILLS),
    language: z.string().min(2).max(35).optional(),
    summary: z
      .string()
      .min(10)
      .max(2000)
      .describe('what the customer wants, what is known (verified? order numbers), what was tried'),
  }),
  async run(args, ctx) {
    const language = (args.language ?? ctx.conversation.language).split('-')[0]!;
    const { handoff, position } = ctx.handoff({
      reason: args.reason,
      skill: args.skill,
      language,
      summary: args.summary,
    });
    ctx.audit({
      action: 'handoff_to_human',
      outcome: 'done',
      target: handoff.queue,
      details: { reason: args.reason },
    });
    const text = phrases(ctx.conversation.language).handoff(position, args.skill.replace('_', '-'));
    return {
      ok: true,
      result: { handedOff: true, queue: handoff.queue, position, toldCustomer: text },
      // no card: the node says it in a message, and the widget shows the queue from `state`
    };
  },
});

export const commerceTools: Tool[] = [
  searchProducts,
  getProduct,
  compareProducts,
  recommendProducts,
  verifyCustomer,
  lookupOrder,
  trackShipment,
  changeShippingAddress,
  cancelOrder,
  startReturn,
  storePolicy,
  handoffToHuman,
] as Tool[];
