import type { Clock, TimerHandle } from './Clock.ts';

interface Timer {
  id: number;
  at: number;
  fn: () => void;
}

/**
 * A clock that moves only when told to. `advance` fires due timers in time order, each with
 * `now()` set to its due time, including timers those timers schedule within the same span.
 */
export class ManualClock implements Clock {
  private time: number;
  private nextId = 1;
  private readonly timers = new Map<number, Timer>();

  constructor(start = Date.UTC(2025, 0, 6, 9, 0, 0)) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const id = this.nextId++;
    this.timers.set(id, { id, at: this.time + Math.max(0, ms), fn });
    return id;
  }

  clearTimeout(handle: TimerHandle): void {
    this.timers.delete(handle as number);
  }

  advance(ms: number): void {
    const until = this.time + ms;
    for (let timer = this.nextDue(until); timer; timer = this.nextDue(until)) {
      this.timers.delete(timer.id);
      this.time = timer.at;
      timer.fn();
    }
    this.time = until;
  }

  /** timers scheduled and not yet fired or cleared */
  get pending(): number {
    return this.timers.size;
  }

  private nextDue(until: number): Timer | undefined {
    let next: Timer | undefined;
    for (const timer of this.timers.values()) {
      if (
        timer.at <= until &&
        (!next || timer.at < next.at || (timer.at === next.at && timer.id < next.id))
      ) {
        next = timer;
      }
    }
    return next;
  }
}
