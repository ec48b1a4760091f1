const DAY_MS = 86_400_000;

/**
 * The day the calendar operations believe it is: which settlement months are
 * over, which passes are due to expire. It is the real time everywhere but in
 * the chaos soak (CLOCK_OFFSET_DAYS, refused in production), which needs a
 * closed month and expired passes within minutes. Timestamps recorded with
 * events are never shifted.
 */
export class OperationsClock {
  constructor(readonly offsetDays = 0) {}

  now(): Date {
    return new Date(Date.now() + this.offsetDays * DAY_MS);
  }
}
