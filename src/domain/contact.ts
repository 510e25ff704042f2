/** A HubSpot contact as leadloop reads it: id, property values (strings or null) and the ISO time of its last change. */
export interface Contact {
  id: string;
  properties: Record<string, string | null>;
  updatedAt: string;
}

/** Where the incremental pull of modified contacts stands; saved after each page is durably written. */
export interface ContactCursor {
  /** `lastmodifieddate` (epoch ms) of the newest contact taken. */
  at: number;
  /** Ids already taken whose `lastmodifieddate` equals `at`: skipped when a query starts at `at` again. */
  idsAtBoundary: string[];
  /** Every contact modified at `at` was taken: the next query starts strictly after it. */
  pastBoundary?: boolean;
  /** Splitting a tie too large for one search (the 10,000 cap): the last `hs_object_id` taken at `at`. */
  tieAfterId?: string;
}
