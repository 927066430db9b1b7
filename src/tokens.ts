/**
 * What tools/list costs a model, in tokens of OpenAI's o200k_base encoding (GPT-4o and later),
 * counted by gpt-tokenizer. Its encoding takes about 0.2 s to load, half a typical generation,
 * so it loads in a worker thread started before the generation work and overlapping it; the
 * texts are counted there when the listing is ready. (js-tiktoken counts the same and
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
// depends on where the worker thinks it is. Special-token text ("<|endoftext|>" in a default
// value) is counted as the plain text it is, not refused.
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const ready = import(workerData.encoding);
const plain = { disallowedSpecial: new Set() };
parentPort.on('message', async ({ id, texts }) => {
  try {
    const { countTokens } = await ready;
    parentPort.postMessage({ id, counts: texts.map((text) => countTokens(text, plain)) });
  } catch (err) {
    parentPort.postMessage({ id, error: String((err && err.message) || err) });
  }
});
`;

export function startTokenCounter(): TokenCounter {
  const encoding = pathToFileURL(createRequire(import.meta.url).resolve('gpt-tokenizer/encoding/o200k_base')).href;
  const worker = new Worker(WORKER, { eval: true, workerData: { encoding } });
  const pending = new Map<number, { resolve: (counts: number[]) => void; reject: (err: Error) => void }>();
  let failure: Error | undefined;
  const failAll = (err: Error) => {
    failure ??= err;
    for (const { reject } of pending.values()) reject(err);
    pending.clear();
  };
  worker.on('message', (answer: { id: number; counts?: number[]; error?: string }) => {
    const waiting = pending.get(answer.id);
    pending.delete(answer.id);
    if (answer.counts) waiting?.resolve(answer.counts);
    else waiting?.reject(new Error(`token count failed: ${answer.error}`));
  });
  worker.on('error', failAll);
  worker.on('exit', () => failAll(new Error('the token counter stopped')));
  let next = 0;
  return {
    count(texts) {
      if (failure) return Promise.reject(failure);
      const id = next++;
      return new Promise<number[]>((resolve, reject) => {
        pending.set(id, { resolve, reject });
        worker.postMessage({ id, texts });
      });
    },
    async close() {
      await worker.terminate();
    },
  };
}
