/**
 * A FIFO queue over an array, consumed from the front by an index: taking the oldest
 * item moves nothing, and the consumed prefix is dropped once it is most of the array
 * (each item is moved at most once more), or all at once when the queue runs empty.
 */
export class FrontQueue<T> {
  private items: T[] = [];
  private head = 0;

  get size(): number {
    return this.items.length - this.head;
  }

  push(item: T): void {
    this.items.push(item);
  }

  /** The oldest item, taken out; the queue must not be empty. */
  shift(): T {
    const item = this.items[this.head++]!;
    if (this.head === this.items.length) {
      this.items.length = 0;
      this.head = 0;
    } else if (this.head >= 4096 && 2 * this.head >= this.items.length) {
      this.items.copyWithin(0, this.head);
      this.items.length -= this.head;
      this.head = 0;
    }
    return item;
  }

  /** Every item left, oldest first; the queue is then empty. */
  takeAll(): T[] {
    const rest = this.items.slice(this.head);
    this.items = [];
    this.head = 0;
    return rest;
  }
}
