export type JsonFormat = 'json' | 'ndjson';
/** A JSON object; `json` is its text, which PostgreSQL's jsonb accepts. */
export interface JsonRecord { kind: 'record'; recordNo: number; json: string; repaired: boolean }
/** Something that cannot be loaded as a row, with why. */
export interface JsonReject { kind: 'reject'; recordNo: number; rawText: string; error: string }
export type JsonItem = JsonRecord | JsonReject;
