/**
 * What tools/list costs a model, in tokens of OpenAI's o200k_base encoding (GPT-4o and later),
 * counted by gpt-tokenizer. Its encoding takes about 0.2 s to load, longer than most of a
 * generation, so it loads in a worker thread started before the generation work and overlapping
 * it; the texts are counted there when the listing is ready. (js-tiktoken counts the same and
 * took five times as long to load.)
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

export interface TokenCounter {
  /** Tokens of each text, in order. */
  count(texts: readonly string[]): Promise<number[]>;
  /** Ends the worker; until then it keeps the process alive. */
  close(): Promise<void>;
}

// CommonJS, as eval'd workers are; the encoding is imported by file URL, so no resolution
// depends on where the worker thinks it is.
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const ready = import(workerData.encoding);
parentPort.on('message', async (texts) => {
  try {
    const { countTokens } = await ready;
    parentPort.postMessage({ counts: texts.map((text) => countTokens(text)) });
  } catch (err) {
    parentPort.postMessage({ error: String(err && err.message || err) });
  }
});
`;

export function startTokenCounter(): TokenCounter {
  const encoding = pathToFileURL(createRequire(import.meta.url).resolve('gpt-tokenizer/encoding/o200k_base')).href;
  const worker = new Worker(WORKER, { eval: true, workerData: { encoding } });
  // A failed worker must not crash the CLI: count() reports it instead.
  let failure: Error | undefined;
  worker.on('error', (err) => (failure = err));
  return {
    count(texts) {
      if (failure) return Promise.reject(failure);
      return new Promise<number[]>((resolve, reject) => {
        worker.once('message', (answer: { counts?: number[]; error?: string }) => (answer.counts ? resolve(answer.counts) : reject(new Error(answer.error))));
        worker.once('error', reject);
        worker.postMessage(texts);
      });
    },
    async close() {
      await worker.terminate();
    },
  };
}
