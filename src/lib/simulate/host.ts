/**
 * Where the simulated servers live: a reserved host name (.invalid never resolves, RFC 2606), so no
 * request for it can ever reach a network; https so that an https page raises no mixed-content refusal.
 */
export const SIM_HOST = 'simulated.llama-dashboard.invalid';

/** Base URL of the simulated llama-server. */
export const SIM_LLAMA_URL = `https://${SIM_HOST}:8080`;

/** Base URL of the simulated llama-server router (several models). */
export const SIM_ROUTER_URL = `https://${SIM_HOST}:8081`;

/**
 * Metadata key of the running simulation's clock origin ({ origin: ms }): a worker that takes the
 * database over from a closed tab rebuilds the simulation from it, so the servers go on where they were.
 */
export const SIM_META_KEY = 'simulation.clock';

/** Base URL of the simulated exporter (host and GPU). */
export const SIM_EXPORTER_URL = `https://${SIM_HOST}:8642`;

/** True when a URL points at the simulation rather than at a real server. */
export function isSimulatedUrl(url: string): boolean {
  try {
    return new URL(url).hostname === SIM_HOST;
  } catch {
    return false;
  }
}
