// The analyze_text tool. mcp-gen created this file once and will never overwrite it: it is yours.
// Argument and result types come from the spec (src/tool-types.ts is regenerated), so a schema
// change that breaks this handler fails `npm run build`.
//
// (In this example the scaffold has been filled in: sentiment with the AFINN lexicon of the
// `sentiment` package, readability with Flesch formulas over `syllable` counts, and a small
// frequency-based extractive summary.)
import Sentiment from 'sentiment';
import { syllable } from 'syllable';
import type { ToolHandler } from '../runtime/handler.js';
import type { AnalyzeTextArgs, AnalyzeTextResult } from '../tool-types.js';

const sentiment = new Sentiment();

/** Sentences end at . ! ? followed by space or the end; good enough for prose, not for "e.g.". */
function sentencesOf(text: string): string[] {
  return (text.match(/[^.!?]+(?:[.!?]+|$)/g) ?? []).map((s) => s.trim()).filter(Boolean);
}

function wordsOf(text: string): string[] {
  return text.toLowerCase().match(/[a-z\u00c0-\u024f]+(?:'[a-z]+)?/g) ?? [];
}

const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;

function level(ease: number): string {
  if (ease >= 90) return 'very easy';
  if (ease >= 70) return 'easy';
  if (ease >= 60) return 'standard';
  if (ease >= 50) return 'fairly difficult';
  if (ease >= 30) return 'difficult';
  return 'very difficult';
}

const STOP_WORDS = new Set('a an and are as at be but by for from has have he her his i in is it its of on or she that the their they this to was were will with you your we our not no'.split(' '));

/** The `count` sentences whose words are most frequent in the whole text, in text order. */
function summarize(sentences: string[], count: number): string {
  const frequency = new Map<string, number>();
  for (const word of sentences.flatMap(wordsOf)) if (!STOP_WORDS.has(word)) frequency.set(word, (frequency.get(word) ?? 0) + 1);
  const scored = sentences.map((sentence, index) => {
    const words = wordsOf(sentence).filter((w) => !STOP_WORDS.has(w));
    const score = words.reduce((sum, w) => sum + (frequency.get(w) ?? 0), 0) / Math.max(words.length, 1);
    return { sentence, index, score };
  });
  return scored
    .sort((a, b) => b.score - a.score || a.index - b.index)
    .slice(0, count)
    .sort((a, b) => a.index - b.index)
    .map((s) => s.sentence)
    .join(' ');
}

export const handler: ToolHandler<AnalyzeTextArgs, AnalyzeTextResult> = async (args) => {
  const analyses = new Set(args.analyses ?? ['sentiment', 'readability', 'summary', 'counts']);
  const sentences = sentencesOf(args.text);
  const words = wordsOf(args.text);
  const result: AnalyzeTextResult = {};

  if (analyses.has('counts')) {
    result.counts = { characters: args.text.length, words: words.length, sentences: sentences.length };
  }
  if (analyses.has('sentiment')) {
    const s = sentiment.analyze(args.text);
    const label = s.comparative > 0.05 ? 'positive' : s.comparative < -0.05 ? 'negative' : 'neutral';
    result.sentiment = { score: s.score, comparative: round(s.comparative, 3), label, positive: s.positive, negative: s.negative };
  }
  if (analyses.has('readability') && words.length > 0) {
    const syllables = words.reduce((sum, w) => sum + Math.max(syllable(w), 1), 0);
    const wordsPerSentence = words.length / Math.max(sentences.length, 1);
    const syllablesPerWord = syllables / words.length;
    const ease = round(206.835 - 1.015 * wordsPerSentence - 84.6 * syllablesPerWord);
    result.readability = { flesch_reading_ease: ease, flesch_kincaid_grade: round(0.39 * wordsPerSentence + 11.8 * syllablesPerWord - 15.59), level: level(ease) };
  }
  if (analyses.has('summary')) {
    result.summary = summarize(sentences, args.summary_sentences ?? 2);
  }
  return result;
};
