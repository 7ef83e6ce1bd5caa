import { DependencyBreaker, DependencyBreakers } from '../../runtime/circuit-breaker';
import { resolveResiliencePolicy } from '../../constructs/model/resilience-policy';

const quiet = { logger: { info: jest.fn(), warn: jest.fn() }, metrics: { singleMetric: () => ({ addDimension: jest.fn(), addMetric: jest.fn() }) as never } };

describe('DependencyBreaker', () => {
  test('retries a failed attempt as the policy says, and the call counts once', async () => {
    const breaker = new DependencyBreaker({ ...quiet, dependency: 'catalog', policy: resolveResiliencePolicy({ timeoutMs: 100, retries: 2, backoffMs: 1 }) });
    let attempts = 0;
    const answer = await breaker.call(async () => {
      attempts += 1;
      if (attempts < 3) throw new Error('boom');
      return 'third time';
    }, () => 'fallback');
    expect(answer).toBe('third time');
    expect(attempts).toBe(3);
  });

  test('aborts an attempt that outlives its timeout, then falls back with the reason', async () => {
    const breaker = new DependencyBreaker({ ...quiet, dependency: 'catalog', policy: resolveResiliencePolicy({ timeoutMs: 50 }) });
    let aborted: unknown;
    const answer = await breaker.call(
      (signal) => new Promise<string>((resolve) => signal.addEventListener('abort', () => { aborted = signal.reason; resolve('late'); })),
      (reason) => `fallback: ${reason.message}`,
    );
    expect(answer).toBe("fallback: call to 'catalog' took longer than 50 ms");
    expect(aborted).toBeInstanceOf(Error);
  });
});

describe('DependencyBreakers', () => {
  test('keeps a breaker while its policy holds and replaces it when the policy changes', () => {
    const breakers = new DependencyBreakers(quiet);
    const first = breakers.for('orders', resolveResiliencePolicy({ timeoutMs: 100 }));
    expect(breakers.for('orders', resolveResiliencePolicy({ timeoutMs: 100 }))).toBe(first);
    const second = breakers.for('orders', resolveResiliencePolicy({ timeoutMs: 200 }));
    expect(second).not.toBe(first);
    expect(second.policy.timeoutMs).toBe(200);
    expect(quiet.logger.info).toHaveBeenCalledWith('resilience policy changed; breaker replaced', expect.objectContaining({ dependency: 'orders' }));
    first.shutdown();
    second.shutdown();
  });
});
