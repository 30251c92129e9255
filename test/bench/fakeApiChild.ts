import { ChildProcess, fork } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { generatedOutputChunks } from '../fake-api/data';
import { startFakeApi } from '../fake-api/server';
import { CHILD_FLAG, MiB } from './benchCommon';

// The fake API in a child process, driven over IPC

export type ChildRequest =
  | { id: number; op: 'count'; method: string; path: string }
  | { id: number; op: 'clearRequests' }
  | { id: number; op: 'addFile'; bytes: number }
  | { id: number; op: 'ceiling'; bytes: number };
export type WithoutId<T> = T extends unknown ? Omit<T, 'id'> : never;
export type ChildReply = { id: number; result?: unknown; error?: string };
export type ChildHello = { ready: { baseUrl: string; apiKey: string } } | { failed: string };

export class FakeApiChild {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();

  private constructor(
    private readonly child: ChildProcess,
    readonly baseUrl: string,
    readonly apiKey: string,
  ) {
    child.on('message', (message: ChildReply) => {
      const waiter = this.pending.get(message.id);
      if (!waiter) return;
      this.pending.delete(message.id);
      if (message.error !== undefined) waiter.reject(new Error(message.error));
      else waiter.resolve(message.result);
    });
    child.on('exit', (code) => {
      for (const waiter of this.pending.values()) waiter.reject(new Error(`fake API child exited (${code})`));
      this.pending.clear();
    });
  }

  /** The server's process, whose CPU time the download figures read. */
  get pid(): number | undefined {
    return this.child.pid;
  }

  static start(batches: number): Promise<FakeApiChild> {
    const child = fork(__filename, [CHILD_FLAG, String(batches)], { execArgv: [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    return new Promise((resolve, reject) => {
      const onExit = (code: number | null): void => reject(new Error(`fake API child exited (${code}) before it was ready`));
      child.once('exit', onExit);
      child.once('message', (hello: ChildHello) => {
        child.off('exit', onExit);
        if ('ready' in hello) resolve(new FakeApiChild(child, hello.ready.baseUrl, hello.ready.apiKey));
        else {
          child.kill();
          reject(new Error(`fake API child failed: ${hello.failed}`));
        }
      });
    });
  }

  private call<T>(request: WithoutId<ChildRequest>): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.child.send({ ...request, id });
    });
  }

  count(method: string, pathName: string): Promise<number> {
    return this.call<number>({ op: 'count', method, path: pathName });
  }

  clearRequests(): Promise<void> {
    return this.call<void>({ op: 'clearRequests' });
  }

  /** Adds a generated output file of `bytes` bytes; resolves its id. */
  addFile(bytes: number): Promise<string> {
    return this.call<string>({ op: 'addFile', bytes });
  }

  /** MiB/s at which the server can generate file content, measured inside the child. */
  ceiling(bytes: number): Promise<number> {
    return this.call<number>({ op: 'ceiling', bytes });
  }

  close(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
      this.child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      this.child.disconnect();
    });
  }
}

/** Entry point of the child process: serves the fake API and answers the parent's requests. */
export async function runChild(batches: number): Promise<void> {
  const send = (message: ChildHello | ChildReply): void => {
    process.send?.(message);
  };
  let fake;
  try {
    fake = await startFakeApi({ seed: { generated: batches } });
  } catch (error) {
    send({ failed: String(error) });
    process.exit(1);
  }
  const api = fake;
  process.on('message', (request: ChildRequest) => {
    try {
      let result: unknown;
      switch (request.op) {
        case 'count':
          result = api.count(request.method, request.path);
          break;
        case 'clearRequests':
          api.clearRequests();
          break;
        case 'addFile':
          result = api.store.addFile({ filename: 'bench_output.jsonl', purpose: 'batch_output', generatedBytes: request.bytes }).id;
          break;
        case 'ceiling': {
          const started = performance.now();
          let bytes = 0;
          for (const chunk of generatedOutputChunks(request.bytes, 12345)) bytes += chunk.length;
          result = bytes / MiB / ((performance.now() - started) / 1000);
          break;
        }
      }
      send({ id: request.id, result });
    } catch (error) {
      send({ id: request.id, error: String(error) });
    }
  });
  process.on('disconnect', () => {
    void api.close().then(() => process.exit(0));
  });
  send({ ready: { baseUrl: api.baseUrl, apiKey: api.apiKey } });
}

if (require.main === module) {
  const childAt = process.argv.indexOf(CHILD_FLAG);
  if (childAt >= 0)
    runChild(Number(process.argv[childAt + 1])).catch((error: unknown) => {
      console.error(error);
      process.exit(1);
    });
}
