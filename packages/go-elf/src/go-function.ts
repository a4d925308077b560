export interface GoFunction {
  name: string;
  /** Link-time virtual address of the first instruction. */
  entry: number;
  end: number;
  size: number;
  /** Offset of `entry` in the file, through the executable PT_LOAD: what a uprobe attaches to. */
  fileOffset: number;
  source: 'symtab' | 'pclntab';
}

export interface ProbeLocation {
  address: number;
  fileOffset: number;
}

/** A file-backed, read-only PT_LOAD (no write, no execute): bytes that are the same in memory as in the file. */
export interface ReadOnlyData {
  /** Link-time virtual address (before the PIE load bias). */
  vaddr: number;
  sizeBytes: number;
  fileOffset: number;
}
