import type { UsageRow } from '../store/ports.js';

/** Prices in USD. Defaults are AWS's published us-east-1 list prices (lambda-reference §6.2). */
export interface Prices {
  perRequest: number;
  perGbSecondX86: number;
  perGbSecondArm: number;
}

export const AWS_LIST_PRICES: Prices = {
  perRequest: 0.0000002,
  perGbSecondX86: 0.0000166667,
  perGbSecondArm: 0.0000133334,
};

/** The configured prices, AWS's list prices where not configured. */
export function pricesFrom(c: {
  pricePerRequest?: number | undefined;
  pricePerGbSecond?: number | undefined;
  pricePerGbSecondArm?: number | undefined;
}): Prices {
  return {
    perRequest: c.pricePerRequest ?? AWS_LIST_PRICES.perRequest,
    perGbSecondX86: c.pricePerGbSecond ?? AWS_LIST_PRICES.perGbSecondX86,
    perGbSecondArm: c.pricePerGbSecondArm ?? AWS_LIST_PRICES.perGbSecondArm,
  };
}

export interface CostedUsageRow extends UsageRow {
  requestCost: number;
  computeCost: number;
  cost: number;
}

/** The estimated bill of a usage row; the free tier is not applied. */
export function costOf(row: UsageRow, prices: Prices = AWS_LIST_PRICES): CostedUsageRow {
  const requestCost = row.requests * prices.perRequest;
  const perGbS = row.architecture === 'arm64' ? prices.perGbSecondArm : prices.perGbSecondX86;
  const computeCost = row.gbSeconds * perGbS;
  return { ...row, requestCost, computeCost, cost: requestCost + computeCost };
}
