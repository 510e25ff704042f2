export { score } from './score.ts';
export { decayFactor } from './decay.ts';
export type { ContactHistory, Decay, Grade, ScoreComponent, ScoreResult, ScoringContact } from './types.ts';
