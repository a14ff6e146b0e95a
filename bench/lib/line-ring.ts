// The last lines the stack wrote, kept for stack.log when a scenario fails: a fixed ring, so
// each line costs one store however busy the stack's log is (B6 sends every request line here,
// on the cores the stack and the load generator share).
export class LineRing {
  private readonly slots: string[];
  private next = 0;
  private count = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new Error('a line ring holds at least one line');
    this.slots = new Array<string>(capacity);
  }

  push(line: string): void {
    this.slots[this.next] = line;
    this.next = (this.next + 1) % this.capacity;
    if (this.count < this.capacity) this.count++;
  }

  get size(): number {
    return this.count;
  }

  /** The kept lines, oldest first. */
  lines(): string[] {
    if (this.count < this.capacity) return this.slots.slice(0, this.count);
    return [...this.slots.slice(this.next), ...this.slots.slice(0, this.next)];
  }
}
