import type { Client, Dispatcher, Pool } from "undici";

/** What a run needs of its dispatcher: send one request, and let go of every connection at the end. */
export interface RunDispatcher {
  dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean;
  destroy(): Promise<void>;
}

// How many requests go by between two sweeps for origins that have gone quiet.
const SWEEP_EVERY = 1024;

/**
 * One undici Pool (or Client) per origin, as undici's Agent keeps them, but let go of only when it
 * has no connection and no request left. undici 7's Agent drops an origin's dispatcher as soon as
 * its connection count reaches zero, work still queued or not, and counts connections by origin
 * rather than by dispatcher (nodejs/undici#5022). Two things followed: an origin's old dispatcher
 * kept serving its queue while a new one opened more sockets beside it (a redirect target saw
 * twice `--per-host` requests at once), and the old one's late disconnects closed the new one, so
 * with one request at a time to a host every URL opened a new connection once one had closed.
 */
export class OriginDispatchers implements RunDispatcher {
  private readonly byOrigin = new Map<string, Pool | Client>();
  private dispatchesSinceSweep = 0;

  constructor(
    private readonly make: (origin: string) => Pool | Client,
    private readonly sweepEvery: number = SWEEP_EVERY,
  ) {}

  dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    // The sweep comes first: it must never let go of the dispatcher this request is about to use
    // (a new one, or one whose connection has closed, looks idle until the request is queued on it).
    if (++this.dispatchesSinceSweep >= this.sweepEvery) this.sweep();
    const origin = String(options.origin);
    return (this.byOrigin.get(origin) ?? this.open(origin)).dispatch(options, handler);
  }

  /** Origins with a dispatcher right now (for tests and the memory bound). */
  get size(): number {
    return this.byOrigin.size;
  }

  async destroy(): Promise<void> {
    const dispatchers = [...this.byOrigin.values()];
    this.byOrigin.clear();
    await Promise.all(dispatchers.map((dispatcher) => dispatcher.destroy()));
  }

  /** A new dispatcher for `origin`, which checks whether it is still needed each time a connection ends. */
  private open(origin: string): Pool | Client {
    const dispatcher = this.make(origin);
    const forgetIfIdle = () => this.forgetIfIdle(origin, dispatcher);
    dispatcher.on("disconnect", forgetIfIdle).on("connectionError", forgetIfIdle);
    this.byOrigin.set(origin, dispatcher);
    return dispatcher;
  }

  /**
   * A disconnect can come while the dispatcher still holds requests (it reconnects for them) or
   * just before the last one ends: the sweep catches those later, so a long list over many hosts
   * keeps only the origins it is using.
   */
  private sweep(): void {
    this.dispatchesSinceSweep = 0;
    for (const [origin, dispatcher] of this.byOrigin) this.forgetIfIdle(origin, dispatcher);
  }

  private forgetIfIdle(origin: string, dispatcher: Pool | Client): void {
    if (this.byOrigin.get(origin) !== dispatcher) return;
    const { connected, size } = dispatcher.stats;
    if (connected || size > 0) return;
    this.byOrigin.delete(origin);
    void dispatcher.close().catch(() => undefined);
  }
}
