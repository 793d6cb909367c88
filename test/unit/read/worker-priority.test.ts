/**
 * Import workers give way to the main thread (import/read/worker-priority.ts): a spare xlsx worker's
 * thread runs at IMPORT_WORKER_NICE, the thread that answers requests keeps the process's priority.
 * Read from Linux's /proc, as the scheduler sees it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { closeSpareWorker, keepSpareWorker } from '../../../import/read/xlsx.reader';
import { currentThreadId, DEFAULT_IMPORT_WORKER_NICE, importWorkerNice } from '../../../import/read/worker-priority';

/** Nice value of each thread of this process, from /proc/self/task/<id>/stat (the 19th field). */
function threadNiceValues(): Map<number, number> {
  const values = new Map<number, number>();
  for (const id of readdirSync('/proc/self/task')) {
    try {
      const stat = readFileSync(`/proc/self/task/${id}/stat`, 'utf8');
      // The name in parentheses may hold spaces: count the fields after its closing one.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      values.set(Number(id), Number(fields[16]));
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return values;
}

const onLinux = process.platform === 'linux';

describe('the import workers’ priority', () => {
  afterEach(() => closeSpareWorker());

  (onLinux ? it : it.skip)('a spare xlsx worker runs at nice 10, the main thread stays at 0', async () => {
    const before = threadNiceValues();
    expect(before.get(process.pid)).toBe(0);
    await keepSpareWorker({ parallelParts: 1 });
    let lowered: number[] = [];
    for (let attempt = 0; attempt < 100 && lowered.length === 0; attempt++) {
      await new Promise((next) => setTimeout(next, 50));
      lowered = [...threadNiceValues()].filter(([id, nice]) => !before.has(id) && nice === DEFAULT_IMPORT_WORKER_NICE).map(([id]) => id);
    }
    expect(lowered.length).toBeGreaterThan(0);
    expect(threadNiceValues().get(process.pid)).toBe(0);
    expect(currentThreadId()).toBe(process.pid);
  });

  it('reads IMPORT_WORKER_NICE, and refuses a value out of 0–19 in French', () => {
    expect(importWorkerNice({})).toBe(10);
    expect(importWorkerNice({ IMPORT_WORKER_NICE: '0' })).toBe(0);
    expect(importWorkerNice({ IMPORT_WORKER_NICE: '19' })).toBe(19);
    expect(() => importWorkerNice({ IMPORT_WORKER_NICE: '20' })).toThrow('IMPORT_WORKER_NICE « 20 » invalide : un entier de 0 à 19 est attendu');
    expect(() => importWorkerNice({ IMPORT_WORKER_NICE: '-5' })).toThrow('invalide');
    expect(() => importWorkerNice({ IMPORT_WORKER_NICE: 'bas' })).toThrow('invalide');
  });
});
