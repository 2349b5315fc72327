const CHUNK = 512;

/**
 * A sorted set of strings kept in bounded chunks, so an insert or delete costs O(log n + chunk)
 * and reading a page from any position costs O(log n + page), whatever the size of the set.
 */
export class SortedIndex {
  private chunks: string[][] = [];
  private maxes: string[] = [];
  private count = 0;

  get size(): number {
    return this.count;
  }

  add(key: string): boolean {
    if (this.chunks.length === 0) {
      this.chunks.push([key]);
      this.maxes.push(key);
      this.count = 1;
      return true;
    }
    let ci = this.chunkFor(key, false);
    if (ci === this.chunks.length) ci -= 1;
    const chunk = this.chunks[ci]!;
    const at = lowerBound(chunk, key);
    if (chunk[at] === key) return false;
    chunk.splice(at, 0, key);
    this.count += 1;
    if (chunk.length > 2 * CHUNK) {
      const tail = chunk.splice(CHUNK);
      this.chunks.splice(ci + 1, 0, tail);
      this.maxes.splice(ci + 1, 0, tail[tail.length - 1]!);
    }
    this.maxes[ci] = chunk[chunk.length - 1]!;
    return true;
  }

  delete(key: string): boolean {
    const ci = this.chunkFor(key, false);
    const chunk = this.chunks[ci];
    if (!chunk) return false;
    const at = lowerBound(chunk, key);
    if (chunk[at] !== key) return false;
    chunk.splice(at, 1);
    this.count -= 1;
    if (chunk.length === 0) {
      this.chunks.splice(ci, 1);
      this.maxes.splice(ci, 1);
    } else {
      this.maxes[ci] = chunk[chunk.length - 1]!;
    }
    return true;
  }

  has(key: string): boolean {
    const chunk = this.chunks[this.chunkFor(key, false)];
    return chunk !== undefined && chunk[lowerBound(chunk, key)] === key;
  }

  /** Keys from `start` on (after it when `exclusive`), in order. */
  *from(start = '', exclusive = false): Generator<string> {
    let ci = this.chunkFor(start, exclusive);
    if (ci >= this.chunks.length) return;
    let i = exclusive ? upperBound(this.chunks[ci]!, start) : lowerBound(this.chunks[ci]!, start);
    for (; ci < this.chunks.length; ci++, i = 0) {
      const chunk = this.chunks[ci]!;
      for (; i < chunk.length; i++) yield chunk[i]!;
    }
  }

  /** First chunk whose largest key is >= key (> key when exclusive). */
  private chunkFor(key: string, exclusive: boolean): number {
    let lo = 0;
    let hi = this.maxes.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const max = this.maxes[mid]!;
      if (exclusive ? max <= key : max < key) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

function lowerBound(arr: string[], key: string): number {
  let lo = 0;
  let hi = arr.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (arr[mid]! < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function upperBound(arr: string[], key: string): number {
  let lo = 0;
  let hi = arr.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (arr[mid]! <= key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
