/** A relation as the database has it: its columns in order with their full types, and how big it is. */
export interface CatalogEntry {
  relationType: string;
  columns: Array<{ name: string; type: string }>;
  /** The planner's estimate, null before the first ANALYZE or VACUUM, and for views. */
  rowEstimate: number | null;
  bytes: number | null;
}
