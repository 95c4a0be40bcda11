// Visible reading time, handed over in chunks (the lesson reader records each as `time_spent`).

/**
 * Counts visible reading time and hands it over in chunks: every `chunkSeconds` of visible time,
 * when the page is hidden, and at the end. Time while the tab is hidden or the device idles does
 * not count.
 */
export class ReadingClock {
  #visibleSince: number | null = null;
  #banked = 0;
  readonly #chunk: number;
  readonly #emit: (seconds: number) => void;
  readonly #minimum: number;
  #timer: ReturnType<typeof setInterval> | null = null;
  readonly #now: () => number;

  constructor(emit: (seconds: number) => void, opts: { chunkSeconds?: number; minimumSeconds?: number; now?: () => number } = {}) {
    this.#emit = emit;
    this.#chunk = opts.chunkSeconds ?? 60;
    this.#minimum = opts.minimumSeconds ?? 3;
    this.#now = opts.now ?? (() => Date.now());
  }

  /** Starts counting (if the page is visible) and follows visibility changes. */
  start(): () => void {
    const onVisibility = () => (document.visibilityState === 'visible' ? this.resume() : this.pause(true));
    document.addEventListener('visibilitychange', onVisibility);
    addEventListener('pagehide', this.#onHide);
    if (document.visibilityState === 'visible') this.resume();
    this.#timer = setInterval(() => this.tick(), 5_000);
    return () => {
      document.removeEventListener('visibilitychange', onVisibility);
      removeEventListener('pagehide', this.#onHide);
      if (this.#timer) clearInterval(this.#timer);
      this.pause(true);
    };
  }

  #onHide = () => this.pause(true);

  resume(): void {
    this.#visibleSince ??= this.#now();
  }

  /** Stops counting; with `flush`, hands over what was counted (if it is worth an event). */
  pause(flush = false): void {
    if (this.#visibleSince !== null) {
      this.#banked += (this.#now() - this.#visibleSince) / 1000;
      this.#visibleSince = null;
    }
    if (flush && this.#banked >= this.#minimum) {
      const s = this.#banked;
      this.#banked = 0;
      this.#emit(s);
    }
  }

  /** Hands over a full chunk once one has been counted. */
  tick(): void {
    const counting = this.#visibleSince !== null;
    if (counting) {
      this.pause();
      this.resume();
    }
    while (this.#banked >= this.#chunk) {
      this.#banked -= this.#chunk;
      this.#emit(this.#chunk);
    }
  }

  /** Seconds counted and not yet handed over. */
  get counted(): number {
    const running = this.#visibleSince === null ? 0 : (this.#now() - this.#visibleSince) / 1000;
    return this.#banked + running;
  }
}
