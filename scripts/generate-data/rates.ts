/**
 * The configured defect rates: for each field, the weight of each kind of value (weights sum to 1). The manifest
 * records these beside the counts actually planted, and the unit tests check the counts against them.
 */
export const RATES = {
  ambassador: {
    /** The file's text: what the JSON loader must repair or reject. */
    json: { valid: 0.9, truncated: 0.02, trailing_comma: 0.02, bare_nan: 0.02, single_quotes: 0.02, unrepairable: 0.02 },
    /** `duplicate`: the user_id of an earlier file, so two files hold the same ambassador. */
    userId: { ok: 0.82, padded: 0.03, null: 0.04, empty: 0.04, missing: 0.04, duplicate: 0.03 },
    email: { ok: 0.8, mixed_case: 0.06, padded: 0.05, invalid: 0.06, null: 0.03 },
    joinedAt: { iso_utc: 0.8, iso_offset: 0.05, date_only: 0.05, garbage: 0.07, null: 0.03 },
    /** advocacy_programs, and each program's tasks_completed: a non-empty array, an empty one or none. */
    programs: { present: 0.9, empty: 0.05, missing: 0.05 },
    tasks: { present: 0.88, empty: 0.06, missing: 0.06 },
    brand: { ok: 0.84, numeric: 0.08, padded: 0.08 },
    /** As in the real export, where 45% of the programs have program_id "" and 45% of the tasks a null task_id. */
    programId: { ok: 0.9, empty: 0.06, blank: 0.02, null: 0.02 },
    taskId: { ok: 0.9, null: 0.06, missing: 0.02, empty: 0.02 },
    platform: { canonical: 0.7, variant: 0.14, twitter_x: 0.08, other: 0.08 },
    /** Each of likes, comments, shares, reach. */
    metric: {
      number: 0.72, numeric_string: 0.06, fractional: 0.03, nan_string: 0.06, negative: 0.04, null: 0.05, missing: 0.04,
    },
    totalSales: {
      number: 0.7, numeric_string: 0.06, nan_string: 0.05, no_data: 0.05, negative: 0.04, null: 0.05, missing: 0.05,
    },
  },
  pinterest: {
    followerCount: { plain: 0.7, thousands: 0.15, millions: 0.05, user_info_error: 0.1 },
    title: { ok: 0.9, placeholder: 0.1 },
    description: { ok: 0.86, placeholder: 0.07, placeholder_story: 0.07 },
    tagList: { ok: 0.9, placeholder: 0.1 },
    imageSrc: { ok: 0.92, placeholder: 0.08 },
    posterName: { ok: 0.92, placeholder: 0.08 },
    /** Each record, per topic, is delivered again in the next sink file with this probability. */
    redelivery: 0.03,
  },
  interactions: {
    /** An exact copy of the row follows it. */
    duplicate: 0.02,
    userId: { ok: 0.97, empty: 0.03 },
    actionType: { valid: 0.95, unknown: 0.05 },
    /** `boundary`: exactly 0 or 7,200,000 ms, still valid; `huge`: above two hours. */
    duration: { ok: 0.88, boundary: 0.02, negative: 0.03, empty: 0.03, huge: 0.04 },
    /** `late_row`: written after the next day's rows (the last day's: to the late file, counted as late_file); `late_file`: written to user_interactions_late.csv. */
    late: { on_time: 0.96, late_row: 0.03, late_file: 0.01 },
    /** The gap before each action after a session's first: the 30-minute boundary is planted on purpose. */
    gap: { short: 0.9, just_under_30m: 0.03, exactly_30m: 0.03, long: 0.04 },
  },
  bluesky: {
    /** `trailing_comma` and `single_quotes` lines are repaired by the loader; `unrepairable` ones are rejected. */
    line: { ok: 0.97, trailing_comma: 0.01, single_quotes: 0.01, unrepairable: 0.01 },
    createdAt: { utc_z: 0.82, offset: 0.14, unparseable: 0.04 },
    /** Share of an author's posts made between 9:00 and 17:00 local time; the rest fall anywhere in the day. */
    workingHours: 0.8,
    hasImages: 0.2,
    reply: 0.3,
  },
} as const;
