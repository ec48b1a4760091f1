/**
 * Thrown by a handler whose event follows another that this consumer has not
 * applied yet and that travels on another topic or partition (a booklet's
 * program, a redemption's booklet). Kafka orders a partition, not the topics a
 * consumer reads: catching up, a fetch may bring the effect before its cause.
 * Retrying in place cannot help (the cause waits behind it in the same
 * consumer), so the partition stops at this event and is paused for a while,
 * the others go on, and the event is fetched again. Only after
 * `CONSUMER_AWAIT_CAUSE_MS` without its cause is it dead-lettered.
 */
export class AwaitingCause extends Error {
  constructor(
    /** What the event waits for, e.g. `booklet 8f…`: the same words for every event that follows it. */
    readonly awaited: string,
    /** What in the event waits, e.g. `pass 3c…`. */
    waiting?: string,
  ) {
    super(`${waiting ? `${waiting} ` : ''}waits for ${awaited}`);
    this.name = 'AwaitingCause';
  }
}
