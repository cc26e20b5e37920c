import { rngFor, type Rng } from './prng.js';
import { RATES } from './rates.js';
import { bump, emptyTally, type Tally } from './tally.js';
import { ADJECTIVES, COUNTRIES, FIRST_NAMES, LAST_NAMES, PINTEREST_CATEGORIES, POSTER_NAMES } from './words.js';

const R = RATES.pinterest;

export const PLACEHOLDERS = {
  title: 'No Title Data Available',
  description: 'No description available',
  descriptionStory: 'No description available Story format',
  tagList: 'N,o, ,T,a,g,s, ,A,v,a,i,l,a,b,l,e',
  imageSrc: 'Image src error.',
  userInfoError: 'User Info Error',
} as const;

/** The age groups of the analysis; `none` is an age outside them (under 18). */
export const AGE_GROUPS = { none: 0, '18-24': 0, '25-35': 0, '36-50': 0, '50+': 0 } as const;

/** Counts over the distinct records (one pin, one geo and one user record per ind), not over redelivered copies. */
export interface PinterestRecordCounts {
  follower_count: Tally<keyof typeof R.followerCount>;
  title: Tally<keyof typeof R.title>;
  description: Tally<keyof typeof R.description>;
  tag_list: Tally<keyof typeof R.tagList>;
  image_src: Tally<keyof typeof R.imageSrc>;
  poster_name: Tally<keyof typeof R.posterName>;
  category: Record<string, number>;
  age_group: Tally<keyof typeof AGE_GROUPS>;
  /** Year of geo.timestamp (2015..2023) and of user.date_joined (2014..2021), to check the by-year analyses. */
  geo_year: Record<string, number>;
  joined_year: Record<string, number>;
}

export function emptyRecordCounts(): PinterestRecordCounts {
  const years = (from: number, to: number): Record<string, number> => {
    const out: Record<string, number> = {};
    for (let y = from; y <= to; y++) out[String(y)] = 0;
    return out;
  };
  const categories: Record<string, number> = {};
  for (const c of PINTEREST_CATEGORIES) categories[c] = 0;
  return {
    follower_count: emptyTally(R.followerCount),
    title: emptyTally(R.title),
    description: emptyTally(R.description),
    tag_list: emptyTally(R.tagList),
    image_src: emptyTally(R.imageSrc),
    poster_name: emptyTally(R.posterName),
    category: categories,
    age_group: emptyTally(AGE_GROUPS),
    geo_year: years(2015, 2023),
    joined_year: years(2014, 2021),
  };
}

export interface PinterestRecords {
  pin: string;
  geo: string;
  user: string;
}

/**
 * The three records of one ind, as NDJSON lines, drawn from the ind's own streams so a redelivery (or an append that
 * redelivers the previous run's last file) regenerates exactly the same bytes. `counts` is given when the ind is
 * written for the first time.
 */
export function pinterestRecords(seed: number, ind: number, posters: number, counts?: PinterestRecordCounts): PinterestRecords {
  return {
    pin: JSON.stringify(pin(rngFor(seed, 'pin', ind), ind, posters, counts)),
    geo: JSON.stringify(geo(rngFor(seed, 'geo', ind), ind, counts)),
    user: JSON.stringify(user(rngFor(seed, 'user', ind), ind, counts)),
  };
}

function draw<K extends string>(rng: Rng, weights: Readonly<Record<K, number>>, tally: Tally<K> | undefined): K {
  const kind = rng.weighted(weights);
  if (tally) bump(tally, kind);
  return kind;
}

