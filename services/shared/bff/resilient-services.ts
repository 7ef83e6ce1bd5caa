/**
 * The calls a BFF makes: each to a dependency found by name, under that dependency's current
 * resilience policy (read from the config store, cached) and through its circuit breaker, with a
 * fallback when the call fails or the breaker is open.
 */
import type { ResolvedResiliencePolicy } from 'msa-platform-blueprint';
import type { DependencyBreakers, Fallback, ServiceCaller, ServiceRequest, ServiceResponse } from 'msa-platform-blueprint/runtime';

/** Properties of {@link ResilientServices}. */
export interface ResilientServicesProps<D extends string> {
  readonly caller: Pick<ServiceCaller, 'call'>;
  /** The current policies by dependency (a `ServiceConfig` over `resilienceSettings`). */
  readonly policies: { read(): Promise<Record<D, ResolvedResiliencePolicy>> };
  readonly breakers: DependencyBreakers;
}

export class ResilientServices<D extends string> {
  constructor(private readonly props: ResilientServicesProps<D>) {}

  /** Calls `dependency`; the fallback answers when the call fails or its breaker is open. */
  async call<T>(dependency: D, request: ServiceRequest, answer: (response: ServiceResponse) => T, fallback: Fallback<T>): Promise<T> {
    const policies = await this.props.policies.read();
    const breaker = this.props.breakers.for(dependency, policies[dependency]);
    return breaker.call(async (signal) => answer(await this.props.caller.call(dependency, request, signal)), fallback);
  }
}
