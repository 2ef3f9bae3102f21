// The parent's side of a benchmark child process spoken to over IPC: numbered requests, each
// answered by a message with the same id, and a close that kills the child if it lingers.

export class ChildRpc {
  /** @param label how errors and exits of this child are named in messages */
  constructor(child, label) {
    this.child = child;
    this.label = label;
    this.nextId = 1;
    this.waiters = [];
    child.on('message', (m) => {
      if (m.type === 'error' && m.id === undefined) process.stderr.write(`${label} error: ${m.message}\n`);
      const i = this.waiters.findIndex((w) => w.match(m));
      if (i >= 0) this.waiters.splice(i, 1)[0].resolve(m);
    });
    child.on('exit', (code) => {
      for (const w of this.waiters.splice(0)) w.reject(new Error(`${label} exited with ${code}`));
    });
  }

  /** Resolves with the next message from the child that `match` accepts. */
  waitFor(match) {
    return new Promise((resolve, reject) => this.waiters.push({ match, resolve, reject }));
  }

  async request(message) {
    const id = this.nextId++;
    const reply = this.waitFor((m) => m.id === id);
    this.child.send({ ...message, id });
    const m = await reply;
    if (m.type === 'error') throw new Error(`${this.label}: ${m.message}`);
    return m;
  }

  async close(killAfterMs = 3000) {
    await this.request({ type: 'close' }).catch(() => undefined);
    await new Promise((resolve) => {
      if (this.child.exitCode !== null) return resolve();
      this.child.once('exit', resolve);
      setTimeout(() => {
        if (this.child.exitCode === null) this.child.kill('SIGKILL');
        resolve();
      }, killAfterMs).unref();
    });
  }
}
