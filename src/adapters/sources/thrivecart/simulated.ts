/**
 * The field `handoff simulate` adds to the deliveries it makes. ThriveCart never sends it; the
 * intake stores bodies as received, so a simulated delivery stays recognisable (the console does
 * not count it as ThriveCart's first real delivery).
 */
export const SIMULATED_FIELD = 'handoff_simulated';
