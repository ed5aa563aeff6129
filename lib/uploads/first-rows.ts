import { MAX_ROW_CHARS } from './xlsx/limits';
import { StringTable } from './xlsx/string-table';

// The first row of each key (a canonical username, a lower-cased address) in an upload, for the
// duplicate check of the dry run (validate-upload.ts). A Map<string, number> of 100,000 keys held
// ~7 MB of small strings in V8's old generation plus hash tables of ~3.7 MB that are large objects,
// and every time such a table doubled the old one stayed until the next full collection: two of
// them raised the dry run's peak RSS by 15–20 MB (docs/performance.md). Here the keys are UTF-8
// in the 1 MiB blocks of a StringTable and the rest is typed arrays: ~20 bytes a key beside its
// text, outside V8's heap, nothing for the collector to trace.
//
// Open addressing with linear probing over a power-of-two table kept at most half full. Each
// entry keeps its key's full 32-bit hash, so a probe decodes a stored key only when the hashes
// are equal, which for distinct keys is rare. The hash is seeded at random per set: a file built
// so that its keys collide would have to guess the seed.

export class FirstRows {
  private readonly keys = new StringTable();
  private hashes = new Uint32Array(1024);
  private rows = new Int32Array(1024);
  /** Entry index + 1 per slot; 0 is an empty slot. */
  private slots = new Int32Array(2048);
  private count = 0;
  private readonly odd = new Map<string, number>();
  private readonly seed: number;
  private readonly hash: (key: string, seed: number) => number;

  /** `hash`: tests pass a poor one to force collisions. */
  constructor(options: { hash?: (key: string, seed: number) => number } = {}) {
    this.hash = options.hash ?? fnv1a;
    this.seed = (Math.random() * 2 ** 32) >>> 0;
  }

  get size(): number {
    return this.count + this.odd.size;
  }

  /**
   * The row `key` was first seen on; when it was not seen before, `row` becomes its first row and
   * the answer is undefined.
   */
  firstRowOrAdd(key: string, row: number): number | undefined {
    if (key.length > MAX_ROW_CHARS || !key.isWellFormed()) return this.oddFirstRow(key, row);
    const hash = this.hash(key, this.seed) >>> 0;
    const mask = this.slots.length - 1;
    let slot = hash & mask;
    for (let at = this.slots[slot]!; at !== 0; at = this.slots[slot]!) {
      const entry = at - 1;
      if (this.hashes[entry] === hash && this.keys.get(entry) === key) return this.rows[entry];
      slot = (slot + 1) & mask;
    }
    if (this.count === this.hashes.length) this.growEntries();
    this.keys.push(key);
    const entry = this.count++;
    this.hashes[entry] = hash;
    this.rows[entry] = row;
    this.slots[slot] = entry + 1;
    if (this.count * 2 > this.slots.length) this.growSlots();
    return undefined;
  }

  /**
   * A key UTF-8 cannot hold as it is (a lone surrogate, which would come back as U+FFFD) or longer
   * than the table takes: kept in a Map. The upload's checks let no such username or address
   * through, so this stays empty; it keeps the set exact whatever it is given.
   */
  private oddFirstRow(key: string, row: number): number | undefined {
    const first = this.odd.get(key);
    if (first === undefined) this.odd.set(key, row);
    return first;
  }

  private growEntries() {
    const hashes = new Uint32Array(this.hashes.length * 2);
    hashes.set(this.hashes);
    this.hashes = hashes;
    const rows = new Int32Array(this.rows.length * 2);
    rows.set(this.rows);
    this.rows = rows;
  }

  /** Twice the slots, each entry placed again by its stored hash (no key is decoded). */
  private growSlots() {
    const slots = new Int32Array(this.slots.length * 2);
    const mask = slots.length - 1;
    for (let entry = 0; entry < this.count; entry++) {
      let slot = this.hashes[entry]! & mask;
      while (slots[slot] !== 0) slot = (slot + 1) & mask;
      slots[slot] = entry + 1;
    }
    this.slots = slots;
  }
}

/** 32-bit FNV-1a over the UTF-16 code units, its offset basis mixed with `seed`. */
function fnv1a(key: string, seed: number): number {
  let hash = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  // A final mix, so that the low bits the table uses depend on every character.
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  return hash >>> 0;
}
