/**
 * The contract between the constructs that deploy a service and the service's own code: the names
 * of the environment variables the deployed process reads. Both sides import them from here, so the
 * name is written once.
 */

/**
 * Seconds a container process keeps accepting and answering after SIGTERM while its health check
 * fails, before it stops listening and drains (see `ShutdownBudget.processPreStopSeconds`).
 */
export const PRE_STOP_SECONDS_VARIABLE = 'PRE_STOP_SECONDS';
