// A file read by byte range, as the workbook reader's zip needs it (its directory is at the end).
// The upload's file is read this way where it is stored (upload-store.ts), so a workbook is never
// held whole in memory; a reader given only the chunks (the unit tests) holds them as pieces and
// reads those the same way.

export type RandomAccessFile = {
  size: number;
  /** Bytes `start` (inclusive) to `end` (exclusive), in order, in pieces. */
  read(start: number, end: number): AsyncIterable<Buffer>;
};

/** The piece holding byte `offset`, given each piece's first byte in ascending order. */
export function pieceAt(starts: readonly number[], offset: number): number {
  let low = 0;
  let high = starts.length - 1;
  while (low < high) {
    const mid = (low + high + 1) >> 1;
    if (starts[mid]! <= offset) low = mid;
    else high = mid - 1;
  }
  return low;
}

/** The first byte of each piece, and the total, from the pieces' sizes. */
export function pieceStarts(sizes: readonly number[]): { starts: number[]; size: number } {
  const starts: number[] = [];
  let size = 0;
  for (const piece of sizes) {
    starts.push(size);
    size += piece;
  }
  return { starts, size };
}

/** Pieces in memory as a RandomAccessFile: each range is handed out as views, not copied. */
export function piecesFile(pieces: readonly Buffer[]): RandomAccessFile {
  const { starts, size } = pieceStarts(pieces.map((piece) => piece.length));
  return {
    size,
    async *read(start, end) {
      for (let i = pieceAt(starts, start); i < pieces.length && starts[i]! < end; i++) {
        const from = Math.max(0, start - starts[i]!);
        const to = Math.min(pieces[i]!.length, end - starts[i]!);
        if (to > from) yield pieces[i]!.subarray(from, to);
      }
    },
  };
}
