import { registerEnumType } from 'type-graphql';

/** How clear the signal behind an insight is. */
export enum InsightConfidence {
  HIGH = 'HIGH',
  MEDIUM = 'MEDIUM',
  LOW = 'LOW',
}
registerEnumType(InsightConfidence, {
  name: 'InsightConfidence',
  description: 'How clear the signal is: HIGH when many tasks or several metrics agree, LOW when the evidence is thin.',
});

/** How much an insight matters. */
export enum InsightSeverity {
  CRITICAL = 'CRITICAL',
  HIGH = 'HIGH',
  MEDIUM = 'MEDIUM',
  LOW = 'LOW',
  INFO = 'INFO',
}
registerEnumType(InsightSeverity, {
  name: 'InsightSeverity',
  description: 'From the impact: CRITICAL ≥ 30% of the application, HIGH ≥ 15%, MEDIUM ≥ 5%, LOW ≥ 1%, INFO below.',
});
