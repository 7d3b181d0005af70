/**
 * The store as the agent and the desk see it, whatever shop software holds the data. Money is
 * kept in minor units (cents) with its ISO 4217 currency, so no float ever rounds a price.
 */

export interface Money {
  /** minor units: 12999 with currency 'USD' is $129.99 */
  amount: number;
  currency: string;
}

/** A product's text in one language; `en` is always present, others where the shop has them. */
export type Localized = Record<string, string> & { en: string };

export interface Dimensions {
  widthCm: number;
  depthCm: number;
  heightCm: number;
  weightKg?: number;
}

export interface Variant {
  id: string;
  sku: string;
  /** e.g. { colour: 'Oat', size: 'L', material: 'Linen' } */
  options: Record<string, string>;
  /** the price in each currency the shop sells in */
  prices: Money[];
  stock: number;
  dimensions?: Dimensions;
}

export type ProductCategory = 'furniture' | 'jewellery' | 'apparel' | (string & {});

export interface Product {
  id: string;
  /** URL-safe name, the storefront's /products/:handle */
  handle: string;
  title: Localized;
  description: Localized;
  category: ProductCategory;
  tags: string[];
  materials: string[];
  imageUrl?: string;
  variants: Variant[];
  /** returnable at all (made-to-order and pierced jewellery often are not) */
  returnable: boolean;
}

export interface Address {
  name: string;
  line1: string;
  line2?: string;
  city: string;
  region?: string;
  postalCode: string;
  /** ISO 3166-1 alpha-2 */
  country: string;
  phone?: string;
}

export interface Customer {
  id: string;
  email: string;
  name: string;
  phone?: string;
  /** BCP 47, e.g. 'es', 'ar', 'zh' */
  language: string;
  country: string;
  defaultAddress?: Address;
}

/**
 * pending: placed, not paid; paid: paid, not yet picked; processing: being packed;
 * shipped: handed to the carrier; delivered; cancelled; returned (all items back and refunded).
 */
export type OrderStatus =
  'pending' | 'paid' | 'processing' | 'shipped' | 'delivered' | 'cancelled' | 'returned';

export interface LineItem {
  id: string;
  productId: string;
  variantId: string;
  title: string;
  sku: string;
  quantity: number;
  unitPrice: Money;
}

export interface Order {
  id: string;
  /** what the customer sees, e.g. 'LP-1042' */
  number: string;
  customerId: string;
  email: string;
  status: OrderStatus;
  currency: string;
  items: LineItem[];
  total: Money;
  shippingAddress: Address;
  placedAt: string;
  /** ISO time of delivery, once delivered */
  deliveredAt?: string;
  cancelledAt?: string;
  cancelReason?: string;
}

export interface TrackingEvent {
  at: string;
  status: 'label_created' | 'in_transit' | 'customs' | 'out_for_delivery' | 'delivered' | 'exception';
  location: string;
  description: string;
}

export interface Shipment {
  id: string;
  orderId: string;
  carrier: string;
  trackingNumber: string;
  trackingUrl?: string;
  shippedAt: string;
  estimatedDelivery?: string;
  events: TrackingEvent[];
}

export type ReturnKind = 'return' | 'exchange';
export type ReturnStatus = 'requested' | 'approved' | 'received' | 'refunded' | 'rejected';
export type ItemCondition = 'unused' | 'used' | 'damaged_on_arrival' | 'wrong_item';

export interface ReturnItem {
  lineItemId: string;
  quantity: number;
  /** for an exchange: the variant wanted instead */
  exchangeVariantId?: string;
}

export interface ReturnRequest {
  id: string;
  orderId: string;
  kind: ReturnKind;
  status: ReturnStatus;
  items: ReturnItem[];
  reason: string;
  condition: ItemCondition;
  createdAt: string;
}

/** What a caller supplies to start a return; the store assigns id, status and time. */
export type NewReturnRequest = Omit<ReturnRequest, 'id' | 'status' | 'createdAt'>;

export interface StorePolicy {
  /** days after delivery within which a return or exchange may be started */
  returnWindowDays: number;
  /** conditions accepted for a return (an item damaged on arrival is always accepted) */
  returnableConditions: ItemCondition[];
  /** order states in which the shipping address may still be changed */
  addressChangeStatuses: OrderStatus[];
  /** order states in which the customer may still cancel */
  cancelStatuses: OrderStatus[];
  currencies: string[];
  /** shown to customers; the agent quotes it */
  summary: string;
}

export interface ProductQuery {
  text?: string;
  category?: string;
  maxPrice?: Money;
  limit?: number;
}

export interface ProductHit {
  product: Product;
  score: number;
}

/**
 * Any shop behind Liveport. Reads are plain; writes enforce nothing but data integrity — the
 * store's policy is enforced by the caller (the agent's tools), which reads `policy()`.
 *
 * `get*` and `find*` return undefined for a record that does not exist; `list*` of an unknown
 * order or customer, and every write, throw CommerceError (ORDER_NOT_FOUND, ...). Writes also
 * refuse what is physically impossible whatever the policy says, with INVALID_STATE: changing
 * the address or cancelling once the parcel is with the carrier, returning before delivery.
 * `getOrderByNumber` accepts the number as customers type it: 'LP-1001', 'lp1001', '#1001', '1001'.
 */
export interface StoreAdapter {
  readonly name: string;
  policy(): Promise<StorePolicy>;
  searchProducts(query: ProductQuery): Promise<ProductHit[]>;
  getProduct(idOrHandle: string): Promise<Product | undefined>;
  listProducts(): Promise<Product[]>;
  getCustomer(id: string): Promise<Customer | undefined>;
  findCustomerByEmail(email: string): Promise<Customer | undefined>;
  getOrderByNumber(number: string): Promise<Order | undefined>;
  getOrder(id: string): Promise<Order | undefined>;
  listOrders(customerId: string): Promise<Order[]>;
  listShipments(orderId: string): Promise<Shipment[]>;
  listReturns(orderId: string): Promise<ReturnRequest[]>;
  updateShippingAddress(orderId: string, address: Address): Promise<Order>;
  cancelOrder(orderId: string, reason: string): Promise<Order>;
  createReturn(request: NewReturnRequest): Promise<ReturnRequest>;
  close?(): Promise<void> | void;
}
