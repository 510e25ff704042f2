export { route } from './route.ts';
export type { AccountMatch, Assignee, RouteResult, RoutingContext, RoutingLead, TraceStep } from './types.ts';
