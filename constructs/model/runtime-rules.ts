import type { RuntimeSpecRules } from '../runtimes/service-runtime';
import type { ServiceSpecBase } from './service-spec';

/**
 * A runtime's rules as the validation pass reads them: the {@link RuntimeSpecRules} contract, and
 * two optional members a runtime may add when it has something to say about other runtimes' specs.
 */
export interface RuntimeRules<S extends ServiceSpecBase = ServiceSpecBase> extends RuntimeSpecRules<S> {
  /**
   * Why a field in `specFields` is this runtime's alone, keyed by field; said when a spec of
   * another runtime sets it.
   * @default - only that the field belongs to this runtime
   */
  readonly fieldReasons?: Readonly<Record<string, string>>;
  /**
   * Whether a service may call one of this runtime's: returns why not, or undefined when it may.
   * The problem is reported on the caller's `calls` entry.
   * @default - any service may call one of this runtime's
   */
  refuseCallFrom?(caller: ServiceSpecBase, callee: S): string | undefined;
}
