/**
 * The right to long-poll one bot token: the platform gives each update to one poller, so only
 * one process may poll; the others stand by and take over when it dies (a Redis lease).
 */
export interface PollLease {
  /** Resolves once this process may poll (at once while it holds the lease), or the signal aborts. */
  until(signal: AbortSignal): Promise<void>;
  /** Lets go (a standby takes over at once). */
  stop(): Promise<void>;
}
