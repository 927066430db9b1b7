/**
 * What tools/list costs a model, in tokens of OpenAI's o200k_base encoding (GPT-4o and later).
 *
 * The encoding is gpt-tokenizer's: its pre-tokenising split (pieces.ts), and its ranks as a flat table
 * (table.ts) built from its data file at `npm run build`. Loading gpt-tokenizer itself takes
 * 0.2–0.3 s (it builds a Map of 200,000 strings); the table loads in a few milliseconds, so the
 * count runs inline, when the listing is ready. The merge is tiktoken's byte-pair merge;
 * test/unit/token-count.test.ts holds the counts equal to gpt-tokenizer's on the example servers'
 * listings and on text in many scripts. Special-token text ("<|endoftext|>" in a default value)
 * is counted as the plain text it is, as gpt-tokenizer does unless told otherwise.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { PACKAGE_ROOT } from '../package-root.js';
import { eachPiece } from './pieces.js';
import { buildTable, rankOf, readTable, type RankTable } from './table.js';

/** Where `npm run build` writes the table (rolldown.config.mjs). */
export const TABLE_FILE = path.join(PACKAGE_ROOT, 'dist', 'o200k_base.bin');

/** gpt-tokenizer's encoding file, the table's source. */
export function encodingFile(): string {
  return createRequire(import.meta.url).resolve('gpt-tokenizer/data/o200k_base.tiktoken');
}

let table: RankTable | undefined;

function loadTable(): RankTable {
  table ??= builtTable() ?? readTable(buildTable(readFileSync(encodingFile(), 'utf8')));
  return table;
}

/**
 * The table `npm run build` wrote, or undefined: without a build (TypeScript run directly), or on
 * a machine of the other byte order, it is made in memory instead (slower, same counts).
 */
function builtTable(): RankTable | undefined {
  if (!existsSync(TABLE_FILE)) return undefined;
  try {
    return readTable(readFileSync(TABLE_FILE));
  } catch {
    return undefined;
  }
}

const encoder = new TextEncoder();
let buffer = new Uint8Array(1024);

/** Tokens of one pre-tokenised piece, by byte-pair merging its UTF-8 bytes. */
function pieceTokens(ranks: RankTable, piece: string): number {
  if (buffer.length < piece.length * 3) buffer = new Uint8Array(piece.length * 3);
  const length = encoder.encodeInto(piece, buffer).written;
  if (length === 1 || rankOf(ranks, buffer, 0, length) !== -1) return 1;
  // starts[i]: where part i begins; pairRanks[i]: the rank of parts i and i + 1 joined.
  const starts: number[] = [];
  const pairRanks: number[] = [];
  const pairRank = (i: number) => (i + 2 < starts.length ? rankOf(ranks, buffer, starts[i]!, starts[i + 2]!) : -1);
  for (let i = 0; i <= length; i++) starts.push(i);
  for (let i = 0; i < length; i++) pairRanks.push(pairRank(i));
  for (;;) {
    let lowest = -1;
    for (let i = 0; i < pairRanks.length; i++) {
      const rank = pairRanks[i]!;
      if (rank !== -1 && (lowest === -1 || rank < pairRanks[lowest]!)) lowest = i;
    }
    if (lowest === -1) break;
    starts.splice(lowest + 1, 1);
    pairRanks.splice(lowest + 1, 1);
    pairRanks[lowest] = pairRank(lowest);
    if (lowest > 0) pairRanks[lowest - 1] = pairRank(lowest - 1);
  }
  return starts.length - 1;
}

/** Tokens of each text, in order. */
export function countTokens(texts: readonly string[]): number[] {
  const ranks = loadTable();
  // JSON repeats its pieces (keys, "type", "string"): each is merged once.
  const known = new Map<string, number>();
  return texts.map((text) => {
    let total = 0;
    eachPiece(text, (start, end) => {
      const piece = text.slice(start, end);
      let n = known.get(piece);
      if (n === undefined) {
        n = pieceTokens(ranks, piece);
        known.set(piece, n);
      }
      total += n;
    });
    return total;
  });
}
