/**
 * o200k_base's byte-pair ranks as one flat binary table: a hash index over the tokens' bytes.
 *
 * gpt-tokenizer keeps the ranks as 200,000 JavaScript strings and builds a Map of them when it
 * loads: 0.2–0.3 s of every generation, more than the rest of a small spec's run. This table is
 * built once, at `npm run build`, from the encoding file gpt-tokenizer ships
 * (data/o200k_base.tiktoken: base64 bytes and rank per line), and loads with one read and no
 * parsing. Layout, in 32-bit words of the builder's byte order (count.ts rebuilds a table that
 * does not read back, as on a machine of the other order):
 *
 *   magic "o2kt" | ranks N | slots S (a power of two) | data length D
 *   offsets: N + 1 words, the bytes of rank r are data[offsets[r] .. offsets[r + 1])
 *   slots:   S words, rank + 1 of the token hashed there (0: empty), open addressing
 *   data:    D bytes
 */

const MAGIC = 0x746b326f; // "o2kt"
const HEADER_WORDS = 4;

export interface RankTable {
  offsets: Uint32Array;
  slots: Uint32Array;
  data: Uint8Array;
}

/** FNV-1a over bytes[start, end). */
function hash(bytes: Uint8Array, start: number, end: number): number {
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193);
  return h >>> 0;
}

/** The rank of bytes[start, end) as one token, or -1. */
export function rankOf(table: RankTable, bytes: Uint8Array, start: number, end: number): number {
  const { offsets, slots, data } = table;
  const mask = slots.length - 1;
  const length = end - start;
  for (let slot = hash(bytes, start, end) & mask; ; slot = (slot + 1) & mask) {
    const entry = slots[slot]!;
    if (entry === 0) return -1;
    const rank = entry - 1;
    const from = offsets[rank]!;
    if (offsets[rank + 1]! - from !== length) continue;
    let i = 0;
    while (i < length && data[from + i] === bytes[start + i]) i++;
    if (i === length) return rank;
  }
}

/** The table file's bytes from a .tiktoken file's text. */
export function buildTable(tiktoken: string): Uint8Array {
  const tokens: Buffer[] = [];
  for (const line of tiktoken.split('\n')) {
    if (!line) continue;
    const [base64, rank] = line.split(' ');
    tokens[Number(rank)] = Buffer.from(base64!, 'base64');
  }
  const count = tokens.length;
  let slotCount = 1;
  while (slotCount < count * 2) slotCount *= 2;
  const dataLength = tokens.reduce((n, t) => n + (t?.length ?? 0), 0);
  const words = HEADER_WORDS + count + 1 + slotCount;
  const file = new Uint8Array(words * 4 + dataLength);
  const header = new Uint32Array(file.buffer, 0, words);
  header.set([MAGIC, count, slotCount, dataLength]);
  const table = views(file);
  let at = 0;
  tokens.forEach((bytes, rank) => {
    table.offsets[rank] = at;
    if (bytes) table.data.set(bytes, at);
    at += bytes?.length ?? 0;
    table.offsets[rank + 1] = at;
  });
  const mask = slotCount - 1;
  tokens.forEach((bytes, rank) => {
    if (!bytes) return;
    let slot = hash(bytes, 0, bytes.length) & mask;
    while (table.slots[slot] !== 0) slot = (slot + 1) & mask;
    table.slots[slot] = rank + 1;
  });
  return file;
}

/** The table inside a file's bytes (no copy unless the bytes are not word-aligned). */
export function readTable(bytes: Uint8Array): RankTable {
  // A copy when the bytes are not word-aligned (`new Uint8Array`: a Buffer's `slice` would not copy).
  const file = bytes.byteOffset % 4 === 0 ? bytes : new Uint8Array(bytes);
  const table = views(file);
  if (new Uint32Array(file.buffer, file.byteOffset, 1)[0] !== MAGIC) throw new Error('not an o200k rank table');
  return table;
}

function views(file: Uint8Array): RankTable {
  const [, count, slotCount, dataLength] = new Uint32Array(file.buffer, file.byteOffset, HEADER_WORDS);
  const offsetsAt = file.byteOffset + HEADER_WORDS * 4;
  const slotsAt = offsetsAt + (count! + 1) * 4;
  const dataAt = slotsAt + slotCount! * 4;
  if (dataAt - file.byteOffset + dataLength! !== file.length) throw new Error('o200k rank table has the wrong length');
  return {
    offsets: new Uint32Array(file.buffer, offsetsAt, count! + 1),
    slots: new Uint32Array(file.buffer, slotsAt, slotCount!),
    data: new Uint8Array(file.buffer, dataAt, dataLength!),
  };
}
