/**
 * A service registry in memory, implementing the same interface as Cloud Map's: the BFF tests find
 * their loopback services through it. It counts lookups and can be told to fail the next ones.
 */
import type { ServiceInstance, ServiceRegistryClient } from '../../runtime/discovery';

export class LocalRegistry implements ServiceRegistryClient {
  readonly #services = new Map<string, ServiceInstance[]>();
  #failures = 0;
  /** Lookups asked for, by service name. */
  readonly lookups = new Map<string, number>();

  /** Registers (or replaces) the one instance of `serviceName`. */
  register(serviceName: string, attributes: Record<string, string>): void {
    this.#services.set(serviceName, [{ instanceId: `${serviceName}-1`, attributes }]);
  }

  /** The next `count` lookups throw, as a throttled or unreachable registry would. */
  failNext(count: number): void {
    this.#failures = count;
  }

  async healthyInstances(serviceName: string): Promise<readonly ServiceInstance[]> {
    this.lookups.set(serviceName, (this.lookups.get(serviceName) ?? 0) + 1);
    if (this.#failures > 0) {
      this.#failures -= 1;
      throw new Error('registry unavailable (ThrottlingException)');
    }
    return this.#services.get(serviceName) ?? [];
  }
}
