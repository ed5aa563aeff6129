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

/**
 * Where bytes `start`…`end` (exclusive) lie in pieces of these sizes: each piece that holds some of
 * them, with the part it holds (`from`…`to`, exclusive, within the piece).
 */
export function* piecesInRange(
  sizes: readonly number[],
  starts: readonly number[],
  start: number,
  end: number,
): Generator<{ piece: number; from: number; to: number }> {
  for (let i = pieceAt(starts, start); i < sizes.length && starts[i]! < end; i++) {
    const from = Math.max(0, start - starts[i]!);
    const to = Math.min(sizes[i]!, end - starts[i]!);
    if (to > from) yield { piece: i, from, to };
  }
}

/** Pieces in memory as a RandomAccessFile: each range is handed out as views, not copied. */
export function piecesFile(pieces: readonly Buffer[]): RandomAccessFile {
  const sizes = pieces.map((piece) => piece.length);
  const { starts, size } = pieceStarts(sizes);
  return {
    size,
    async *read(start, end) {
      for (const { piece, from, to } of piecesInRange(sizes, starts, start, end))
        yield pieces[piece]!.subarray(from, to);
    },
  };
}
