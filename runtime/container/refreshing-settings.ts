/**
 * Settings for a long-running process: read once at start (a process that cannot read its config
 * does not start), then refreshed on use once the cached value is older than its max age (see
 * `ServiceConfig`). If a refresh fails, the last good settings stay in use and the failure is
 * logged; the next attempt waits `retryAfterSeconds`, so an outage of Parameter Store neither
 * takes the service down nor floods it with calls.
 */
import type { ServerLog } from './http-server';

/** Properties of {@link RefreshingSettings}. */
export interface RefreshingSettingsProps<T> {
  /** Reads the settings, with caching (a `ServiceConfig`). */
  readonly source: { read(): Promise<T> };
  readonly log: Pick<ServerLog, 'warn'>;
  /**
   * Seconds to keep serving the last good settings after a failed refresh before trying again.
   * @default 30
   */
  readonly retryAfterSeconds?: number;
  /** The clock, in milliseconds; for tests. @default Date.now */
  readonly now?: () => number;
}

export class RefreshingSettings<T> {
  readonly #props: RefreshingSettingsProps<T>;
  #lastGood?: T;
  #retryAt = 0;

  constructor(props: RefreshingSettingsProps<T>) {
    this.#props = props;
  }

  /**
   * The first read.
   *
   * @throws the source's error: a process without its settings should not start
   */
  async start(): Promise<T> {
    this.#lastGood = await this.#props.source.read();
    return this.#lastGood;
  }

  /** The current settings: refreshed when due, else the last good ones. */
  async current(): Promise<T> {
    const lastGood = this.#lastGood;
    if (lastGood === undefined) return this.start();
    const now = (this.#props.now ?? Date.now)();
    if (now < this.#retryAt) return lastGood;
    try {
      this.#lastGood = await this.#props.source.read();
      return this.#lastGood;
    } catch (error) {
      this.#retryAt = now + (this.#props.retryAfterSeconds ?? 30) * 1000;
      this.#props.log.warn('settings refresh failed; serving the last good settings', { reason: (error as Error).message });
      return lastGood;
    }
  }
}
