/**
 * The parts of the Shopify Admin REST API (version 2024-10) the adapter reads and writes, as
 * Shopify sends them: snake_case, numeric ids, money as decimal strings in the shop's currency.
 */

export interface ShopifyShop {
  currency: string;
  enabled_presentment_currencies?: string[];
}

export interface ShopifyOption {
  name: string;
  position: number;
  values: string[];
}

export interface ShopifyVariant {
  id: number;
  product_id: number;
  sku: string | null;
  price: string;
  option1: string | null;
  option2: string | null;
  option3: string | null;
  inventory_quantity?: number;
  grams?: number;
}

export interface ShopifyProduct {
  id: number;
  handle: string;
  title: string;
  body_html: string | null;
  product_type: string;
  tags: string;
  status?: 'active' | 'archived' | 'draft';
  options: ShopifyOption[];
  variants: ShopifyVariant[];
  image?: { src: string } | null;
}

export interface ShopifyAddress {
  first_name?: string | null;
  last_name?: string | null;
  name?: string | null;
  address1: string | null;
  address2?: string | null;
  city: string | null;
  province?: string | null;
  province_code?: string | null;
  zip: string | null;
  country_code: string | null;
  phone?: string | null;
}

export interface ShopifyCustomer {
  id: number;
  email: string | null;
  first_name: string | null;
  last_name: string | null;
  phone?: string | null;
  default_address?: ShopifyAddress | null;
}

export interface ShopifyLineItem {
  id: number;
  product_id: number | null;
  variant_id: number | null;
  title: string;
  variant_title?: string | null;
  sku: string | null;
  quantity: number;
  price: string;
}

/** shipment_status values Shopify reports for a fulfillment (the carrier's latest word) */
export type ShopifyShipmentStatus =
  | 'label_printed'
  | 'label_purchased'
  | 'attempted_delivery'
  | 'ready_for_pickup'
  | 'confirmed'
  | 'in_transit'
  | 'out_for_delivery'
  | 'delivered'
  | 'failure';

export interface ShopifyFulfillment {
  id: number;
  order_id: number;
  status: 'pending' | 'open' | 'success' | 'cancelled' | 'error' | 'failure';
  created_at: string;
  updated_at: string;
  tracking_company: string | null;
  tracking_number: string | null;
  tracking_numbers?: string[];
  tracking_url: string | null;
  tracking_urls?: string[];
  shipment_status: ShopifyShipmentStatus | null;
}

export interface ShopifyFulfillmentEvent {
  id: number;
  fulfillment_id: number;
  status: ShopifyShipmentStatus | 'delayed';
  happened_at: string;
  message: string | null;
  city: string | null;
  province: string | null;
  country: string | null;
  estimated_delivery_at?: string | null;
}

export interface ShopifyRefund {
  id: number;
  order_id: number;
  created_at: string;
  note: string | null;
  refund_line_items: { line_item_id: number; quantity: number }[];
}

export interface ShopifyOrder {
  id: number;
  /** what the customer sees, with the shop's prefix: "#1001" */
  name: string;
  email: string | null;
  customer?: { id: number } | null;
  created_at: string;
  currency: string;
  total_price: string;
  financial_status:
    | 'pending'
    | 'authorized'
    | 'partially_paid'
    | 'paid'
    | 'partially_refunded'
    | 'refunded'
    | 'voided'
    | null;
  fulfillment_status: 'fulfilled' | 'partial' | 'restocked' | null;
  cancelled_at: string | null;
  cancel_reason: 'customer' | 'fraud' | 'inventory' | 'declined' | 'other' | null;
  note?: string | null;
  line_items: ShopifyLineItem[];
  shipping_address: ShopifyAddress | null;
  fulfillments?: ShopifyFulfillment[];
}

export interface ShopifyMetafield {
  id: number;
  namespace: string;
  key: string;
  type: string;
  value: string;
  created_at?: string;
}
