/**
 * Every call to a dependency through a circuit breaker (opossum), run by the dependency's
 * resilience policy: each attempt is abandoned after `timeoutMs`, failed attempts are retried
 * `retries` times with full-jitter backoff, and the whole call counts once towards the breaker.
 * When the failures in the rolling window reach `errorThresholdPercent` (after `volumeThreshold`
 * calls) the breaker opens and calls fail fast to the fallback; after `resetTimeoutMs` one probe
 * is let through (half-open), and its success closes the breaker again.
 *
 * Each state change is logged and emitted as a metric (EMF, with a `dependency` dimension), and so
 * is every fallback served, every call rejected while open and every attempt timed out.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import CircuitBreaker from 'opossum';
import type { ResolvedResiliencePolicy } from '../constructs/model/service-spec';
import { callBudgetMs } from '../constructs/model/resilience-policy';

/** One attempt at the call; it should stop when `signal` aborts. */
export type Attempt<T> = (signal: AbortSignal) => Promise<T>;

/** What answers when the call fails or the breaker is open; `reason` says which. */
export type Fallback<T> = (reason: Error) => T | Promise<T>;

/** The breaker's state. */
export type BreakerState = 'closed' | 'open' | 'half-open';

/** An attempt ran out of time. */
export class AttemptTimeoutError extends Error {
  constructor(dependency: string, timeoutMs: number) {
    super(`call to '${dependency}' took longer than ${timeoutMs} ms`);
    this.name = 'AttemptTimeoutError';
  }
}

/** Properties of a {@link DependencyBreaker}. */
export interface DependencyBreakerProps {
  /** The dependency's name, as in the caller's spec. */
  readonly dependency: string;
  readonly policy: ResolvedResiliencePolicy;
  readonly logger: Pick<Logger, 'info' | 'warn'>;
  readonly metrics: Pick<Metrics, 'singleMetric'>;
  /** A number in [0, 1); for tests. @default Math.random */
  readonly random?: () => number;
}

/** A circuit breaker around one dependency. */
export class DependencyBreaker {
  public readonly dependency: string;
  public readonly policy: ResolvedResiliencePolicy;
  readonly #breaker: CircuitBreaker<[Attempt<unknown>, Fallback<unknown>], unknown>;
  readonly #props: DependencyBreakerProps;

  constructor(props: DependencyBreakerProps) {
    this.#props = props;
    this.dependency = props.dependency;
    this.policy = props.policy;
    const { policy } = props;
    this.#breaker = new CircuitBreaker((attempt: Attempt<unknown>, _fallback: Fallback<unknown>) => this.#withRetries(attempt), {
      // The attempts keep their own timeouts; this bounds the whole call a little above its budget.
      timeout: callBudgetMs(policy) + 100,
      errorThresholdPercentage: policy.errorThresholdPercent,
      volumeThreshold: policy.volumeThreshold,
      resetTimeout: policy.resetTimeoutMs,
      rollingCountTimeout: policy.rollingWindowMs,
      rollingCountBuckets: 10,
      name: props.dependency,
    });
    this.#breaker.fallback((_attempt: Attempt<unknown>, fallback: Fallback<unknown>, error: Error) => {
      this.#count('FallbackServed');
      return fallback(error);
    });
    this.#breaker.on('open', () => this.#changed('open', 'CircuitOpened'));
    this.#breaker.on('halfOpen', () => this.#changed('half-open', 'CircuitHalfOpened'));
    this.#breaker.on('close', () => this.#changed('closed', 'CircuitClosed'));
    this.#breaker.on('reject', () => this.#count('CallsRejected'));
  }

  /** The current state. */
  get state(): BreakerState {
    if (this.#breaker.opened) return 'open';
    return this.#breaker.halfOpen ? 'half-open' : 'closed';
  }

  /** Runs the call under the policy; the fallback answers when it fails or the breaker is open. */
  async call<T>(attempt: Attempt<T>, fallback: Fallback<T>): Promise<T> {
    return (await this.#breaker.fire(attempt as Attempt<unknown>, fallback as Fallback<unknown>)) as T;
  }

  /** Stops the breaker's timers (when it is replaced by one with a new policy). */
  shutdown(): void {
    this.#breaker.shutdown();
  }

  async #withRetries(attempt: Attempt<unknown>): Promise<unknown> {
    const { policy } = this;
    const random = this.#props.random ?? Math.random;
    let lastError: Error | undefined;
    for (let retry = 0; retry <= policy.retries; retry += 1) {
      if (retry > 0) await sleep(random() * policy.backoffMs * 2 ** (retry - 1));
      try {
        return await this.#timed(attempt);
      } catch (error) {
        lastError = error as Error;
      }
    }
    throw lastError;
  }

  async #timed(attempt: Attempt<unknown>): Promise<unknown> {
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        this.#count('AttemptTimedOut');
        const error = new AttemptTimeoutError(this.dependency, this.policy.timeoutMs);
        // Settle the race first: an attempt that answers on abort must not win it.
        reject(error);
        controller.abort(error);
      }, this.policy.timeoutMs);
    });
    try {
      return await Promise.race([attempt(controller.signal), timedOut]);
    } finally {
      clearTimeout(timer);
    }
  }

  #changed(state: BreakerState, metric: string): void {
    const details = { dependency: this.dependency, state, policy: this.policy };
    if (state === 'open') this.#props.logger.warn('circuit opened: calls fail fast to the fallback', details);
    else this.#props.logger.info(state === 'closed' ? 'circuit closed' : 'circuit half-open: letting one probe through', details);
    this.#count(metric);
  }

  #count(name: string): void {
    const metric = this.#props.metrics.singleMetric();
    metric.addDimension('dependency', this.dependency);
    metric.addMetric(name, MetricUnit.Count, 1);
  }
}

/**
 * The breakers of one caller, one per dependency. Asked with the current policy (read from the
 * config store), it keeps a breaker while its policy is unchanged and replaces it when the policy
 * changes, so a tuned number applies without a redeploy.
 */
export class DependencyBreakers {
  readonly #breakers = new Map<string, { key: string; breaker: DependencyBreaker }>();

  constructor(private readonly props: Omit<DependencyBreakerProps, 'dependency' | 'policy'>) {}

  /** The breaker for `dependency` under `policy`. */
  for(dependency: string, policy: ResolvedResiliencePolicy): DependencyBreaker {
    const key = JSON.stringify(policy);
    const known = this.#breakers.get(dependency);
    if (known !== undefined && known.key === key) return known.breaker;
    if (known !== undefined) {
      known.breaker.shutdown();
      this.props.logger.info('resilience policy changed; breaker replaced', { dependency, policy });
    }
    const breaker = new DependencyBreaker({ ...this.props, dependency, policy });
    this.#breakers.set(dependency, { key, breaker });
    return breaker;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