function pin(rng: Rng, ind: number, posters: number, counts: PinterestRecordCounts | undefined): Record<string, unknown> {
  const category = rng.pick(PINTEREST_CATEGORIES);
  if (counts) counts.category[category] = (counts.category[category] ?? 0) + 1;
  const noun = category.replaceAll('-', ' ');
  const poster = rng.int(0, posters - 1);
  const followers = draw(rng, R.followerCount, counts?.follower_count);
  const description = draw(rng, R.description, counts?.description);
  return {
    index: ind,
    unique_id: `${rng.hex(8)}-${rng.hex(4)}-4${rng.hex(3)}-${rng.pick(['8', '9', 'a', 'b'])}${rng.hex(3)}-${rng.hex(12)}`,
    title: draw(rng, R.title, counts?.title) === 'ok' ? `${rng.pick(ADJECTIVES)} ${noun} ideas` : PLACEHOLDERS.title,
    description: description === 'ok' ? `${rng.pick(ADJECTIVES)} ${noun} for every day. Save it for later.`
      : description === 'placeholder' ? PLACEHOLDERS.description : PLACEHOLDERS.descriptionStory,
    poster_name: draw(rng, R.posterName, counts?.poster_name) === 'ok'
      ? `${POSTER_NAMES[poster % POSTER_NAMES.length] ?? ''}${poster < POSTER_NAMES.length ? '' : ` ${Math.floor(poster / POSTER_NAMES.length)}`}`
      : PLACEHOLDERS.userInfoError,
    follower_count: followers === 'plain' ? String(rng.int(0, 999))
      : followers === 'thousands' ? `${rng.int(1, 999)}k`
        : followers === 'millions' ? `${rng.int(1, 9)}M` : PLACEHOLDERS.userInfoError,
    tag_list: draw(rng, R.tagList, counts?.tag_list) === 'ok'
      ? [noun, rng.pick(ADJECTIVES).toLowerCase(), 'ideas'].join(',') : PLACEHOLDERS.tagList,
    is_image_or_video: rng.pick(['image', 'image', 'image', 'video', 'multi-video(story page format)']),
    image_src: draw(rng, R.imageSrc, counts?.image_src) === 'ok'
      ? `https://i.pinimg.com/originals/${rng.hex(2)}/${rng.hex(2)}/${rng.hex(2)}/${rng.hex(32)}.jpg` : PLACEHOLDERS.imageSrc,
    downloaded: rng.chance(0.9) ? 1 : 0,
    save_location: `Local save in /data/${category}`,
    category,
  };
}


/** An ISO-8601 timestamp without zone (UTC), uniform over [from, to) whole years. */
function timestamp(rng: Rng, from: number, to: number): string {
  const start = Date.UTC(from, 0, 1) / 1000;
  const end = Date.UTC(to, 0, 1) / 1000;
  return new Date((start + rng.int(0, end - start - 1)) * 1000).toISOString().slice(0, 19);
}

function geo(rng: Rng, ind: number, counts: PinterestRecordCounts | undefined): Record<string, unknown> {
  const ts = timestamp(rng, 2015, 2024);
  if (counts) counts.geo_year[ts.slice(0, 4)] = (counts.geo_year[ts.slice(0, 4)] ?? 0) + 1;
  return {
    ind,
    timestamp: ts,
    latitude: rng.int(-90_000_000, 90_000_000) / 1_000_000,
    longitude: rng.int(-180_000_000, 180_000_000) / 1_000_000,
    country: rng.pick(COUNTRIES),
  };
}

function user(rng: Rng, ind: number, counts: PinterestRecordCounts | undefined): Record<string, unknown> {
  // 13..80: every age group, and under-18s that belong to none.
  const age = rng.int(13, 80);
  const joined = timestamp(rng, 2014, 2022);
  if (counts) {
    bump(counts.age_group, age < 18 ? 'none' : age <= 24 ? '18-24' : age <= 35 ? '25-35' : age <= 50 ? '36-50' : '50+');
    counts.joined_year[joined.slice(0, 4)] = (counts.joined_year[joined.slice(0, 4)] ?? 0) + 1;
  }
  return { ind, first_name: rng.pick(FIRST_NAMES), last_name: rng.pick(LAST_NAMES), age, date_joined: joined };
}
