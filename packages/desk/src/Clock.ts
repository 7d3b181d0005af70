/** Opaque: whatever the clock's setTimeout returned, handed back to its clearTimeout. */
export type TimerHandle = unknown;

/**
 * Time as the router sees it. Injected so routing is pure logic: tests drive a ManualClock
 * through offer timeouts and service levels without sleeping.
 */
export interface Clock {
  /** ms since epoch */
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout(fn, ms) {
    // A pending offer or service-level timer must not keep a process alive that is shutting down.
    return setTimeout(fn, ms).unref();
  },
  clearTimeout(handle) {
    clearTimeout(handle as ReturnType<typeof setTimeout>);
  },
};
