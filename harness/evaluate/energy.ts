/**
 * The cost and energy estimate: from measured throughput and a configured
 * device power draw, joules per output token and the electricity cost per
 * million tokens. An estimate, and labelled as one wherever it appears: it
 * assumes the whole device draw goes to generation while it runs.
 */
import type { CostEstimate, EnergyOptions } from '../types.ts';

export function estimateCost(tokensPerSec: number | undefined, energy: EnergyOptions | undefined): CostEstimate | null {
  if (!energy || tokensPerSec === undefined || !(tokensPerSec > 0)) return null;
  const joulesPerToken = energy.deviceWatts / tokensPerSec;
  // 1e6 tokens * J/token = joules; / 3.6e6 J per kWh = kWh.
  const kWhPerMillion = (joulesPerToken * 1e6) / 3.6e6;
  return {
    estimate: true,
    tokensPerSec,
    deviceWatts: energy.deviceWatts,
    joulesPerToken,
    costPerMillionTokens: energy.pricePerKWh === undefined ? null : kWhPerMillion * energy.pricePerKWh,
    currency: energy.pricePerKWh === undefined ? null : (energy.currency ?? 'USD'),
  };
}
