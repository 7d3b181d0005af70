/**
 * Errors the store raises. The code is stable (the agent's tools, the REST API and tests match
 * on it); the message is for humans and may change.
 */
export const CommerceErrorCode = {
  ORDER_NOT_FOUND: 'ORDER_NOT_FOUND',
  PRODUCT_NOT_FOUND: 'PRODUCT_NOT_FOUND',
  VARIANT_NOT_FOUND: 'VARIANT_NOT_FOUND',
  CUSTOMER_NOT_FOUND: 'CUSTOMER_NOT_FOUND',
  LINE_ITEM_NOT_FOUND: 'LINE_ITEM_NOT_FOUND',
  /** a field of the request is missing or malformed (quantity, currency, reason) */
  INVALID_REQUEST: 'INVALID_REQUEST',
  INVALID_ADDRESS: 'INVALID_ADDRESS',
  /** the order's state makes the write impossible (cancel a delivered order, return an unshipped one) */
  INVALID_STATE: 'INVALID_STATE',
  OUT_OF_STOCK: 'OUT_OF_STOCK',
  /** the shop behind an HTTP adapter failed, refused our credentials, or kept rate-limiting us */
  UPSTREAM_FAILED: 'UPSTREAM_FAILED',
} as const;
export type CommerceErrorCode = (typeof CommerceErrorCode)[keyof typeof CommerceErrorCode];

const STATUS: Record<CommerceErrorCode, number> = {
  ORDER_NOT_FOUND: 404,
  PRODUCT_NOT_FOUND: 404,
  VARIANT_NOT_FOUND: 404,
  CUSTOMER_NOT_FOUND: 404,
  LINE_ITEM_NOT_FOUND: 404,
  INVALID_REQUEST: 400,
  INVALID_ADDRESS: 422,
  INVALID_STATE: 409,
  OUT_OF_STOCK: 409,
  UPSTREAM_FAILED: 502,
};

export class CommerceError extends Error {
  readonly status: number;

  constructor(
    readonly code: CommerceErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'CommerceError';
    this.status = STATUS[code];
  }

  toJSON(): { code: CommerceErrorCode; message: string } {
    return { code: this.code, message: this.message };
  }
}

export function isCommerceError(err: unknown, code?: CommerceErrorCode): err is CommerceError {
  return err instanceof CommerceError && (code === undefined || err.code === code);
}
